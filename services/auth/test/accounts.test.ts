import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startAuth, testHasher, uniqueEmail, type RunningAuth } from './fixtures.js';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.close());

describe('POST /auth/register', () => {
  it('when the input is valid, creates the user and returns only its public fields', async () => {
    const email = uniqueEmail();
    const reply = await auth.client().post('/auth/register', { email, password: PASSWORD });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.body.user as object).sort()).toEqual(['createdAt', 'email', 'id', 'verified']);
    expect(reply.body.user).toMatchObject({ email, verified: false });
    expect(reply.text).not.toContain(PASSWORD);
    expect(reply.text).not.toContain('argon2');
  });

  it('when the client sends id or verified, ignores them', async () => {
    const reply = await auth
      .client()
      .post('/auth/register', { email: uniqueEmail(), password: PASSWORD, id: 'mine', verified: true });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({ verified: false });
    expect((reply.body.user as { id: string }).id).not.toBe('mine');
  });

  it('when the body carries a __proto__ key, answers 400 invalid_request', async () => {
    const body = `{"email":"${uniqueEmail()}","password":"${PASSWORD}","__proto__":{"verified":true}}`;
    const reply = await auth
      .client()
      .request('POST', '/auth/register', { body, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_request');
  });

  it('when the body carries constructor.prototype, it is ignored and nothing is polluted', async () => {
    const body = `{"email":"${uniqueEmail()}","password":"${PASSWORD}","constructor":{"prototype":{"verified":true}}}`;
    const reply = await auth
      .client()
      .request('POST', '/auth/register', { body, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({ verified: false });
    expect(({} as Record<string, unknown>).verified).toBeUndefined();
  });

  it('when the email differs only in case and spaces, answers 409 email_taken and keeps the first password', async () => {
    const client = auth.client();
    expect(
      (await client.post('/auth/register', { email: ' Mixed.Case@Example.TEST ', password: PASSWORD }))
        .status,
    ).toBe(201);
    const again = await client.post('/auth/register', {
      email: 'mixed.case@example.test',
      password: 'another password',
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('email_taken');
    expect(
      (await client.post('/auth/login', { email: 'MIXED.case@example.test', password: PASSWORD })).status,
    ).toBe(200);
    const wrong = await client.post('/auth/login', {
      email: 'mixed.case@example.test',
      password: 'another password',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_credentials');
  });

  it.each([
    ['no body fields', {}],
    ['a missing password', { email: 'a@example.test' }],
    ['a bad email', { email: 'not-an-email', password: PASSWORD }],
    ['a 7-character password', { email: 'b@example.test', password: '1234567' }],
    ['a 1025-character password', { email: 'c@example.test', password: 'x'.repeat(1025) }],
    ['an object email', { email: { $ne: null }, password: PASSWORD }],
    ['an array password', { email: 'd@example.test', password: [PASSWORD] }],
    ['a boolean password', { email: 'e@example.test', password: true }],
    ['a password of lone surrogates', { email: 'f@example.test', password: '\ud800'.repeat(8) }],
    ['a numeric email', { email: 42, password: PASSWORD }],
  ])('when given %s, answers 400 invalid_request naming the field', async (_label, body) => {
    const reply = await auth.client().post('/auth/register', body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_request');
    expect(typeof reply.body.message).toBe('string');
  });

  it('when the password has 8 emoji (16 UTF-16 units, 8 characters), accepts it', async () => {
    const reply = await auth
      .client()
      .post('/auth/register', { email: uniqueEmail(), password: '🐶🐱🐭🐹🐰🦊🐻🐼' });
    expect(reply.status).toBe(201);
  });
});

describe('POST /auth/login', () => {
  it('when an unknown email and a wrong password are tried, both get the same 401 body and no cookie', async () => {
    const email = uniqueEmail();
    await auth.client().post('/auth/register', { email, password: PASSWORD });
    const unknown = await auth
      .client()
      .post('/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD });
    const wrong = await auth.client().post('/auth/login', { email, password: 'wrong password' });
    for (const reply of [unknown, wrong]) {
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_credentials');
      expect(reply.setCookies).toEqual([]);
    }
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('when the email is unknown, a real hash is still verified (the decoy), so timing matches a wrong password', async () => {
    const verified: string[] = [];
    const counting = {
      hash: (password: string) => testHasher.hash(password),
      verify: (hash: string, password: string) => {
        verified.push(hash);
        return testHasher.verify(hash, password);
      },
    };
    const server = await startAuth({ hasher: counting });
    try {
      const reply = await server
        .client()
        .post('/auth/login', { email: uniqueEmail('ghost'), password: PASSWORD });
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_credentials');
      expect(verified).toEqual([server.deps.decoyHash]);
      expect(server.deps.decoyHash).toMatch(/^\$argon2id\$/);
    } finally {
      await server.close();
    }
  });

  it('when a 64-character passphrase is used, it works; when an 80-character one shares only its first 72 bytes, 401', async () => {
    const email = uniqueEmail();
    const long = 'a'.repeat(72) + 'TAIL-one';
    await auth.client().post('/auth/register', { email, password: long });
    const other = await auth.client().post('/auth/login', { email, password: 'a'.repeat(72) + 'TAIL-two' });
    expect(other.status).toBe(401);
    expect(other.body.error).toBe('invalid_credentials');
    expect((await auth.client().post('/auth/login', { email, password: long })).status).toBe(200);
    const passphraseEmail = uniqueEmail();
    const passphrase = 'p'.repeat(64);
    await auth.client().post('/auth/register', { email: passphraseEmail, password: passphrase });
    expect(
      (await auth.client().post('/auth/login', { email: passphraseEmail, password: passphrase })).status,
    ).toBe(200);
  });

  it.each([
    ['an object password', { email: 'x@example.test', password: { $gt: '' } }],
    ['an array email', { email: ['x@example.test'], password: PASSWORD }],
    ['a null password', { email: 'x@example.test', password: null }],
    ['a 1025-character password', { email: 'x@example.test', password: 'y'.repeat(1025) }],
  ])('when given %s, answers 400 invalid_request', async (_label, body) => {
    const reply = await auth.client().post('/auth/login', body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_request');
  });
});
