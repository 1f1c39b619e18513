import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '../src/index.js';
import { cacheControlMaxAgeMs } from '../src/key-source.js';
import { atT0, AUDIENCE, claimsAt, ISSUER, makeKey, startApp, token, type TestKey } from './fixtures.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';

// Only Date is faked: jose measures cooldown and cache age with Date.now(), so the tests move
// that clock instead of sleeping. Sockets and timeouts keep real time.
let key: TestKey;
let attacker: TestKey;
let jwks: JwksServer;
const OK = { status: 200, code: 'ok' };
const INVALID = { status: 403, code: 'invalid_token' };
const UNAVAILABLE = { status: 503, code: 'service_unavailable' };

function remoteVerifier(options: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  return createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUrl: jwks.url,
    now: () => atT0(60),
    timeoutMs: 1000,
    ...options,
  });
}

function outcome(verifier: JwtVerifier, jwt: string) {
  return verifier.verify(jwt).then(
    () => OK,
    (err: { status: number; code: string }) => ({ status: err.status, code: err.code }),
  );
}

const advance = (ms: number): void => {
  vi.setSystemTime(Date.now() + ms);
};
const randomKidToken = (): string => token(attacker, { header: { kid: randomUUID() } });

beforeAll(async () => {
  [key, attacker] = await Promise.all([makeKey(), makeKey()]);
});

beforeEach(async () => {
  jwks = await startJwksServer([key.publicJwk]);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
});

afterEach(async () => {
  vi.useRealTimers();
  await jwks.close();
});

describe('remote JWKS: fetching and caching', () => {
  it('when the JWKS serves the key, genuine tokens verify with a single fetch', async () => {
    const verifier = remoteVerifier();
    for (let i = 0; i < 5; i += 1) expect(await outcome(verifier, token(key))).toEqual(OK);
    expect(jwks.requests).toBe(1);
  });

  it('when 20 requests hit a cold cache at once, the JWKS is fetched once', async () => {
    const verifier = remoteVerifier();
    const results = await Promise.all(Array.from({ length: 20 }, () => outcome(verifier, token(key))));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(jwks.requests).toBe(1);
  });

  it('when the JWKS is up, warm() prefetches so the first request fetches nothing more', async () => {
    const verifier = remoteVerifier();
    await verifier.warm();
    expect(jwks.requests).toBe(1);
    expect(await outcome(verifier, token(key))).toEqual(OK);
    expect(jwks.requests).toBe(1);
  });
});

describe('remote JWKS: unreachable or broken', () => {
  it('when the JWKS refuses connections and no key is cached, it is 503 service_unavailable', async () => {
    await jwks.close();
    expect(await outcome(remoteVerifier(), token(key))).toEqual(UNAVAILABLE);
  });

  it.each(['error', 'not-json', 'malformed'] as const)(
    'when the JWKS answers %s and no key is cached, it is 503 service_unavailable',
    async (mode) => {
      jwks.mode = mode;
      expect(await outcome(remoteVerifier(), token(key))).toEqual(UNAVAILABLE);
    },
  );

  it('when the JWKS hangs, it is 503 service_unavailable within the timeout', async () => {
    jwks.mode = 'hang';
    const started = performance.now();
    expect(await outcome(remoteVerifier({ timeoutMs: 200 }), token(key))).toEqual(UNAVAILABLE);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('when the JWKS is down, warm() resolves and ready() rejects', async () => {
    jwks.mode = 'error';
    const verifier = remoteVerifier();
    await expect(verifier.warm()).resolves.toBeUndefined();
    await expect(verifier.ready()).rejects.toThrow();
  });

  it('when the JWKS returns after an outage, a cold verifier recovers within a second without a restart', async () => {
    const verifier = remoteVerifier();
    jwks.mode = 'error';
    expect(await outcome(verifier, token(key))).toEqual(UNAVAILABLE);
    jwks.mode = 'ok';
    advance(1000);
    expect(await outcome(verifier, token(key))).toEqual(OK);
  });

  it('when the start-up prefetch failed, the first request still fetches the keys itself', async () => {
    const verifier = remoteVerifier();
    jwks.mode = 'error';
    await verifier.warm();
    jwks.mode = 'ok';
    expect(await outcome(verifier, token(key))).toEqual(OK);
    expect(jwks.requests).toBe(2);
  });

  it('when the JWKS keeps failing and no key is cached, requests within a second of the failed fetch get 503 at once and fetch nothing', async () => {
    const verifier = remoteVerifier();
    jwks.mode = 'error';
    expect(await outcome(verifier, token(key))).toEqual(UNAVAILABLE);
    expect(jwks.requests).toBe(1);
    for (let i = 0; i < 20; i += 1) expect(await outcome(verifier, token(key))).toEqual(UNAVAILABLE);
    expect(jwks.requests).toBe(1);
    advance(1000);
    expect(await outcome(verifier, token(key))).toEqual(UNAVAILABLE);
    expect(jwks.requests).toBe(2);
  });

  it('when a readiness probe re-fetches a failing JWKS that hangs, requests meanwhile get 503 at once instead of waiting on it', async () => {
    const verifier = remoteVerifier({ timeoutMs: 500 });
    jwks.mode = 'error';
    expect(await outcome(verifier, token(key))).toEqual(UNAVAILABLE);
    jwks.mode = 'hang';
    advance(1000);
    let probeAnswered = false;
    const probe = verifier.ready().then(
      () => (probeAnswered = true),
      () => (probeAnswered = true),
    );
    await vi.waitUntil(() => jwks.requests === 2, { timeout: 2000, interval: 5 });
    const requests = await Promise.all(Array.from({ length: 10 }, () => outcome(verifier, token(key))));
    expect(requests).toEqual(Array.from({ length: 10 }, () => UNAVAILABLE));
    expect(probeAnswered).toBe(false);
    await probe;
    expect(jwks.requests).toBe(2);
  });

  it('when a retry of a cold cache hangs, other requests meanwhile get 503 at once instead of waiting on it', async () => {
    const verifier = remoteVerifier({ timeoutMs: 500 });
    jwks.mode = 'error';
    expect(await outcome(verifier, token(key))).toEqual(UNAVAILABLE);
    jwks.mode = 'hang';
    advance(1000);
    let retryAnswered = false;
    const retry = outcome(verifier, token(key)).finally(() => (retryAnswered = true));
    await vi.waitUntil(() => jwks.requests === 2, { timeout: 2000, interval: 5 });
    const others = await Promise.all(Array.from({ length: 10 }, () => outcome(verifier, token(key))));
    expect(others).toEqual(Array.from({ length: 10 }, () => UNAVAILABLE));
    expect(retryAnswered).toBe(false);
    expect(await retry).toEqual(UNAVAILABLE);
    expect(jwks.requests).toBe(2);
  });

  it('when the JWKS goes down after keys are cached, genuine tokens still verify past the cache age', async () => {
    const verifier = remoteVerifier({ cacheMaxAgeMs: 60_000 });
    expect(await outcome(verifier, token(key))).toEqual(OK);
    jwks.mode = 'error';
    advance(10 * 60_000);
    for (let i = 0; i < 10; i += 1) expect(await outcome(verifier, token(key))).toEqual(OK);
    // One background refresh attempt per cooldown, not one per request.
    expect(jwks.requests).toBe(2);
  });

  it('when the middleware meets an unreachable JWKS, it answers 503 service_unavailable, not 403', async () => {
    jwks.mode = 'error';
    const app = await startApp(remoteVerifier());
    try {
      const res = await app.get('/', `Bearer ${token(key)}`);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('service_unavailable');
      expect(res.headers.get('www-authenticate')).toBeNull();
    } finally {
      await app.close();
    }
  });
});

describe('remote JWKS: unknown kid and rotation', () => {
  it('when unknown kids arrive right after a fetch, they are invalid_token with no refetch', async () => {
    const verifier = remoteVerifier();
    expect(await outcome(verifier, token(key))).toEqual(OK);
    for (let i = 0; i < 20; i += 1) expect(await outcome(verifier, randomKidToken())).toEqual(INVALID);
    expect(jwks.requests).toBe(1);
  });

  it('when 200 unknown kids arrive over two cooldowns, the JWKS is refetched at most once per cooldown', async () => {
    const verifier = remoteVerifier();
    expect(await outcome(verifier, token(key))).toEqual(OK);
    advance(31_000);
    const burst = await Promise.all(Array.from({ length: 100 }, () => outcome(verifier, randomKidToken())));
    expect(burst.every((result) => result.code === 'invalid_token' && result.status === 403)).toBe(true);
    expect(jwks.requests).toBe(2);
    expect(await outcome(verifier, token(key))).toEqual(OK);
    advance(31_000);
    for (let i = 0; i < 100; i += 1) expect(await outcome(verifier, randomKidToken())).toEqual(INVALID);
    expect(jwks.requests).toBe(3);
  });

  it('when the issuer adds a key, tokens with its kid verify once the cooldown allows a refetch', async () => {
    const verifier = remoteVerifier();
    expect(await outcome(verifier, token(key))).toEqual(OK);
    const rotated = await makeKey();
    jwks.keys = [key.publicJwk, rotated.publicJwk];
    advance(31_000);
    expect(await outcome(verifier, token(rotated))).toEqual(OK);
    expect(jwks.requests).toBe(2);
  });

  it('when 200 unknown kids arrive while the JWKS is down, at most one fetch is attempted per cooldown', async () => {
    const verifier = remoteVerifier();
    expect(await outcome(verifier, token(key))).toEqual(OK);
    jwks.mode = 'error';
    advance(31_000);
    for (let i = 0; i < 100; i += 1) {
      const result = await outcome(verifier, randomKidToken());
      expect([INVALID, UNAVAILABLE]).toContainEqual(result);
    }
    expect(jwks.requests).toBe(2);
    advance(31_000);
    for (let i = 0; i < 100; i += 1) await outcome(verifier, randomKidToken());
    expect(jwks.requests).toBe(3);
    // The known key kept verifying throughout.
    expect(await outcome(verifier, token(key))).toEqual(OK);
  });

  it('when the JWKS says max-age=60, a removed key stops verifying after 60 s, not after cacheMaxAgeMs', async () => {
    jwks.cacheControl = 'public, max-age=60';
    const verifier = remoteVerifier({ cacheMaxAgeMs: 3_600_000 });
    expect(await outcome(verifier, token(key))).toEqual(OK);
    jwks.keys = [];
    advance(30_000);
    expect(await outcome(verifier, token(key))).toEqual(OK);
    expect(jwks.requests).toBe(1);
    advance(31_000);
    await vi.waitFor(async () => expect(await outcome(verifier, token(key))).toEqual(INVALID));
    expect(jwks.requests).toBe(2);
  });

  it('when the JWKS says max-age=5 and the cooldown is 30 s, a key published since is learnt after 5 s', async () => {
    jwks.cacheControl = 'public, max-age=5';
    const verifier = remoteVerifier();
    expect(await outcome(verifier, token(key))).toEqual(OK);
    const next = await makeKey();
    jwks.keys = [key.publicJwk, next.publicJwk];
    advance(6_000);
    expect(await outcome(verifier, token(key))).toEqual(OK); // stale: refreshes in the background
    await vi.waitFor(() => expect(jwks.requests).toBe(2));
    advance(1_000);
    expect(await outcome(verifier, token(next))).toEqual(OK);
    expect(jwks.requests).toBe(2);
  });

  it('when the JWKS says max-age longer than cacheMaxAgeMs, cacheMaxAgeMs bounds it', async () => {
    jwks.cacheControl = 'max-age=86400';
    const verifier = remoteVerifier({ cacheMaxAgeMs: 60_000 });
    expect(await outcome(verifier, token(key))).toEqual(OK);
    const next = await makeKey();
    jwks.keys = [key.publicJwk, next.publicJwk];
    advance(61_000);
    expect(await outcome(verifier, token(key))).toEqual(OK); // stale: starts a background refresh
    await vi.waitFor(() => expect(jwks.requests).toBe(2));
    // The new key was learnt by the age refresh, so it needs no unknown-kid refetch.
    advance(1_000);
    await vi.waitFor(async () => expect(await outcome(verifier, token(next))).toEqual(OK));
    expect(jwks.requests).toBe(2);
  });

  it('when a new kid arrives just as the cache turns stale, it waits for the refresh under way and verifies', async () => {
    jwks.cacheControl = 'max-age=60';
    const verifier = remoteVerifier();
    expect(await outcome(verifier, token(key))).toEqual(OK);
    const next = await makeKey();
    jwks.keys = [key.publicJwk, next.publicJwk];
    advance(61_000);
    expect(await outcome(verifier, token(next))).toEqual(OK);
    expect(jwks.requests).toBe(2);
  });

  it('when the issuer removes a key, it stops verifying after the cache age', async () => {
    const verifier = remoteVerifier({ cacheMaxAgeMs: 60_000 });
    expect(await outcome(verifier, token(key))).toEqual(OK);
    jwks.keys = [];
    advance(61_000);
    await vi.waitFor(async () => expect(await outcome(verifier, token(key))).toEqual(INVALID));
  });
});

describe('Cache-Control max-age parsing', () => {
  it.each([
    [null, undefined],
    ['public, max-age=300', 300_000],
    ['max-age="120", must-revalidate', 120_000],
    ['Max-Age=5', 5_000],
    ['no-cache', 0],
    ['public, no-store', 0],
    ['public', undefined],
    ['max-age=-1', undefined],
    ['max-age=abc', undefined],
    ['s-maxage=100', undefined],
  ])('when the header is %j, the max-age is %j ms', (header, expected) => {
    expect(cacheControlMaxAgeMs(header)).toBe(expected);
  });
});

describe('remote JWKS: the algorithm each kid announces', () => {
  it('when a verifier allows RS256 and ES256, a token is accepted only with the alg its kid announces', async () => {
    const ec = await generateKeyPair('ES256', { extractable: true });
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-key', alg: 'ES256', use: 'sig' };
    jwks.keys = [key.publicJwk, ecJwk];
    const verifier = remoteVerifier({ algorithms: ['RS256', 'ES256'] });
    const ecToken = (kid: string) =>
      new SignJWT(claimsAt(60)).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(ec.privateKey);
    expect(await outcome(verifier, await ecToken('ec-key'))).toEqual(OK);
    expect(await outcome(verifier, token(key))).toEqual(OK);
    // ES256 under the RSA key's kid, and RS256 under the EC key's kid: no key matches.
    expect(await outcome(verifier, await ecToken(key.kid))).toEqual(INVALID);
    expect(await outcome(verifier, token(key, { header: { kid: 'ec-key' } }))).toEqual(INVALID);
  });

  it('when no JWKS key uses an allowed algorithm, the verifier says so in the log once, and tokens are invalid_token', async () => {
    const warnings: { fields: unknown; message: string }[] = [];
    const logger = {
      warn: (fields: unknown, message: string) => warnings.push({ fields, message }),
      debug: () => undefined,
    };
    const verifier = remoteVerifier({ algorithms: ['ES256'], logger: logger as never });
    await verifier.warm();
    expect(await outcome(verifier, token(key))).toEqual(INVALID);
    expect(warnings).toEqual([
      {
        fields: { announced: 'RS256', allowed: 'ES256' },
        message: 'no JWKS key uses an allowed algorithm: every token will be refused',
      },
    ]);
  });

  it('when a JWKS key uses an allowed algorithm, nothing is logged', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), debug: () => undefined };
    await remoteVerifier({ algorithms: ['RS256', 'ES256'], logger: logger }).warm();
    expect(warnings).toEqual([]);
  });
});
