import {
  EnvReader,
  readCommon,
  readRedisSettings,
  REDIS_TOPOLOGY_VARS,
  type CommonConfig,
  type Env,
  type RedisTarget,
} from '@toypetme/http-kit';

export interface JwtConfig {
  readonly jwksUrl: string;
  /** JWT_ALGORITHMS: what tokens may be signed with; each kid must also announce it in the JWKS. */
  readonly algorithms: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSec: number;
  readonly jwksCooldownMs: number;
  readonly jwksTimeoutMs: number;
}

export interface PetsConfig extends CommonConfig {
  /** REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS; unset: pets live in memory (development only). */
  readonly redis: RedisTarget | undefined;
  /** Shared prefix of the stack; pets keep their keys under `${redisKeyPrefix}pets:`. */
  readonly redisKeyPrefix: string;
  readonly jwt: JwtConfig;
}

const DEFAULT_JWKS_URL = 'http://127.0.0.1:4001/.well-known/jwks.json';

function readJwt(reader: EnvReader): JwtConfig {
  const jwksUrl = reader.url('JWKS_URL', DEFAULT_JWKS_URL) ?? DEFAULT_JWKS_URL;
  const algorithms = reader.list('JWT_ALGORITHMS', ['RS256']);
  if (algorithms.length === 0 || algorithms.some((alg) => !['RS256', 'ES256', 'EdDSA'].includes(alg))) {
    reader.problem(`JWT_ALGORITHMS must list RS256, ES256 or EdDSA (got "${algorithms.join(',')}")`);
  }
  return Object.freeze({
    jwksUrl,
    algorithms: Object.freeze(algorithms),
    issuer: reader.string('JWT_ISSUER', 'http://127.0.0.1:8080'),
    audience: reader.string('JWT_AUDIENCE', 'toypetme-api'),
    clockToleranceSec: reader.seconds('JWT_CLOCK_TOLERANCE', '30s'),
    jwksCooldownMs: reader.ms('JWKS_COOLDOWN', '30s'),
    jwksTimeoutMs: reader.ms('JWKS_TIMEOUT', '5s', { min: 1 }),
  });
}

/** Production refuses every problem at once (issue 5 point 8): a memory store, an http issuer. */
function checkProduction(reader: EnvReader, config: PetsConfig): void {
  if (config.redis === undefined) {
    reader.problem(
      `Redis is required when NODE_ENV=production (set ${REDIS_TOPOLOGY_VARS}; the in-memory store loses every pet on restart)`,
    );
  }
  if (!config.jwt.issuer.startsWith('https://')) {
    reader.problem('JWT_ISSUER must be an https URL in production (the same as the auth service)');
  }
}

/** Reads and checks every variable once; throws one ConfigError naming all bad ones. */
export function loadConfig(env: Env): PetsConfig {
  const reader = new EnvReader(env);
  const common = readCommon(reader, 4002, 'PETS_PORT');
  const { redis, redisKeyPrefix } = readRedisSettings(reader);
  const config: PetsConfig = {
    ...common,
    trustedProxies: Object.freeze([...common.trustedProxies]),
    redis,
    redisKeyPrefix,
    jwt: readJwt(reader),
  };
  if (config.production) checkProduction(reader, config);
  reader.done();
  return Object.freeze(config);
}
