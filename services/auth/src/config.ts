import {
  EnvReader,
  readCommon,
  readRedisSettings,
  REDIS_TOPOLOGY_VARS,
  type CommonConfig,
  type Env,
  type RedisTarget,
} from '@toypetme/http-kit';
import { SIGNING_ALG, SIGNING_ALGS, type SigningAlg } from './domain/signing-key.js';
import { rotationPolicyProblems, type RotationPolicy } from './keys/rotation.js';
import type { HashingLimits } from './domain/password-hasher.js';
import type { ThrottlePolicies } from './throttle/throttles.js';

export interface AuthConfig extends CommonConfig {
  /** REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS; unset: in-memory stores (development only). */
  readonly redis: RedisTarget | undefined;
  /** `${REDIS_KEY_PREFIX}auth:` */
  readonly redisKeyPrefix: string;
  /** koa-session signing keys, newest first. Unset outside production: generated into dataDir. */
  readonly sessionKeys: readonly string[] | undefined;
  readonly sessionCookieName: string;
  readonly sessionMaxAgeSec: number;
  readonly issuer: string;
  readonly audience: string;
  /** JWT_EXPIRATION: access-token lifetime. */
  readonly accessTokenTtlSec: number;
  /** JWT_REFRESH_EXPIRATION: a token family's absolute lifetime, counted from its start. */
  readonly refreshTokenTtlSec: number;
  /** JWT_REFRESH_REUSE_GRACE: replaying a just-spent token returns the same pair; 0 = strict. */
  readonly refreshReuseGraceMs: number;
  /** Signs with this one key, never rotating (JWT_PRIVATE_KEY[_FILE]); else keys are managed. */
  readonly privateKeyPem: string | undefined;
  readonly privateKeyFile: string | undefined;
  /** Local, git-ignored folder for development secrets (generated key, session keys). */
  readonly dataDir: string;
  readonly jwksMaxAgeSec: number;
  /** JWT_SECRET: seals managed private keys at rest. Unset outside production: generated. */
  readonly jwtSecret: string | undefined;
  /** JWT_SECRET_PREVIOUS: the secret before a change; keys sealed with it are re-sealed at start. */
  readonly jwtSecretPrevious: string | undefined;
  /** JWT_ALG: the algorithm of managed keys. */
  readonly signingAlg: SigningAlg;
  /** JWT_KEY_ROTATION: how long a managed key signs before the next one takes over. */
  readonly keyRotationMs: number;
  /** JWT_KEY_PROPAGATION: how long a new key is published before it signs. */
  readonly keyPropagationMs: number;
  /**
   * JWT_CLOCK_TOLERANCE: the skew verifiers allow on `exp` (the same variable as pets'); a retired
   * key stays published for the token lifetime plus this.
   */
  readonly clockToleranceSec: number;
  /** Attempt limits: LOGIN_MAX_PER_ACCOUNT, LOGIN_ACCOUNT_WINDOW and the like. */
  readonly throttle: ThrottlePolicies;
  /** HASH_CONCURRENCY and HASH_QUEUE_MAX: password hashes at once, and waiting. */
  readonly hashing: HashingLimits;
}

const MIN_SECRET_LENGTH = 32;
const MIN_DISTINCT_CHARACTERS = 8;

/** When managed keys rotate; a retired key stays published until every token it signed expired. */
export function rotationPolicy(config: AuthConfig): RotationPolicy {
  return {
    alg: config.signingAlg,
    rotationPeriodMs: config.keyRotationMs,
    propagationMs: config.keyPropagationMs,
    retireAfterMs: (config.accessTokenTtlSec + config.clockToleranceSec) * 1000,
  };
}

/**
 * Whether the text is mostly one short piece over and over (`changeme-changeme-…!`,
 * `12345678…`): a random secret has (nearly) every run of 4 characters once; a repeated piece
 * has the same few runs again and again.
 */
function repeats(value: string): boolean {
  const runs = new Set<string>();
  for (let at = 0; at + 4 <= value.length; at += 1) runs.add(value.slice(at, at + 4));
  return runs.size < 0.75 * (value.length - 3);
}

/**
 * A secret shorter than 32 characters, made of fewer than 8 different characters (`aaaa…`), or
 * one short piece repeated (`changeme-changeme-…`) is a placeholder, not a secret.
 */
function weakSecret(name: string, value: string): string | undefined {
  if (value.length < MIN_SECRET_LENGTH) {
    return `${name} must be at least ${MIN_SECRET_LENGTH} characters in production`;
  }
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    return `${name} looks like a placeholder (fewer than ${MIN_DISTINCT_CHARACTERS} different characters): use random bytes, e.g. openssl rand -base64 48`;
  }
  if (repeats(value)) {
    return `${name} looks like a placeholder (one short piece repeated): use random bytes, e.g. openssl rand -base64 48`;
  }
  return undefined;
}

/** Production refuses every problem at once (issue 5 point 8): weak secrets, no Redis, http issuer. */
function checkProduction(reader: EnvReader, config: AuthConfig): void {
  if (!config.production) return;
  const { sessionKeys = [], jwtSecret } = config;
  const problems = sessionKeys.map((key, index) => weakSecret(`SESSION_KEYS (key ${index + 1})`, key));
  if (sessionKeys.length === 0) problems.push('SESSION_KEYS is required in production');
  problems.push(
    jwtSecret === undefined ? 'JWT_SECRET is required in production' : weakSecret('JWT_SECRET', jwtSecret),
  );
  if (jwtSecret !== undefined && sessionKeys.includes(jwtSecret)) {
    problems.push('JWT_SECRET must differ from every SESSION_KEYS key');
  }
  if (config.redis === undefined) {
    problems.push(`Redis is required in production (set ${REDIS_TOPOLOGY_VARS}; no memory store)`);
  }
  if (!config.issuer.startsWith('https://')) problems.push('JWT_ISSUER must be an https URL in production');
  for (const problem of problems) if (problem !== undefined) reader.problem(problem);
}

/** `<MAX>` attempts per `<WINDOW>`; both at least 1. */
function readThrottle(reader: EnvReader): ThrottlePolicies {
  const policy = (maxVar: string, max: number, windowVar: string, window: string) =>
    Object.freeze({
      max: reader.int(maxVar, max, { min: 1 }),
      windowSec: reader.seconds(windowVar, window, { min: 1 }),
    });
  return Object.freeze({
    loginPerAccount: policy('LOGIN_MAX_PER_ACCOUNT', 10, 'LOGIN_ACCOUNT_WINDOW', '15m'),
    loginPerAddress: policy('LOGIN_MAX_PER_IP', 100, 'LOGIN_IP_WINDOW', '15m'),
    registerPerAddress: policy('REGISTER_MAX_PER_IP', 20, 'REGISTER_IP_WINDOW', '1h'),
    refreshPerAddress: policy('REFRESH_MAX_PER_IP', 300, 'REFRESH_IP_WINDOW', '1m'),
    tokensPerUser: policy('TOKEN_MAX_PER_USER', 60, 'TOKEN_USER_WINDOW', '15m'),
  });
}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): AuthConfig {
  const reader = new EnvReader(env);
  const { redis, redisKeyPrefix } = readRedisSettings(reader);
  const config: AuthConfig = {
    ...readCommon(reader, 4001, 'AUTH_PORT'),
    redis,
    redisKeyPrefix: `${redisKeyPrefix}auth:`,
    sessionKeys: reader.raw('SESSION_KEYS') === undefined ? undefined : reader.list('SESSION_KEYS'),
    sessionCookieName: reader.string('SESSION_COOKIE_NAME', 'tpm.sid'),
    sessionMaxAgeSec: reader.seconds('SESSION_MAX_AGE', '1d', { min: 60 }),
    issuer: reader.url('JWT_ISSUER', 'http://127.0.0.1:8080') ?? 'http://127.0.0.1:8080',
    audience: reader.string('JWT_AUDIENCE', 'toypetme-api'),
    accessTokenTtlSec: reader.seconds('JWT_EXPIRATION', '15m', { min: 1 }),
    refreshTokenTtlSec: reader.seconds('JWT_REFRESH_EXPIRATION', '7d', { min: 1 }),
    refreshReuseGraceMs: reader.ms('JWT_REFRESH_REUSE_GRACE', '10s'),
    privateKeyPem: reader.raw('JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n'),
    privateKeyFile: reader.raw('JWT_PRIVATE_KEY_FILE'),
    dataDir: reader.string('DATA_DIR', '.data'),
    jwksMaxAgeSec: reader.seconds('JWKS_MAX_AGE', '5m', { min: 0 }),
    jwtSecret: reader.raw('JWT_SECRET'),
    jwtSecretPrevious: reader.raw('JWT_SECRET_PREVIOUS'),
    signingAlg: reader.oneOf('JWT_ALG', SIGNING_ALGS, SIGNING_ALG),
    keyRotationMs: reader.ms('JWT_KEY_ROTATION', '7d', { min: 2_000 }),
    keyPropagationMs: reader.ms('JWT_KEY_PROPAGATION', '15m', { min: 1_000 }),
    clockToleranceSec: reader.seconds('JWT_CLOCK_TOLERANCE', '30s'),
    throttle: readThrottle(reader),
    hashing: Object.freeze({
      concurrency: reader.int('HASH_CONCURRENCY', 4, { min: 1 }),
      maxQueued: reader.int('HASH_QUEUE_MAX', 64, { min: 0 }),
    }),
  };
  // RFC 6265 cookie-name token characters; anything else would make every login fail.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(config.sessionCookieName)) {
    reader.problem("SESSION_COOKIE_NAME may hold only letters, digits and !#$%&'*+-.^_`|~");
  }
  if (config.sessionKeys?.length === 0) reader.problem('SESSION_KEYS is set but lists no key');
  if (config.jwtSecretPrevious !== undefined && config.jwtSecretPrevious === config.jwtSecret) {
    reader.problem('JWT_SECRET_PREVIOUS equals JWT_SECRET: set it to the old secret, or unset it');
  }
  if (config.privateKeyPem !== undefined && config.privateKeyFile !== undefined) {
    reader.problem('set only one of JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE');
  }
  // A grace is for lost responses and parallel calls: minutes at most, never a family's lifetime.
  if (
    config.refreshReuseGraceMs > 300_000 ||
    config.refreshReuseGraceMs >= config.refreshTokenTtlSec * 1000
  ) {
    reader.problem('JWT_REFRESH_REUSE_GRACE must be at most 5m and shorter than JWT_REFRESH_EXPIRATION');
  }
  for (const problem of rotationPolicyProblems(rotationPolicy(config))) {
    reader.problem(`JWT_KEY_ROTATION / JWT_KEY_PROPAGATION: ${problem}`);
  }
  // A verifier may hold a JWKS for its whole max-age: a key published for less than that could
  // sign tokens before every verifier has seen it.
  if (config.keyPropagationMs <= config.jwksMaxAgeSec * 1000) {
    reader.problem(
      'JWT_KEY_PROPAGATION must be longer than JWKS_MAX_AGE (verifiers cache the JWKS that long)',
    );
  }
  checkProduction(reader, config);
  reader.done();
  return Object.freeze(config);
}
