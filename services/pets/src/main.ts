import {
  closeRedis,
  connectRedis,
  createLogger,
  createRedis,
  runMain,
  serveService,
  describeRedisTarget,
  type Logger,
  type RedisClient,
} from '@toypetme/http-kit';
import { createJwtVerifier } from '@toypetme/jwt-verifier';
import { createApp } from './app.js';
import { loadConfig, type PetsConfig } from './config.js';
import { migrateLegacyPetKeys } from './legacy-keys.js';
import { MemoryPetStore } from './memory-pet-store.js';
import type { PetStore } from './pet-store.js';
import { RedisPetStore } from './redis-pet-store.js';

async function openStore(
  config: PetsConfig,
  logger: Logger,
): Promise<{ store: PetStore; redis?: RedisClient }> {
  if (config.redis === undefined) {
    logger.warn('No Redis is configured: pets are kept in memory and lost on restart (development only)');
    return { store: new MemoryPetStore() };
  }
  logger.info({ redis: describeRedisTarget(config.redis) }, 'pets store on redis');
  const redis = createRedis({ target: config.redis, logger });
  await connectRedis(redis, logger);
  await migrateLegacyPetKeys(redis, `${config.redisKeyPrefix}pets:`, logger).catch((err: unknown) => {
    // Redis may be down at start (not fatal, see connectRedis): the next start moves them.
    logger.warn({ err: (err as Error).message }, 'pets of the old key layout not moved yet');
  });
  return { store: new RedisPetStore(redis, `${config.redisKeyPrefix}pets:`), redis };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'pets', level: config.logLevel, pretty: config.logPretty });
  const { store, redis } = await openStore(config, logger);
  const verifier = createJwtVerifier({
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    jwksUrl: config.jwt.jwksUrl,
    algorithms: config.jwt.algorithms,
    clockToleranceSec: config.jwt.clockToleranceSec,
    cooldownMs: config.jwt.jwksCooldownMs,
    timeoutMs: config.jwt.jwksTimeoutMs,
    logger,
  });
  await verifier.warm();
  const app = createApp({ logger, store, verifier, redis, trustedProxies: config.trustedProxies });
  const running = await serveService(app, config, logger, () =>
    redis === undefined ? Promise.resolve() : closeRedis(redis),
  );
  logger.info({ url: running.url, store: redis ? 'redis' : 'memory' }, `pets listening on ${running.url}`);
}

runMain('pets', main);
