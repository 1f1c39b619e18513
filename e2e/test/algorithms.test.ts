import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { api, redisStack, signUp } from './support.js';

interface Pair {
  token: string;
  refreshToken: string;
  error?: string;
}

describe.each(['ES256', 'EdDSA'] as const)('when auth signs with %s', (alg) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await redisStack({ env: { JWT_ALG: alg, JWT_ALGORITHMS: alg } });
  });
  afterAll(() => stack?.close());

  it('the JWKS announces it, tokens carry it, open /api/pets, and refresh works', async () => {
    const jwks = await api(stack).get<{ keys: { alg: string; kid: string; d?: string }[] }>(
      '/.well-known/jwks.json',
    );
    expect(jwks.body.keys.map((key) => key.alg)).toEqual([alg]);
    expect(jwks.body.keys.every((key) => key.d === undefined)).toBe(true);
    const { token, web } = await signUp(stack);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, typ: 'at+jwt', kid: jwks.body.keys[0]?.kid });
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
    const pair = (await web.get<Pair>('/api/token')).body;
    const next = await api(stack).post<Pair>('/api/token/refresh', { refreshToken: pair.refreshToken });
    expect(next.status).toBe(200);
    expect(decodeJwt(next.body.token).sid).toBe(decodeJwt(pair.token).sid);
  });

  it('a token whose header names another algorithm is 403 invalid_token; no token is 401 missing_token', async () => {
    const { token } = await signUp(stack);
    const [, payload, signature] = token.split('.');
    const header = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(token), alg: 'RS256' })).toString(
      'base64url',
    );
    const forged = await api(stack).get('/api/pets', { bearer: `${header}.${payload}.${signature}` });
    expect(forged.status).toBe(403);
    expect(forged.body.error).toBe('invalid_token');
    const none = await api(stack).get('/api/pets');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('missing_token');
  });
});
