import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose';
import type { CheckedOptions } from './options.js';

/**
 * The keys could not be obtained: JWKS unreachable, too slow, not JSON, or malformed. A named
 * outcome (503 service_unavailable), never `invalid_token`: the token may well be genuine
 * (CONTRACT "Failure and abuse").
 */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The signing keys could not be fetched.', { cause });
    this.name = 'JwksUnavailableError';
  }
}

/** Failures that say something about the token, not about the key set. */
const TOKEN_FAULTS = new Set([
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
]);

export interface KeySource {
  getKey: JWTVerifyGetKey;
  /** Resolves when usable keys are at hand, fetching them if needed; rejects otherwise. */
  ready(): Promise<void>;
}

function isTokenFault(err: unknown): boolean {
  return err instanceof errors.JOSEError && TOKEN_FAULTS.has(err.code);
}

/**
 * Every token names its key: the issuer always sets `kid`, and a token without one must not make
 * us try whichever key happens to be in the set.
 */
function guarded(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new errors.JWSInvalid('the token names no "kid"');
    }
    try {
      return await getKey(header, token);
    } catch (err) {
      throw isTokenFault(err) ? err : new JwksUnavailableError(err);
    }
  };
}

export function staticKeySource(getKey: JWTVerifyGetKey): KeySource {
  return { getKey: guarded(getKey), ready: () => Promise.resolve() };
}

/**
 * The `max-age` of a `Cache-Control` header in ms, if it has one; `no-cache`/`no-store` count as 0.
 * The issuer bounds it by its next key change, so honouring it is what makes a key published
 * ahead of its use reach this verifier in time.
 */
export function cacheControlMaxAgeMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const directives = header
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.includes('no-cache') || directives.includes('no-store')) return 0;
  const maxAge = directives.map((part) => /^max-age="?(\d{1,10})"?$/.exec(part)).find((m) => m !== null);
  return maxAge?.[1] === undefined ? undefined : Number(maxAge[1]) * 1000;
}

/**
 * jose's remote set, used as a cache only: its own age-based reload and its unknown-kid refetch
 * are turned off (both measure from the last *successful* fetch, so while the JWKS is down every
 * unknown kid would cost a fetch, and an age reload would fail tokens whose key is cached).
 * Instead:
 * - keys are stale after the response's `max-age`, bounded by `cacheMaxAgeMs`; stale keys keep
 *   verifying while one background refresh runs (CONTRACT: "tokens whose key is cached still
 *   verify");
 * - a kid the cache does not hold triggers a refetch only if no fetch was *attempted* within
 *   `cooldownMs`: that is the negative cache that keeps an attacker's random kids, or a JWKS
 *   outage, from turning into one fetch per request.
 */
/** The least time between two refreshes of a stale cache that keeps answering. */
const MIN_REFRESH_MS = 1000;
/** With no key cached, the least time between two fetches after one failed. */
const COLD_RETRY_MS = 1000;

export function remoteKeySource(url: URL, options: CheckedOptions): KeySource {
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let maxAgeMs = options.cacheMaxAgeMs;
  const fetchJwks: FetchImplementation = async (resource, init) => {
    const response = await fetch(resource, init);
    const advertised = cacheControlMaxAgeMs(response.headers.get('cache-control'));
    if (response.ok) maxAgeMs = Math.min(options.cacheMaxAgeMs, advertised ?? Number.POSITIVE_INFINITY);
    return response;
  };
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: Infinity,
    timeoutDuration: options.timeoutMs,
    cacheMaxAge: Infinity,
    [customFetch]: fetchJwks,
  });
  let inFlight: Promise<void> | undefined;
  let lastFailed = false;
  let warnedAlgs = '';
  // A key set none of whose keys this verifier may use refuses every token with a bare 403: say
  // so in the log once (e.g. auth's JWT_ALG=ES256 while pets allows only RS256).
  const checkAlgorithms = (): void => {
    const announced = [...new Set((remote.jwks()?.keys ?? []).map((jwk) => jwk.alg ?? '?'))].sort().join(',');
    if (announced === '' || announced === warnedAlgs) return;
    if (!announced.split(',').some((alg) => options.algorithms.includes(alg))) {
      warnedAlgs = announced;
      options.logger?.warn(
        { announced, allowed: options.algorithms.join(',') },
        'no JWKS key uses an allowed algorithm: every token will be refused',
      );
    }
  };
  const reload = (): Promise<void> => {
    attemptedAt = Date.now();
    const current = remote.reload().then(
      () => {
        fetchedAt = Date.now();
        lastFailed = false;
        checkAlgorithms();
      },
      (err: unknown) => {
        lastFailed = true;
        throw err;
      },
    );
    inFlight = current;
    current
      .finally(() => {
        if (inFlight === current) inFlight = undefined;
      })
      .catch(() => undefined);
    return current;
  };
  const coolingDown = (): boolean => Date.now() - attemptedAt < options.cooldownMs;
  const loaded = (): boolean => remote.jwks() !== undefined;
  const stale = (): boolean => Date.now() - fetchedAt > maxAgeMs;
  // A stale cache is refreshed as soon as its max-age says (at most once a second), so a key the
  // issuer published one max-age ahead is here in time whatever the cooldown; only after a
  // failed fetch does the cooldown hold the next attempt back.
  const refreshInBackground = (): void => {
    const wait = lastFailed ? options.cooldownMs : Math.min(MIN_REFRESH_MS, options.cooldownMs);
    if (inFlight !== undefined || Date.now() - attemptedAt < wait) return;
    reload().catch((err: unknown) =>
      options.logger?.warn({ err: String(err) }, 'JWKS refresh failed; still using the cached keys'),
    );
  };

  // No key at all and fetching has been failing: while any fetch is under way (a request's
  // retry, a readiness probe's), and for a second after a request's own fetch failed, every other
  // request gets its 503 at once, not one fetch and one timeout each. The first fetch, and the
  // first request after a failed start-up prefetch, are still waited for.
  let coldFailedAt = Number.NEGATIVE_INFINITY;
  const fetchCold = async (): Promise<void> => {
    if (inFlight !== undefined) {
      if (lastFailed) throw new Error('no signing keys: the JWKS is being fetched again after a failure');
      return inFlight;
    }
    if (Date.now() - coldFailedAt < Math.min(COLD_RETRY_MS, options.cooldownMs)) {
      throw new Error('no signing keys: the JWKS fetch failed moments ago');
    }
    return reload().catch((err: unknown) => {
      coldFailedAt = Date.now();
      throw err;
    });
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!loaded()) await fetchCold();
    else if (stale()) refreshInBackground();
    try {
      return await remote(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      // A refresh already under way (e.g. the stale-cache one) may bring the key: wait for it
      // rather than refusing the token because that refresh counts as this cooldown's fetch.
      if (inFlight !== undefined) await inFlight.catch(() => undefined);
      else if (coolingDown()) throw err;
      else await reload();
      return remote(header, token);
    }
  };
  return {
    getKey: guarded(getKey),
    ready: async () => {
      if (!loaded() || stale()) await reload();
    },
  };
}
