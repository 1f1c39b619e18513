import { createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, createJwtVerifier, MAX_TOKEN_LENGTH, type JwtVerifier } from '../src/index.js';
import { atT0, AUDIENCE, ISSUER, makeKey, startApp, token, type Harness, type TestKey } from './fixtures.js';

let key: TestKey;
let verifier: JwtVerifier;
let app: Harness;

beforeAll(async () => {
  key = await makeKey();
  verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySource: createLocalJWKSet({ keys: [key.publicJwk] }),
    now: () => atT0(60),
  });
  app = await startApp(verifier);
});

afterAll(() => app.close());

describe('bearer middleware', () => {
  it('when a genuine token is sent, ctx.state carries the user and token facts', async () => {
    const res = await app.get('/', `Bearer ${token(key, { claims: { sid: 'fam-9', jti: 'jti-9' } })}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 'user-1', email: 'a@example.test', verified: true });
    expect(res.body.accessToken).toMatchObject({ sid: 'fam-9', jti: 'jti-9' });
  });

  it('when the scheme is written in another letter case, the token is still read', async () => {
    const res = await app.get('/', `bEaReR ${token(key)}`);
    expect(res.status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['Basic credentials', 'Basic dXNlcjpwYXNzd29yZA=='],
    ['the scheme alone', 'Bearer'],
    ['the scheme and blanks', 'Bearer    '],
    ['a bare token without scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
    ['another scheme named like Bearer', 'Bearerx abc'],
  ])('when the request has %s, it is 401 missing_token with a bare challenge', async (_name, header) => {
    const res = await app.get('/', header);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('missing_token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(typeof res.body.requestId).toBe('string');
  });

  it('when a handler fails after authentication, the failure is not reported as a bad token', async () => {
    const res = await app.get('/boom', `Bearer ${token(key)}`);
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('internal_error');
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('when the Authorization header is 8 KB of junk, it is 403 invalid_token', async () => {
    const res = await app.get('/', `Bearer ${'x'.repeat(8 * 1024)}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('invalid_token');
  });
});

describe('verify()', () => {
  it('when the token is genuine, it resolves to the user and every claim', async () => {
    const verified = await verifier.verify(token(key, { claims: { sub: 'u-7' } }));
    expect(verified).toMatchObject({
      id: 'u-7',
      sub: 'u-7',
      email: 'a@example.test',
      verified: true,
      iss: ISSUER,
    });
  });

  it('when the token is longer than MAX_TOKEN_LENGTH, it rejects with 403 invalid_token', async () => {
    await expect(verifier.verify('a'.repeat(MAX_TOKEN_LENGTH + 1))).rejects.toMatchObject({
      status: 403,
      code: 'invalid_token',
    });
  });

  it('when the key source is static, warm() and ready() resolve', async () => {
    await expect(verifier.warm()).resolves.toBeUndefined();
    await expect(verifier.ready()).resolves.toBeUndefined();
  });
});

describe('bearerToken()', () => {
  it('when the header is "Bearer <x>", it returns x', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  });
  it('when the header is missing or another scheme, it returns undefined', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
  });
});
