import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedIn, PASSWORD, startAuth, uniqueEmail, type RunningAuth } from './fixtures.js';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.close());

const json = { 'content-type': 'application/json' };

describe('every auth body is JSON, at most 16 KiB', () => {
  it.each([
    ['text/plain', '{"refreshToken":"a.b"}'],
    ['application/x-www-form-urlencoded', 'refreshToken=a.b'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
  ])(
    'when /api/token/refresh or POST /api/token gets %s, answers 415 unsupported_media_type',
    async (type, body) => {
      const { client } = await loggedIn(auth);
      for (const path of ['/api/token/refresh', '/api/token']) {
        const reply = await client.request('POST', path, { body, headers: { 'content-type': type } });
        expect(reply.status, path).toBe(415);
        expect(reply.body.error).toBe('unsupported_media_type');
        expect(reply.body.token).toBeUndefined();
      }
    },
  );

  it.each(['/auth/login', '/api/token/refresh', '/api/token'])(
    'when %s gets a body over 16 KiB, answers 413 payload_too_large',
    async (path) => {
      const body = JSON.stringify({
        email: uniqueEmail(),
        password: PASSWORD,
        refreshToken: 'r'.repeat(17 * 1024),
      });
      const reply = await auth.client().request('POST', path, { body, headers: json });
      expect(reply.status).toBe(413);
      expect(reply.body.error).toBe('payload_too_large');
    },
  );

  it.each(['/auth/login', '/api/token/refresh'])(
    'when %s gets a body with a __proto__ key, answers 400 invalid_request',
    async (path) => {
      const body = `{"email":"${uniqueEmail()}","password":"${PASSWORD}","refreshToken":"a.b","__proto__":{"verified":true}}`;
      const reply = await auth.client().request('POST', path, { body, headers: json });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('invalid_request');
    },
  );
});

describe('type-confused credentials', () => {
  it.each([
    ['an operator object as email', { email: { $ne: null }, password: PASSWORD }],
    ['an array as email', { email: ['a@example.test'], password: PASSWORD }],
    ['a boolean as password', { email: 'a@example.test', password: true }],
    ['a number as password', { email: 'a@example.test', password: 12345678 }],
    ['null as password', { email: 'a@example.test', password: null }],
    ['an object as password', { email: 'a@example.test', password: { $gt: '' } }],
    ['no password', { email: 'a@example.test' }],
    ['no email', { password: PASSWORD }],
  ])(
    'when login or register gets %s, answers 400 invalid_request and sets no cookie',
    async (_label, body) => {
      for (const path of ['/auth/login', '/auth/register']) {
        const reply = await auth.client().post(path, body);
        expect(reply.status, path).toBe(400);
        expect(reply.body.error).toBe('invalid_request');
        expect(reply.setCookies).toEqual([]);
      }
    },
  );
});

describe('unknown fields are ignored, never assigned', () => {
  it('when login carries id, verified, userId and constructor fields, the session is the real user, unverified', async () => {
    const { client, email, id } = await loggedIn(auth);
    const login = await client.post('/auth/login', {
      email,
      password: PASSWORD,
      id: 'attacker-id',
      userId: 'attacker-id',
      verified: true,
      constructor: { prototype: { verified: true } },
    });
    expect(login.status).toBe(200);
    const me = await client.get<{ user: { id: string; verified: boolean } }>('/auth/me');
    expect(me.body.user).toMatchObject({ id, verified: false });
    expect(({} as Record<string, unknown>).verified).toBeUndefined();
  });

  it('when register carries a nested user object or owner fields, only email and password are used', async () => {
    const reply = await auth.client().post('/auth/register', {
      email: uniqueEmail(),
      password: PASSWORD,
      user: { id: 'x', verified: true },
      ownerId: 'someone-else',
      createdAt: '1970-01-01T00:00:00.000Z',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({ verified: false });
    expect((reply.body.user as { createdAt: string }).createdAt).not.toBe('1970-01-01T00:00:00.000Z');
    expect(Object.keys(reply.body.user as object).sort()).toEqual(['createdAt', 'email', 'id', 'verified']);
  });
});
