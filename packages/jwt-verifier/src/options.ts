import { ConfigError, type Logger } from '@toypetme/http-kit';
import type { JWTVerifyGetKey } from 'jose';

/** Only asymmetric signatures: a verifier that accepts HS* can be fed tokens keyed with its public key. */
const ASYMMETRIC_ALG = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

export interface JwtVerifierOptions {
  /** Expected `iss` claim. */
  issuer: string;
  /** Expected `aud` claim. */
  audience: string;
  /** Where the issuer publishes its public keys. Give this or `keySource`, not both. */
  jwksUrl?: string | URL;
  /** A jose key source used instead of `jwksUrl` (tests, or keys already in memory). */
  keySource?: JWTVerifyGetKey;
  /** Accepted `alg` values; asymmetric only. Default `['RS256']`. */
  algorithms?: readonly string[];
  /** Required `typ` header. Default `'at+jwt'`. */
  typ?: string;
  /** Allowed clock skew for `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** The clock tokens are checked against. Default: the system clock. */
  now?: () => Date;
  /** Least time between two JWKS fetches caused by unknown `kid`s, in ms. Default 30000. */
  cooldownMs?: number;
  /** Bound on one JWKS fetch, in ms. Default 5000. */
  timeoutMs?: number;
  /** Age after which cached keys are refreshed in the background, in ms. Default 600000. */
  cacheMaxAgeMs?: number;
  /** Receives JWKS fetch failures and rejected tokens (at debug level). */
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

export interface CheckedOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: URL | undefined;
  readonly keySource: JWTVerifyGetKey | undefined;
  readonly algorithms: readonly string[];
  readonly typ: string;
  readonly clockToleranceSec: number;
  readonly now: () => Date;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
  readonly cacheMaxAgeMs: number;
  readonly logger: Pick<Logger, 'warn' | 'debug'> | undefined;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function checkNumber(problems: string[], name: string, value: number, integer = false): void {
  const valid = Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value));
  if (!valid) problems.push(`${name} must be a non-negative ${integer ? 'integer' : 'number'}`);
}

function checkKeySource(problems: string[], options: JwtVerifierOptions): URL | undefined {
  const { jwksUrl, keySource } = options;
  if ((jwksUrl === undefined) === (keySource === undefined)) {
    problems.push('give exactly one of jwksUrl and keySource');
  }
  if (jwksUrl === undefined) return undefined;
  const url = URL.canParse(String(jwksUrl)) ? new URL(String(jwksUrl)) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push(`jwksUrl must be an absolute http(s) URL (got "${String(jwksUrl)}")`);
  }
  return url;
}

function checkTimings(problems: string[], options: JwtVerifierOptions) {
  const timings = {
    clockToleranceSec: options.clockToleranceSec ?? 30,
    cooldownMs: options.cooldownMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 5_000,
    cacheMaxAgeMs: options.cacheMaxAgeMs ?? 600_000,
  };
  checkNumber(problems, 'clockToleranceSec', timings.clockToleranceSec);
  checkNumber(problems, 'cooldownMs', timings.cooldownMs);
  checkNumber(problems, 'timeoutMs', timings.timeoutMs, true);
  checkNumber(problems, 'cacheMaxAgeMs', timings.cacheMaxAgeMs);
  return timings;
}

/** Applies defaults and rejects every unsafe or malformed option at once (ConfigError). */
export function checkOptions(options: JwtVerifierOptions): CheckedOptions {
  const problems: string[] = [];
  if (!nonEmpty(options.issuer)) problems.push('issuer must be a non-empty string');
  if (!nonEmpty(options.audience)) problems.push('audience must be a non-empty string');
  const jwksUrl = checkKeySource(problems, options);
  const algorithms = [...(options.algorithms ?? ['RS256'])];
  if (algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC_ALG.test(alg))) {
    problems.push(`algorithms must be asymmetric signature algorithms (got ${JSON.stringify(algorithms)})`);
  }
  const typ = options.typ ?? 'at+jwt';
  if (!nonEmpty(typ)) problems.push('typ must be a non-empty string');
  const checked = checkTimings(problems, options);
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `jwt-verifier: ${problem}`));
  return Object.freeze({
    ...checked,
    issuer: options.issuer,
    audience: options.audience,
    jwksUrl,
    keySource: options.keySource,
    algorithms: Object.freeze(algorithms),
    typ,
    now: options.now ?? (() => new Date()),
    logger: options.logger,
  });
}
