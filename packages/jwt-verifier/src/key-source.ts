import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
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
 * jose's remote set, with its own age-based reload turned off (`cacheMaxAge: Infinity`): jose
 * would await that reload on the request path, so an unreachable JWKS would fail tokens whose
 * key is cached. Instead, stale keys keep verifying while one background refresh runs
 * (CONTRACT: "tokens whose key is cached still verify"). Unknown `kid`s still trigger jose's
 * refetch, at most once per cooldown.
 */
export function remoteKeySource(url: URL, options: CheckedOptions): KeySource {
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs,
    timeoutDuration: options.timeoutMs,
    cacheMaxAge: Infinity,
  });
  // Last successful fetch and last background attempt; jose's own unknown-kid refetches are not
  // seen here, which at worst makes one background refresh come early.
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let triedAt = Number.NEGATIVE_INFINITY;
  const refresh = async (): Promise<void> => {
    await remote.reload();
    fetchedAt = Date.now();
  };
  const loaded = (): boolean => fetchedAt !== Number.NEGATIVE_INFINITY;
  const stale = (): boolean => Date.now() - fetchedAt > options.cacheMaxAgeMs;
  // While the JWKS is down, stale keys would otherwise cost one failing fetch per request.
  const refreshInBackground = (): void => {
    if (Date.now() - triedAt < options.cooldownMs) return;
    triedAt = Date.now();
    refresh().catch((err: unknown) =>
      options.logger?.warn({ err: String(err) }, 'JWKS refresh failed; still using the cached keys'),
    );
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!loaded()) await refresh();
    else if (stale()) refreshInBackground();
    return remote(header, token);
  };
  return {
    getKey: guarded(getKey),
    ready: async () => {
      if (!loaded() || stale()) await refresh();
    },
  };
}
