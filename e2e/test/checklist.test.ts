import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUITE_ALG, type Stack } from '../src/stack.js';
import { api, redisStack, signUp } from './support.js';

// The original checklist, by its own names, through the gateway against real Redis.
let stack: Stack;
let shortLived: Stack;
beforeAll(async () => {
  stack = await redisStack();
  shortLived = await redisStack({ env: { JWT_EXPIRATION: '1s', JWT_CLOCK_TOLERANCE: '0s' } });
});
afterAll(async () => {
  await stack?.close();
  await shortLived?.close();
});

describe('the original checklist', () => {
  it('token issued for a logged-in user', async () => {
    const { web, id } = await signUp(stack);
    const reply = await web.get<{ token: string; tokenType: string; expiresIn: number }>('/api/token');
    expect(reply.status).toBe(200);
    expect(reply.body.tokenType).toBe('Bearer');
    expect(reply.body.expiresIn).toBe(900);
    expect(decodeJwt(reply.body.token).sub).toBe(id);
  });

  it('a valid JWT opens /api/pets', async () => {
    const { token } = await signUp(stack);
    const reply = await api(stack).get('/api/pets', { bearer: token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ pets: [] });
  });

  it('an expired JWT → 403 token_expired', async () => {
    const { token } = await signUp(shortLived);
    const exp = decodeJwt(token).exp ?? 0;
    // A real expiry on the real processes: wait until the token's exp has passed.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 1100));
    const reply = await api(shortLived).get('/api/pets', { bearer: token });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toBe('token_expired');
    expect(reply.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('after logout /api/token → 401', async () => {
    const { web } = await signUp(stack);
    const cookie = web.cookieHeader();
    expect((await web.post('/auth/logout')).status).toBe(204);
    const reply = await api(stack).get('/api/token', { headers: { cookie } });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('not_authenticated');
  });

  it('a call without a token → 401 missing_token', async () => {
    const reply = await api(stack).get('/api/pets');
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('missing_token');
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe(`the suite's signing algorithm (${SUITE_ALG})`, () => {
  it('when the suite runs for an algorithm, the JWKS announces only it and tokens are signed with it', async () => {
    const jwks = await api(stack).get<{ keys: { alg: string; kid: string }[] }>('/.well-known/jwks.json');
    expect(jwks.body.keys.map((key) => key.alg)).toEqual([SUITE_ALG]);
    const { token } = await signUp(stack);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: SUITE_ALG, kid: jwks.body.keys[0]?.kid });
  });
});
