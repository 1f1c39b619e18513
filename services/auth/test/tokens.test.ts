import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedIn, startAuth, type RunningAuth } from './fixtures.js';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.close());

const CLAIMS = ['aud', 'email', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub', 'verified'];

describe('GET|POST /api/token', () => {
  it.each(['GET', 'POST'])('when %s with a live session, answers a no-store token pair', async (method) => {
    const { client } = await loggedIn(auth);
    const reply = await client.request<{ token: string; tokenType: string; expiresIn: number }>(
      method,
      '/api/token',
    );
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body.tokenType).toBe('Bearer');
    expect(reply.body.expiresIn).toBe(900);
    expect(reply.body.token.split('.')).toHaveLength(3);
  });

  it('when issued, the token has exactly the contract header and claims and verifies against the JWKS', async () => {
    const { client, email, id } = await loggedIn(auth);
    const { token, expiresIn } = (await client.get<{ token: string; expiresIn: number }>('/api/token')).body;
    const header = decodeProtectedHeader(token);
    expect(Object.keys(header).sort()).toEqual(['alg', 'kid', 'typ']);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(CLAIMS);
    expect(claims).toMatchObject({
      sub: id,
      email,
      verified: false,
      iss: 'http://127.0.0.1:8080',
      aud: 'toypetme-api',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(expiresIn);
    expect(claims.sid).not.toBe(client.cookies.get('tpm.sid'));
    const jwks = (await auth.client().get<JSONWebKeySet>('/.well-known/jwks.json')).body;
    const verified = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: 'http://127.0.0.1:8080',
      audience: 'toypetme-api',
      algorithms: ['RS256'],
      typ: 'at+jwt',
    });
    expect(verified.payload.sub).toBe(id);
  });

  it('when called twice, each token has its own jti and its own family id', async () => {
    const { client } = await loggedIn(auth);
    const first = decodeJwt((await client.get<{ token: string }>('/api/token')).body.token);
    const second = decodeJwt((await client.get<{ token: string }>('/api/token')).body.token);
    expect(first.jti).not.toBe(second.jti);
    expect(first.sid).not.toBe(second.sid);
  });

  it('when there is no session, answers 401 not_authenticated', async () => {
    for (const method of ['GET', 'POST']) {
      const reply = await auth.client().request(method, '/api/token');
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('not_authenticated');
    }
  });

  it('when the user behind the session no longer exists, answers 401 not_authenticated', async () => {
    const { client } = await loggedIn(auth);
    const orphan = await startAuth({ sessions: auth.deps.sessions });
    try {
      const reply = await orphan.client().get('/api/token', { headers: { cookie: client.cookieHeader() } });
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('not_authenticated');
    } finally {
      await orphan.close();
    }
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('when fetched, lists only public RSA members with a unique kid and a max-age', async () => {
    const reply = await auth.client().get<JSONWebKeySet>('/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const kids = reply.body.keys.map((key) => key.kid);
    expect(new Set(kids).size).toBe(kids.length);
    for (const key of reply.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(Buffer.from(key.n ?? '', 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    }
  });
});
