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
}

const MIN_SECRET_LENGTH = 32;
/** Verifiers accept this much clock skew (CONTRACT: 30 s by default). */
const CLOCK_SKEW_MS = 30_000;

/** When managed keys rotate; a retired key stays published until every token it signed expired. */
export function rotationPolicy(config: AuthConfig): RotationPolicy {
  return {
    alg: config.signingAlg,
    rotationPeriodMs: config.keyRotationMs,
    propagationMs: config.keyPropagationMs,
    retireAfterMs: config.accessTokenTtlSec * 1000 + CLOCK_SKEW_MS,
  };
}

function checkProduction(reader: EnvReader, config: AuthConfig): void {
  if (!config.production) return;
  if (config.sessionKeys === undefined) reader.problem('SESSION_KEYS is required in production');
  else if (config.sessionKeys.some((key) => key.length < MIN_SECRET_LENGTH)) {
    reader.problem(`SESSION_KEYS: every key must be at least ${MIN_SECRET_LENGTH} characters in production`);
  }
  if (config.jwtSecret === undefined) reader.problem('JWT_SECRET is required in production');
  else if (config.jwtSecret.length < MIN_SECRET_LENGTH) {
    reader.problem(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters in production`);
  }
  if (config.redis === undefined) {
    reader.problem(`Redis is required in production (set ${REDIS_TOPOLOGY_VARS}; no memory store)`);
  }
  if (!config.issuer.startsWith('https://')) reader.problem('JWT_ISSUER must be an https URL in production');
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
    keyRotationMs: reader.ms('JWT_KEY_ROTATION', '7d', { min: 60_000 }),
    keyPropagationMs: reader.ms('JWT_KEY_PROPAGATION', '15m', { min: 1_000 }),
  };
  // RFC 6265 cookie-name token characters; anything else would make every login fail.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(config.sessionCookieName)) {
    reader.problem("SESSION_COOKIE_NAME may hold only letters, digits and !#$%&'*+-.^_`|~");
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
  checkProduction(reader, config);
  reader.done();
  return Object.freeze(config);
}
