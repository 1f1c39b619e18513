import { constants, createHmac, randomBytes, sign as rsaSign } from 'node:crypto';
import { base64url, CompactEncrypt, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../src/index.js';
import {
  atT0,
  AUDIENCE,
  b64json,
  claimsAt,
  ISSUER,
  makeKey,
  signRaw,
  startApp,
  T0,
  token,
  type Harness,
  type TestKey,
} from './fixtures.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';

// SECURITY-CHECKS.md "Forged tokens": each must get 403 invalid_token, while T itself gets 200.
let real: TestKey;
let foreign: TestKey;
let T: string;
let app: Harness;
/** A key server the forged tokens point at: it must never be asked. */
let fetchTrap: JwksServer;

async function expectInvalid(forged: string): Promise<void> {
  const res = await app.get('/', `Bearer ${forged}`);
  expect(res.status).toBe(403);
  expect(res.body.error).toBe('invalid_token');
  expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
}

function parts(jwt: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  return [header, payload, signature];
}

function hmacToken(alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer): string {
  const input = `${b64json({ alg, kid: real.kid, typ: 'at+jwt' })}.${b64json(claimsAt())}`;
  const digest = createHmac(`sha${alg.slice(2)}`, secret)
    .update(input)
    .digest();
  return `${input}.${base64url.encode(digest)}`;
}

function editClaims(jwt: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = parts(jwt);
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as object;
  return `${header}.${b64json({ ...claims, ...changes })}.${signature}`;
}

function withHeader(jwt: string, header: Record<string, unknown>): string {
  const [, payload, signature] = parts(jwt);
  return `${b64json(header)}.${payload}.${signature}`;
}

beforeAll(async () => {
  [real, foreign] = await Promise.all([makeKey('real-kid'), makeKey('foreign-kid')]);
  T = token(real);
  const verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySource: createLocalJWKSet({ keys: [real.publicJwk] }),
    now: () => atT0(60),
  });
  app = await startApp(verifier);
  fetchTrap = await startJwksServer([foreign.publicJwk]);
});

afterAll(async () => {
  await app.close();
  await fetchTrap.close();
});

describe('forged tokens', () => {
  it('when the genuine token T is sent, it is accepted', async () => {
    const res = await app.get('/', `Bearer ${T}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 'user-1', email: 'a@example.test', verified: true });
  });

  describe('when alg is "none" in any letter case or missing', () => {
    const variants = ['none', 'None', 'NONE', 'nOnE'];
    it.each(variants)('when alg is "%s" without a signature, it is invalid_token', async (alg) => {
      await expectInvalid(`${b64json({ alg, kid: real.kid, typ: 'at+jwt' })}.${b64json(claimsAt())}.`);
    });
    it.each(variants)('when alg is "%s" with the original signature, it is invalid_token', async (alg) => {
      await expectInvalid(withHeader(T, { alg, kid: real.kid, typ: 'at+jwt' }));
    });
    it('when alg is missing, it is invalid_token', async () => {
      await expectInvalid(withHeader(T, { kid: real.kid, typ: 'at+jwt' }));
    });
    it('when alg is "none" with no signature segment at all, it is invalid_token', async () => {
      await expectInvalid(`${b64json({ alg: 'none', typ: 'at+jwt' })}.${b64json(claimsAt())}`);
    });
  });

  describe('when the signature is damaged', () => {
    const cases: [string, () => string][] = [
      ['empty', () => `${parts(T)[0]}.${parts(T)[1]}.`],
      ['zeroed', () => `${parts(T)[0]}.${parts(T)[1]}.${'A'.repeat(parts(T)[2].length)}`],
      ['truncated', () => T.slice(0, -12)],
      [
        'bit-flipped',
        () => {
          const signature = base64url.decode(parts(T)[2]);
          signature[10] = (signature[10] ?? 0) ^ 0x01;
          return `${parts(T)[0]}.${parts(T)[1]}.${base64url.encode(signature)}`;
        },
      ],
      [
        'transplanted from another token',
        () => `${parts(T)[0]}.${parts(T)[1]}.${parts(token(real, { claims: { sub: 'user-2' } }))[2]}`,
      ],
    ];
    it.each(cases)('when it is %s, it is invalid_token', async (_name, forge) => {
      await expectInvalid(forge());
    });
  });

  describe('when claims are edited without re-signing', () => {
    const edits: Record<string, unknown>[] = [
      { sub: 'user-2' },
      { exp: T0 + 86_400 },
      { verified: false },
      { email: 'b@example.test' },
      { iat: T0 - 10 },
      { nbf: T0 - 10 },
    ];
    it.each(edits)('when the payload becomes %o, it is invalid_token', async (change) => {
      await expectInvalid(editClaims(T, change));
    });
  });

  it.each(['RS384', 'RS512', 'PS256', 'ES256'])(
    'when the header alg is switched to %s over the original signature, it is invalid_token',
    async (alg) => {
      await expectInvalid(withHeader(T, { alg, kid: real.kid, typ: 'at+jwt' }));
    },
  );

  describe('when HS256/384/512 tokens are keyed with the public key or a common secret', () => {
    const pem = (): string => real.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const secrets: [string, () => string | Buffer][] = [
      ['SPKI PEM with trailing newline', pem],
      ['SPKI PEM without trailing newline', () => pem().trimEnd()],
      ['SPKI PEM with CRLF', () => pem().replace(/\n/g, '\r\n')],
      ['PKCS#1 PEM', () => real.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
      ['SPKI DER', () => real.publicKey.export({ type: 'spki', format: 'der' })],
      ['PKCS#1 DER', () => real.publicKey.export({ type: 'pkcs1', format: 'der' })],
      ['the JWK JSON', () => JSON.stringify(real.publicJwk)],
      ['the modulus', () => String(real.publicJwk.n)],
      ['"secret"', () => 'secret'],
      ['an empty secret', () => ''],
      ['"your-256-bit-secret"', () => 'your-256-bit-secret'],
    ];
    for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
      it.each(secrets)(`when ${alg} is keyed with %s, it is invalid_token`, async (_name, secret) => {
        await expectInvalid(hmacToken(alg, secret()));
      });
    }
  });

  describe('when the token carries or points at its own key', () => {
    it('when a jwk header embeds the signing key under the real kid, it is invalid_token', async () => {
      await expectInvalid(token(foreign, { header: { kid: real.kid, jwk: foreign.publicJwk } }));
    });
    it('when a jwk header embeds the signing key without a kid, it is invalid_token', async () => {
      await expectInvalid(token(foreign, { header: { jwk: foreign.publicJwk }, omit: ['kid'] }));
    });
    it.each(['jku', 'x5u'])(
      'when a %s header names a key URL, it is invalid_token and never fetched',
      async (name) => {
        await expectInvalid(token(foreign, { header: { [name]: fetchTrap.url } }));
        await expectInvalid(token(foreign, { header: { kid: real.kid, [name]: fetchTrap.url } }));
        expect(fetchTrap.requests).toBe(0);
      },
    );
  });

  describe('when the token is signed by another RSA key', () => {
    it('when it uses the real kid, it is invalid_token', async () => {
      await expectInvalid(token(foreign, { header: { kid: real.kid } }));
    });
    it('when it uses an unknown kid, it is invalid_token', async () => {
      await expectInvalid(token(foreign));
    });
    it('when it has no kid, it is invalid_token', async () => {
      await expectInvalid(token(foreign, { omit: ['kid'] }));
    });
    it('when even the genuine key signs a token without a kid, it is invalid_token', async () => {
      await expectInvalid(token(real, { omit: ['kid'] }));
    });
  });

  describe('when a checked claim or header is wrong', () => {
    const wrong: [string, () => string][] = [
      ['iss is another issuer', () => token(real, { claims: { iss: 'http://evil.test' } })],
      ['aud is another audience', () => token(real, { claims: { aud: 'another-api' } })],
      ['typ is JWT', () => token(real, { header: { typ: 'JWT' } })],
      ['typ is missing', () => token(real, { omit: ['typ'] })],
      ['nbf is beyond the clock tolerance', () => token(real, { claims: { nbf: T0 + 600 } })],
      [
        'crit names an unknown header',
        () => token(real, { header: { crit: ['x-unknown'], 'x-unknown': 1 } }),
      ],
      ['verified is the string "true"', () => token(real, { claims: { verified: 'true' } })],
      ['sub is a number', () => token(real, { claims: { sub: 42 } })],
      ['email is empty', () => token(real, { claims: { email: '' } })],
      ['exp is a string', () => token(real, { claims: { exp: String(T0 + 900) } })],
    ];
    it.each(wrong)('when %s, it is invalid_token', async (_name, forge) => {
      await expectInvalid(forge());
    });
    it.each(['sub', 'email', 'verified', 'sid', 'iat', 'exp', 'jti', 'iss', 'aud'])(
      'when the required claim %s is missing, it is invalid_token',
      async (claim) => {
        await expectInvalid(token(real, { omit: [claim] }));
      },
    );
  });

  describe('when the value is malformed', () => {
    const malformed: [string, () => string | Promise<string>][] = [
      ['two segments', () => parts(T).slice(0, 2).join('.')],
      ['four segments', () => `${T}.${parts(T)[2]}`],
      ['a non-JSON header', () => `${base64url.encode('not json')}.${parts(T)[1]}.${parts(T)[2]}`],
      [
        'a non-JSON payload, genuinely signed',
        () => signRaw(real.privateKey, { alg: 'RS256', kid: real.kid, typ: 'at+jwt' }, 'not json'),
      ],
      [
        'a JSON array payload, genuinely signed',
        () => signRaw(real.privateKey, { alg: 'RS256', kid: real.kid, typ: 'at+jwt' }, [1]),
      ],
      ['not base64url', () => '!!!.@@@.###'],
      ['only dots', () => '..'],
      [
        'the JSON serialization',
        () => JSON.stringify({ protected: parts(T)[0], payload: parts(T)[1], signature: parts(T)[2] }),
      ],
      [
        'a JWE',
        () =>
          new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claimsAt())))
            .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: real.kid, typ: 'at+jwt' })
            .encrypt(real.publicKey),
      ],
      ['a huge value', () => `${T}${'A'.repeat(9000)}`],
      [
        'a huge claim, genuinely signed',
        () => token(real, { claims: { email: `${'a'.repeat(9000)}@example.test` } }),
      ],
      ['an opaque refresh token', () => randomBytes(32).toString('base64url')],
      ['T with base64 padding after its signature', () => `${T}==`],
      ['T with padding inside its payload', () => `${parts(T)[0]}.${parts(T)[1]}=.${parts(T)[2]}`],
      ['T with a standard-base64 character', () => `${T.slice(0, -1)}+`],
      ['T with a space inside', () => `${parts(T)[0]}. ${parts(T)[1]}.${parts(T)[2]}`],
      ['T with the unused low bits of its last character set', () => respellLastCharacter(T)],
      ['a signed session cookie value', () => `s%3A${randomBytes(24).toString('base64url')}.sig`],
    ];
    it.each(malformed)('when it is %s, it is invalid_token', async (_name, forge) => {
      await expectInvalid(await forge());
    });
  });
});

describe('the algorithm allow-list', () => {
  it('when the JWKS key announces no alg, tokens the real key signs with RS512 or PS256 are still invalid_token', async () => {
    // Our JWKS names each key's alg, which jose also matches; a JWKS that does not leaves the
    // allow-list (RS256) as the only guard.
    const { alg: _announced, ...unannounced } = real.publicJwk;
    const verifier = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keySource: createLocalJWKSet({ keys: [unannounced] }),
      now: () => atT0(60),
    });
    const lenient = await startApp(verifier);
    try {
      expect((await lenient.get('/', `Bearer ${T}`)).status).toBe(200);
      const signed = (alg: 'RS512' | 'PS256'): string => {
        const input = `${b64json({ alg, kid: real.kid, typ: 'at+jwt' })}.${b64json(claimsAt())}`;
        const signature =
          alg === 'PS256'
            ? rsaSign('sha256', Buffer.from(input), {
                key: real.privateKey,
                padding: constants.RSA_PKCS1_PSS_PADDING,
                saltLength: 32,
              })
            : rsaSign('sha512', Buffer.from(input), real.privateKey);
        return `${input}.${base64url.encode(signature)}`;
      };
      for (const alg of ['RS512', 'PS256'] as const) {
        const res = await lenient.get('/', `Bearer ${signed(alg)}`);
        expect(res.status).toBe(403);
        expect(res.body.error).toBe('invalid_token');
      }
    } finally {
      await lenient.close();
    }
  });
});

/**
 * The same signature bytes, spelt differently: a 256-byte RSA signature is 342 base64url characters
 * whose last one carries 4 unused bits; setting one gives another spelling of the same bytes.
 */
function respellLastCharacter(jwt: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = jwt.at(-1)!;
  return `${jwt.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]!}`;
}
