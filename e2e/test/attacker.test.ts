import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, scanKeys, TEST_REDIS_URL, type Reply } from '@toypetme/test-kit';
import { SUITE_ALG, type Stack } from '../src/stack.js';
import { exchange } from './raw-http.js';
import { api, PASSWORD, redisStack, signUp, uniqueEmail, type Person } from './support.js';

// SECURITY-CHECKS.md through the gateway against the real processes on Redis: issued tokens,
// authorization, sessions, refresh tokens, browser-facing rules and robustness. Forged access
// tokens are in attacker-tokens.test.ts; docs/security-checks.md maps every item to its test.

interface Pair {
  token: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

interface Pet {
  id: string;
  name: string;
}

const COOKIE = 'tpm.sid';
/** What a public JWK of the suite's algorithm may hold (SECURITY-CHECKS names RS256's). */
const PUBLIC_MEMBERS: Record<string, string[]> = {
  RS256: ['alg', 'e', 'kid', 'kty', 'n', 'use'],
  ES256: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
  EdDSA: ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
};
const KEY_TYPE: Record<string, Record<string, string>> = {
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack();
});
afterAll(() => stack?.close());

const client = () => api(stack);
const refresh = (refreshToken: unknown) => client().post<Pair>('/api/token/refresh', { refreshToken });

function expectError(reply: Reply<object>, status: number, error: string): void {
  const body = reply.body as { error?: unknown } | undefined;
  expect({ status: reply.status, error: body?.error }).toEqual({ status, error });
}

/** A JSON error body of the contract's shape, never a stack trace. */
function expectCleanError(reply: Reply<Record<string, unknown>>): void {
  expect(reply.status).toBeGreaterThanOrEqual(400);
  expect(reply.status).toBeLessThan(500);
  expect(reply.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(reply.body).sort()).toEqual(['error', 'message', 'requestId']);
  expect(reply.text).not.toMatch(/\bat .+\.(js|ts):\d+|node_modules|Error:/);
}

describe('issued tokens and keys', () => {
  it(`when the JWKS is fetched, it holds only public members of ${SUITE_ALG} keys (RSA: kty n e kid alg use, at least 2048 bits), unique kids, and a max-age`, async () => {
    const reply = await client().get<{ keys: Record<string, string>[] }>('/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toMatch(/(^|[ ,])max-age=\d+/);
    expect(reply.body.keys.length).toBeGreaterThan(0);
    for (const key of reply.body.keys) {
      expect(Object.keys(key).sort()).toEqual(PUBLIC_MEMBERS[SUITE_ALG]);
      expect(key).toMatchObject({ alg: SUITE_ALG, use: 'sig', ...KEY_TYPE[SUITE_ALG] });
      const details = createPublicKey({ key: key as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails;
      if (SUITE_ALG === 'RS256') expect(details?.modulusLength).toBeGreaterThanOrEqual(2048);
    }
    expect(new Set(reply.body.keys.map((key) => key.kid)).size).toBe(reply.body.keys.length);
  });

  it(`when tokens are issued, each header is exactly {alg: ${SUITE_ALG}, kid in the JWKS, typ: at+jwt}, the claims exactly the contract’s, exp - iat = expiresIn, and every jti differs`, async () => {
    const { web, id, email } = await signUp(stack);
    const jwks = (await client().get<{ keys: { kid: string }[] }>('/.well-known/jwks.json')).body;
    const first = (await web.get<Pair>('/api/token')).body;
    const second = (await web.request<Pair>('POST', '/api/token')).body;
    const third = (await refresh(second.refreshToken)).body;
    const jtis = new Set<unknown>();
    for (const pair of [first, second, third]) {
      expect(decodeProtectedHeader(pair.token)).toEqual({
        alg: SUITE_ALG,
        typ: 'at+jwt',
        kid: expect.any(String),
      });
      expect(jwks.keys.map((key) => key.kid)).toContain(decodeProtectedHeader(pair.token).kid);
      const claims = decodeJwt(pair.token);
      expect(Object.keys(claims).sort()).toEqual(
        ['aud', 'email', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub', 'verified'].sort(),
      );
      expect(claims).toMatchObject({
        sub: id,
        email,
        verified: false,
        iss: stack.gatewayUrl,
        aud: 'toypetme-api',
      });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(pair.expiresIn);
      jtis.add(claims.jti);
    }
    expect(jtis.size).toBe(3);
  });

  it('when a refresh token is issued, it is opaque (256+ random bits, not a JWT or UUID, nothing of the user) and Redis holds it only hashed', async () => {
    const { web, id, email } = await signUp(stack);
    const { refreshToken } = (await web.get<Pair>('/api/token')).body;
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [familyId = '', secret = ''] = refreshToken.split('.');
    expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    expect(refreshToken).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    for (const part of [familyId, secret]) {
      expect(() => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown).toThrow();
      const decoded = Buffer.from(part, 'base64url').toString('latin1');
      for (const fact of [id, email]) expect(`${part} ${decoded}`).not.toContain(fact);
    }
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const secretHex = Buffer.from(secret, 'base64url').toString('hex');
      for (const key of await scanKeys(redis, `${stack.redisKeyPrefix}*`)) {
        const type = await redis.type(key);
        const dump =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : '';
        expect(`${key} ${dump}`).not.toContain(secret);
        expect(`${key} ${dump}`).not.toContain(secretHex);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('when a response carries tokens it has Cache-Control: no-store, and no response carries a password, hash or salt', async () => {
    const email = uniqueEmail('nostore');
    const web = new HttpClient(stack.gatewayUrl);
    const replies: Reply<Record<string, unknown>>[] = [
      await web.post('/auth/register', { email, password: PASSWORD }),
      await web.post('/auth/login', { email, password: PASSWORD }),
      await web.get('/auth/me'),
    ];
    const tokenReplies = [await web.get<Pair>('/api/token'), await web.request<Pair>('POST', '/api/token')];
    tokenReplies.push(await refresh(tokenReplies[1]!.body.refreshToken));
    for (const reply of tokenReplies) {
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store');
    }
    replies.push(await web.get('/auth/devices'));
    for (const reply of [...replies, ...tokenReplies]) {
      expect(reply.text).not.toContain(PASSWORD);
      expect(reply.text).not.toMatch(/\$argon2|password|hash|salt/i);
    }
  });
});

describe('authorization', () => {
  it("when B asks for A's pet with GET, PATCH or DELETE, each answer equals the one for an id that never existed (404 not_found), and B's list stays empty", async () => {
    const [a, b] = [await signUp(stack), await signUp(stack)];
    const pet = (
      await client().post<{ pet: Pet }>('/api/pets', { name: 'Rex', species: 'dog' }, { bearer: a.token })
    ).body.pet;
    const never = '00000000-0000-4000-8000-000000000000';
    for (const [method, json] of [['GET'], ['PATCH', { name: 'Stolen' }], ['DELETE']] as const) {
      const options = { bearer: b.token, ...(json ? { json } : {}) };
      const theirs = await client().request(method, `/api/pets/${pet.id}`, options);
      const missing = await client().request(method, `/api/pets/${never}`, options);
      expectError(theirs, 404, 'not_found');
      expect({ ...theirs.body, requestId: 0 }).toEqual({ ...missing.body, requestId: 0 });
    }
    expect((await client().get('/api/pets', { bearer: b.token })).body).toEqual({ pets: [] });
    expect((await client().get<{ pet: Pet }>(`/api/pets/${pet.id}`, { bearer: a.token })).body.pet.name).toBe(
      'Rex',
    );
  });
});

describe('sessions and cookies', () => {
  it('when logging in, the session cookie is HttpOnly, SameSite=Lax, Path=/, with no Domain, and holds only an opaque id', async () => {
    const email = uniqueEmail('cookie');
    const web = new HttpClient(stack.gatewayUrl);
    const { body } = await web.post<{ user: { id: string } }>('/auth/register', {
      email,
      password: PASSWORD,
    });
    const login = await web.post('/auth/login', { email, password: PASSWORD });
    const line = login.setCookies.find((cookie) => cookie.startsWith(`${COOKIE}=`)) ?? '';
    expect(line).toMatch(/; httponly/i);
    expect(line).toMatch(/; samesite=lax/i);
    expect(line).toMatch(/; path=\/(;|$)/i);
    expect(line).not.toMatch(/domain=/i);
    const value = web.cookies.get(COOKIE) ?? '';
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const decoded = Buffer.from(value, 'base64url').toString('latin1');
    for (const fact of [email, body.user.id]) expect(`${value} ${decoded}`).not.toContain(fact);
    expect(() => JSON.parse(decoded) as unknown).toThrow();
  });

  it("when a cookie is planted before login, or another user's live cookie is sent with a login, the session after login has a new id and the planted cookie opens nothing", async () => {
    const attacker = await signUp(stack);
    const planted = attacker.web.cookieHeader();
    const victim = await signUp(stack);
    const login = await client().post(
      '/auth/login',
      { email: victim.email, password: PASSWORD },
      { headers: { cookie: planted } },
    );
    expect(login.status).toBe(200);
    const fresh = login.setCookies.find((cookie) => cookie.startsWith(`${COOKIE}=`)) ?? '';
    expect(fresh.split(';')[0]).not.toBe(`${COOKIE}=${attacker.web.cookies.get(COOKIE)}`);
    const replay = await client().get('/auth/me', { headers: { cookie: planted } });
    expectError(replay, 401, 'not_authenticated');
    const anonymous = await client().post(
      '/auth/login',
      { email: victim.email, password: PASSWORD },
      { headers: { cookie: `${COOKIE}=planted-by-attacker; ${COOKIE}.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA` } },
    );
    expect(anonymous.setCookies.join('\n')).not.toContain('planted-by-attacker');
  });

  it.each<[string, (sid: string, sig: string) => string]>([
    ['no cookie', () => ''],
    ['no signature', (sid) => `${COOKIE}=${sid}`],
    [
      'a tampered signature',
      (sid, sig) => `${COOKIE}=${sid}; ${COOKIE}.sig=${sig.slice(0, -2)}${sig.endsWith('xx') ? 'yy' : 'xx'}`,
    ],
    [
      'the signature of another id',
      (sid, sig) => `${COOKIE}=${sid.slice(0, -1)}${sid.endsWith('A') ? 'B' : 'A'}; ${COOKIE}.sig=${sig}`,
    ],
    ['a 4 KB junk value', () => `${COOKIE}=${'j'.repeat(4096)}; ${COOKIE}.sig=${'k'.repeat(27)}`],
  ])('when /api/token is asked with %s, it answers 401 not_authenticated', async (_label, forge) => {
    const { web } = await signUp(stack);
    const cookie = forge(web.cookies.get(COOKIE) ?? '', web.cookies.get(`${COOKIE}.sig`) ?? '');
    const reply = await client().get('/api/token', { headers: cookie === '' ? {} : { cookie } });
    expectError(reply, 401, 'not_authenticated');
  });

  it('when a session logs out, its old cookie gets 401 everywhere and every refresh token of its families, never used or rotated-to, gets 401', async () => {
    const { web } = await signUp(stack);
    const unused = (await web.get<Pair>('/api/token')).body;
    const rotatedFrom = (await web.get<Pair>('/api/token')).body;
    const rotatedTo = (await refresh(rotatedFrom.refreshToken)).body;
    const cookie = web.cookieHeader();
    expect((await web.post('/auth/logout')).status).toBe(204);
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/api/token'],
      ['POST', '/api/token'],
      ['GET', '/auth/devices'],
      ['POST', '/auth/logout-all'],
    ] as const) {
      expectError(await client().request(method, path, { headers: { cookie } }), 401, 'not_authenticated');
    }
    for (const token of [unused.refreshToken, rotatedTo.refreshToken, rotatedFrom.refreshToken]) {
      expectError(await refresh(token), 401, 'invalid_refresh_token');
    }
  });
});

describe('refresh tokens', () => {
  it('when 10 refreshes with one token run in parallel, all get the same pair, so no second live successor exists', async () => {
    const { web } = await signUp(stack);
    const { refreshToken } = (await web.get<Pair>('/api/token')).body;
    const replies = await Promise.all(Array.from({ length: 10 }, () => refresh(refreshToken)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(1);
    expect((await refresh(replies[0]!.body.refreshToken)).status).toBe(200);
  });

  it.each<[string, string]>([
    ['an operator object', '{"refreshToken":{"$ne":null}}'],
    ['an array', '{"refreshToken":["x"]}'],
    ['a number', '{"refreshToken":42}'],
    ['null', '{"refreshToken":null}'],
    ['true', '{"refreshToken":true}'],
    ['an empty string', '{"refreshToken":""}'],
    ['a 10 KB string', JSON.stringify({ refreshToken: 'r'.repeat(10 * 1024) })],
    ['an empty object', '{}'],
    ['an empty body', ''],
    ['a top-level array', '[{"refreshToken":"x"}]'],
    ['a 20 KB body', JSON.stringify({ refreshToken: 'r'.repeat(20 * 1024) })],
  ])('when the refresh body holds %s, it is a JSON 400/401/413, never 200 or 5xx', async (_label, body) => {
    const reply = await client().request('POST', '/api/token/refresh', {
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect([400, 401, 413]).toContain(reply.status);
    expectCleanError(reply);
  });
});

describe('browser-facing', () => {
  const bodies: [string, string, (json: Record<string, string>) => string][] = [
    ['text/plain', 'text/plain', (json) => JSON.stringify(json)],
    ['form-urlencoded', 'application/x-www-form-urlencoded', (json) => new URLSearchParams(json).toString()],
    [
      'multipart',
      'multipart/form-data; boundary=x',
      (json) =>
        Object.entries(json)
          .map(([name, value]) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
          .join('') + '--x--\r\n',
    ],
  ];

  it.each(bodies)(
    'when login, register and refresh bodies are sent as %s, each gets 415 and no session or account is created',
    async (_label, type, encode) => {
      const person = await signUp(stack);
      const { refreshToken } = (await person.web.get<Pair>('/api/token')).body;
      const newEmail = uniqueEmail('form');
      const sends: [string, Record<string, string>][] = [
        ['/auth/login', { email: person.email, password: PASSWORD }],
        ['/auth/register', { email: newEmail, password: PASSWORD }],
        ['/api/token/refresh', { refreshToken }],
      ];
      for (const [path, json] of sends) {
        const reply = await client().request('POST', path, {
          body: encode(json),
          headers: { 'content-type': type },
        });
        expectError(reply, 415, 'unsupported_media_type');
        expect(reply.setCookies).toEqual([]);
      }
      expect((await client().post('/auth/register', { email: newEmail, password: PASSWORD })).status).toBe(
        201,
      );
      expect((await refresh(refreshToken)).status).toBe(200); // not spent by the refused call
    },
  );

  it('when login is tried with an unknown email and with a wrong password, status, body (but its requestId) and cookies are identical', async () => {
    const { email } = await signUp(stack);
    const unknown = await client().post('/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD });
    const wrong = await client().post('/auth/login', { email, password: `${PASSWORD}!` });
    expectError(unknown, 401, 'invalid_credentials');
    expect(wrong.status).toBe(unknown.status);
    expect({ ...wrong.body, requestId: 0 }).toEqual({ ...unknown.body, requestId: 0 });
    expect(wrong.setCookies).toEqual(unknown.setCookies);
    expect(wrong.setCookies).toEqual([]);
    expect(wrong.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'));
  });

  it.each<[string, unknown]>([
    ['an object password', { password: { $gt: '' } }],
    ['an array password', { password: [PASSWORD] }],
    ['a boolean password', { password: true }],
    ['an object email', { email: { $ne: null } }],
    ['an array email', { email: ['x@example.test'] }],
    ['a boolean email', { email: false }],
  ])(
    'when credentials hold %s, login and register answer 400 or 401 with a JSON error, never 2xx or 5xx',
    async (_label, change) => {
      const { email } = await signUp(stack);
      for (const path of ['/auth/login', '/auth/register']) {
        const reply = await client().post(path, { email, password: PASSWORD, ...(change as object) });
        expect([400, 401]).toContain(reply.status);
        expectCleanError(reply);
        expect(reply.setCookies).toEqual([]);
      }
    },
  );

  it('when passwords are shorter than 8 they are refused; a 64-character passphrase works; the whole password counts beyond 72 bytes', async () => {
    const short = await client().post('/auth/register', { email: uniqueEmail('short'), password: 'seven77' });
    expectError(short, 400, 'invalid_request');
    const email = uniqueEmail('long');
    const passphrase = 'correct horse battery staple and a very long tail, 64 chars ok!!';
    expect(passphrase).toHaveLength(64);
    expect((await client().post('/auth/register', { email, password: passphrase })).status).toBe(201);
    expect((await client().post('/auth/login', { email, password: passphrase })).status).toBe(200);
    const longEmail = uniqueEmail('eighty');
    const eighty = `${'p'.repeat(72)}TAIL-one`;
    await client().post('/auth/register', { email: longEmail, password: eighty });
    const sameStart = await client().post('/auth/login', {
      email: longEmail,
      password: `${'p'.repeat(72)}TAIL-two`,
    });
    expectError(sameStart, 401, 'invalid_credentials');
    expect((await client().post('/auth/login', { email: longEmail, password: eighty })).status).toBe(200);
  });

  it('when an existing email is registered again in another letter case (and with spaces), it is 409 email_taken and the original password still works', async () => {
    const { email } = await signUp(stack);
    const again = await client().post('/auth/register', {
      email: `  ${email.toUpperCase()} `,
      password: 'another password',
    });
    expectError(again, 409, 'email_taken');
    expect(
      (await client().post('/auth/login', { email: email.toUpperCase(), password: PASSWORD })).status,
    ).toBe(200);
    expectError(
      await client().post('/auth/login', { email, password: 'another password' }),
      401,
      'invalid_credentials',
    );
  });
});

describe('robustness', () => {
  let person: Person;
  beforeAll(async () => {
    person = await signUp(stack);
  });

  it.each<[string, string, string, string]>([
    ['malformed JSON to login', 'POST', '/auth/login', '{"email": "a@example.test", '],
    ['malformed JSON to register', 'POST', '/auth/register', '{bad'],
    ['malformed JSON to refresh', 'POST', '/api/token/refresh', '{"refreshToken":'],
    ['malformed JSON to pets', 'POST', '/api/pets', '{"name":"Rex",'],
    ['a 2000-character pet id', 'GET', `/api/pets/${'a'.repeat(2000)}`, ''],
    ['a 2000-character pet id to PATCH', 'PATCH', `/api/pets/${'b'.repeat(2000)}`, '{"name":"x"}'],
    ['an encoded traversal pet id', 'GET', '/api/pets/..%2F..%2Fauth%2Fme', ''],
    ['an encoded dot-dot pet id', 'DELETE', '/api/pets/%2e%2e', ''],
    ['a 2000-character device id', 'DELETE', `/auth/devices/${'d'.repeat(2000)}`, ''],
    ['an unknown route', 'GET', '/admin', ''],
    ['an unknown route under auth', 'GET', '/auth/../../etc/passwd', ''],
    ['an unknown route under pets', 'GET', '/api/pets/x/y/z', ''],
  ])('when sent %s, the answer is a JSON 4xx with no stack trace', async (_label, method, path, body) => {
    const reply = await new HttpClient(stack.gatewayUrl).request(method, path, {
      bearer: person.token,
      headers: { cookie: person.web.cookieHeader(), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
    expectCleanError(reply);
  });

  it('when a path carries raw ../ segments, the gateway answers a JSON 4xx and never reaches another route', async () => {
    for (const path of ['/api/pets/../../auth/me', '/api/pets/./../token', '/auth/../api/pets']) {
      const answer = await exchange(
        stack.gatewayUrl,
        `GET ${path} HTTP/1.1\r\nHost: gw\r\nCookie: ${person.web.cookieHeader()}\r\nConnection: close\r\n\r\n`,
      );
      const [head = '', json = ''] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(JSON.parse(json)).toMatchObject({ error: expect.any(String) });
      expect(json).not.toContain(person.email);
    }
  });

  it('when an HTTP/1.1 request carries no Host header, the gateway answers a JSON 400 invalid_request', async () => {
    const answer = await exchange(stack.gatewayUrl, 'GET /auth/me HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1] ?? '')).toMatchObject({ error: 'invalid_request' });
  });

  it('when 10 clients send oversized chunked bodies to auth and pets at once, each gets 413 payload_too_large and other clients keep getting their answers', async () => {
    const oversized = (path: string) =>
      fetch(`${stack.gatewayUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${person.token}` },
        body: new ReadableStream({
          start(controller) {
            for (let chunk = 0; chunk < 30; chunk += 1)
              controller.enqueue(new Uint8Array(10 * 1024).fill(120));
            controller.close();
          },
        }),
        duplex: 'half',
      }).then(async (response) => ({
        status: response.status,
        error: ((await response.json()) as { error?: unknown }).error,
      }));
    const refused = await Promise.all(
      Array.from({ length: 10 }, (_, i) => oversized(i % 2 === 0 ? '/api/token/refresh' : '/api/pets')),
    );
    expect(refused).toEqual(Array.from({ length: 10 }, () => ({ status: 413, error: 'payload_too_large' })));
    // Every kept-alive upstream connection those bodies used is still in step: a wedged one
    // would hold a request here until the gateway's 504.
    const others = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? client().get('/auth/me') : client().get('/api/pets', { bearer: person.token }),
      ),
    );
    expect(others.map((reply) => reply.status)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 401 : 200)),
    );
  });

  it('when Authorization headers of 8 KB, 64 KB and 1 MB are sent, each gets a 4xx and the gateway keeps serving', async () => {
    const eight = await client().get('/api/pets', { bearer: 'x'.repeat(8 * 1024) });
    expectError(eight, 403, 'invalid_token');
    for (const size of [64 * 1024, 1024 * 1024]) {
      const answer = await exchange(
        stack.gatewayUrl,
        `GET /api/pets HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${'x'.repeat(size)}\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
      expect((await client().get('/api/pets', { bearer: person.token })).status).toBe(200);
    }
  });
});
