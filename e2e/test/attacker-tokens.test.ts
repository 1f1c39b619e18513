import { createServer, type Server } from 'node:http';
import { createPublicKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import {
  b64json,
  decodePart,
  foreignRsaKey,
  parts,
  signHmac,
  signRs256,
  signRsa,
  withClaims,
  withHeader,
} from './forge.js';
import { api, redisStack, signUp, type Person } from './support.js';

// SECURITY-CHECKS.md "Forged tokens", through the gateway to the real pets service. The issuer's
// key is pinned to one the test holds (JWT_PRIVATE_KEY), so a token can be signed genuinely with
// exactly one thing wrong: each claim and header check is then tested on its own.

interface Jwk {
  kty: string;
  kid: string;
  n: string;
  e: string;
}

let stack: Stack;
let issuerKey: KeyObject;
let jwk: Jwk;
let publicKey: KeyObject;
let a: Person;
/** A's genuine token, issued by auth; and B's. */
let T: string;
let BToken: string;
/** A key server the forged tokens point at: it must never be asked. */
let trap: { url: string; requests: number; server: Server };

beforeAll(async () => {
  issuerKey = foreignRsaKey();
  const pem = issuerKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  stack = await redisStack({ env: { JWT_PRIVATE_KEY: pem } });
  jwk = (await api(stack).get<{ keys: Jwk[] }>('/.well-known/jwks.json')).body.keys[0]!;
  publicKey = createPublicKey({ key: jwk as unknown as JsonWebKey, format: 'jwk' });
  a = await signUp(stack);
  T = a.token;
  BToken = (await signUp(stack)).token;
  const server = createServer((_req, res) => {
    trap.requests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  trap = { url: `http://127.0.0.1:${port}/jwks.json`, requests: 0, server };
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => trap?.server.close(resolve));
});

const header = () => ({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' });
const claims = () => decodePart(parts(T)[1]);

async function expectInvalid(forged: string): Promise<void> {
  const reply = await api(stack).get('/api/pets', { bearer: forged });
  expect(reply.status).toBe(403);
  expect(reply.body.error).toBe('invalid_token');
  expect(reply.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
}

describe('the baseline', () => {
  it("when T, or a token the test signs with the issuer's key and T's claims, is sent, pets answers 200", async () => {
    expect((await api(stack).get('/api/pets', { bearer: T })).status).toBe(200);
    const mine = signRs256(issuerKey, header(), claims());
    expect((await api(stack).get('/api/pets', { bearer: mine })).status).toBe(200);
  });
});

describe('alg none', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'when alg is "%s", with or without a signature part, it is 403 invalid_token',
    async (alg) => {
      const unsigned = `${b64json({ ...header(), alg })}.${parts(T)[1]}`;
      await expectInvalid(`${unsigned}.`);
      await expectInvalid(unsigned);
      await expectInvalid(withHeader(T, { ...header(), alg }));
    },
  );

  it('when alg is missing, it is 403 invalid_token', async () => {
    const { alg: _alg, ...rest } = header();
    await expectInvalid(withHeader(T, rest));
  });
});

describe('damaged signatures', () => {
  const [h, p, s] = [() => parts(T)[0], () => parts(T)[1], () => parts(T)[2]];
  it.each<[string, () => string]>([
    ['empty', () => `${h()}.${p()}.`],
    ['zeroed', () => `${h()}.${p()}.${'A'.repeat(s().length)}`],
    ['truncated', () => `${h()}.${p()}.${s().slice(0, -10)}`],
    [
      'bit-flipped',
      () => {
        const bytes = Buffer.from(s(), 'base64url');
        bytes[bytes.length >> 1]! ^= 0x01;
        return `${h()}.${p()}.${bytes.toString('base64url')}`;
      },
    ],
    ['transplanted from B’s token', () => `${h()}.${p()}.${parts(BToken)[2]}`],
  ])('when the signature is %s, it is 403 invalid_token', async (_name, forge) => {
    await expectInvalid(forge());
  });
});

describe('claims edited without re-signing', () => {
  it.each<Record<string, unknown>>([
    { sub: 'someone-else' },
    { exp: Math.floor(Date.now() / 1000) + 86_400 },
    { verified: true },
    { email: 'admin@example.test' },
    { iat: Math.floor(Date.now() / 1000) + 60 },
    { nbf: Math.floor(Date.now() / 1000) - 60 },
  ])('when the payload gets %o, it is 403 invalid_token', async (change) => {
    await expectInvalid(withClaims(T, change));
  });

  it.each(['RS384', 'RS512', 'PS256', 'ES256', 'HS256'])(
    'when the header alg is switched to %s over the original signature, it is 403 invalid_token',
    async (alg) => {
      await expectInvalid(withHeader(T, { ...header(), alg }));
    },
  );
});

describe('HMAC keyed with the public key', () => {
  const pem = () => publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const secrets: [string, () => string | Buffer][] = [
    ['SPKI PEM', pem],
    ['SPKI PEM without its trailing newline', () => pem().trimEnd()],
    ['SPKI PEM with CRLF line ends', () => pem().replace(/\n/g, '\r\n')],
    ['PKCS#1 PEM', () => publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
    ['SPKI DER', () => publicKey.export({ type: 'spki', format: 'der' })],
    ['PKCS#1 DER', () => publicKey.export({ type: 'pkcs1', format: 'der' })],
    ['the JWK JSON', () => JSON.stringify(jwk)],
    ['the JWKS JSON', () => JSON.stringify({ keys: [jwk] })],
    ['the modulus n', () => jwk.n],
    ['"secret"', () => 'secret'],
    ['an empty secret', () => ''],
    ['"your-256-bit-secret"', () => 'your-256-bit-secret'],
  ];
  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it.each(secrets)(`when ${alg} is keyed with %s, it is 403 invalid_token`, async (_name, secret) => {
      await expectInvalid(signHmac(alg, secret(), header(), claims()));
    });
  }
});

describe('keys carried in or named by the token', () => {
  it('when a jwk header embeds a foreign key (with the real kid or none), or jku/x5u/x5c name or carry one, it is 403 invalid_token and no URL is ever fetched', async () => {
    const foreign = foreignRsaKey();
    const foreignJwk = createPublicKey(foreign).export({ format: 'jwk' });
    const forged = [
      signRs256(foreign, { ...header(), jwk: foreignJwk }, claims()),
      signRs256(foreign, { alg: 'RS256', typ: 'at+jwt', jwk: foreignJwk }, claims()),
      signRs256(foreign, { ...header(), jku: trap.url }, claims()),
      signRs256(foreign, { alg: 'RS256', typ: 'at+jwt', jku: trap.url }, claims()),
      signRs256(foreign, { ...header(), kid: 'attacker', x5u: trap.url }, claims()),
      signRs256(foreign, { ...header(), x5c: [randomBytes(64).toString('base64')] }, claims()),
    ];
    for (const token of forged) await expectInvalid(token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(trap.requests).toBe(0);
  });
});

describe('tokens signed by another RSA key', () => {
  it.each<[string, (h: Record<string, unknown>) => Record<string, unknown>]>([
    ['the real kid', (h) => h],
    ['an unknown kid', (h) => ({ ...h, kid: randomBytes(16).toString('base64url') })],
    ['no kid', ({ kid: _kid, ...h }) => h],
  ])('when it carries %s, it is 403 invalid_token', async (_name, headerOf) => {
    await expectInvalid(signRs256(foreignRsaKey(), headerOf(header()), claims()));
  });
});

describe('genuinely signed tokens with one thing wrong', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => string]>([
    [
      'iss is another issuer',
      () => signRs256(issuerKey, header(), { ...claims(), iss: 'https://evil.example' }),
    ],
    ['aud is another audience', () => signRs256(issuerKey, header(), { ...claims(), aud: 'another-api' })],
    ['typ is JWT', () => signRs256(issuerKey, { ...header(), typ: 'JWT' }, claims())],
    ['typ is missing', () => signRs256(issuerKey, { alg: 'RS256', kid: jwk.kid }, claims())],
    ['nbf is 10 minutes ahead', () => signRs256(issuerKey, header(), { ...claims(), nbf: now() + 600 })],
    [
      'crit names an unknown header',
      () => signRs256(issuerKey, { ...header(), crit: ['x-unknown'], 'x-unknown': 1 }, claims()),
    ],
    ['there is no kid', () => signRs256(issuerKey, { alg: 'RS256', typ: 'at+jwt' }, claims())],
  ])('when %s, it is 403 invalid_token', async (_name, forge) => {
    await expectInvalid(forge());
  });

  it.each(['RS384', 'RS512', 'PS256'] as const)(
    "when the issuer's own key signs it with %s, an algorithm neither allowed nor announced, it is 403 invalid_token",
    async (alg) => {
      await expectInvalid(signRsa(alg, issuerKey, { ...header(), alg }, claims()));
    },
  );

  it.each(['iss', 'aud', 'sub', 'email', 'verified', 'sid', 'iat', 'exp', 'jti'])(
    'when the required claim %s is missing, it is 403 invalid_token',
    async (claim) => {
      const { [claim]: _gone, ...rest } = claims();
      await expectInvalid(signRs256(issuerKey, header(), rest));
    },
  );
});

describe('malformed values', () => {
  it.each<[string, () => string | Promise<string>]>([
    ['two segments', () => parts(T).slice(0, 2).join('.')],
    ['four segments', () => `${T}.${parts(T)[2]}`],
    ['a non-JSON header', () => `${b64json('not json')}.${parts(T)[1]}.${parts(T)[2]}`],
    ['a non-JSON payload, genuinely signed', () => signRs256(issuerKey, header(), 'not json')],
    ['only dots', () => '..'],
    ['not base64url', () => '!!!.@@@.###'],
    [
      'the JWS JSON serialization',
      () => JSON.stringify({ protected: parts(T)[0], payload: parts(T)[1], signature: parts(T)[2] }),
    ],
    [
      'a JWE encrypted to the public key',
      () =>
        new CompactEncrypt(Buffer.from(JSON.stringify(claims())))
          .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid, typ: 'at+jwt' })
          .encrypt(publicKey),
    ],
    ['9 KB long', () => `${T}${'A'.repeat(9000)}`],
    [
      'a genuinely signed 9 KB claim',
      () => signRs256(issuerKey, header(), { ...claims(), email: `${'a'.repeat(9000)}@example.test` }),
    ],
  ])('when the token is %s, it is 403 invalid_token', async (_name, forge) => {
    await expectInvalid(await forge());
  });
});

describe('other credentials in the wrong place', () => {
  it("when A's refresh token or session cookie value is sent as a Bearer token, it is 403 invalid_token", async () => {
    const pair = (await a.web.get<{ refreshToken: string }>('/api/token')).body;
    await expectInvalid(pair.refreshToken);
    for (const value of a.web.cookies.values()) await expectInvalid(value);
    await expectInvalid(a.web.cookieHeader());
  });

  it('when an access token is sent as a refresh token, it is 401 invalid_refresh_token and no pair', async () => {
    const reply = await api(stack).post('/api/token/refresh', { refreshToken: T });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_refresh_token');
    expect(reply.body.token).toBeUndefined();
    expect(decodeJwt(T).sub).toBe(a.id); // T itself is untouched and still works
    expect((await api(stack).get('/api/pets', { bearer: T })).status).toBe(200);
  });
});
