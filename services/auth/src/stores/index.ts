import {
  closeRedis,
  connectRedis,
  waitForRedis,
  createRedis,
  describeRedisTarget,
  pingRedis,
  type Logger,
  type ReadinessChecks,
  type RedisClient,
  type RedisTarget,
} from '@toypetme/http-kit';
import { openThrottles, type ThrottlePolicies, type Throttles } from '../throttle/throttles.js';
import { authKeys } from './keys.js';
import { MemoryRefreshTokenStore } from './memory-refresh-token-store.js';
import { MemorySessionStore } from './memory-session-store.js';
import { MemoryUserStore } from './memory-user-store.js';
import { RedisRefreshTokenStore } from './redis-refresh-token-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import type { RefreshTokenStore } from './refresh-token-store.js';
import { RedisUserStore } from './redis-user-store.js';
import type { SessionStore } from './session-store.js';
import type { UserStore } from './user-store.js';

export interface AuthStores {
  users: UserStore;
  sessions: SessionStore;
  families: RefreshTokenStore;
  throttles: Throttles;
  readiness: ReadinessChecks;
  /** The client, for the signing-key store; undefined in memory mode. */
  redis: RedisClient | undefined;
  close(): Promise<void>;
}

/** Redis when one is configured; else memory, loudly, since data then dies with the process. */
/** How long auth waits at start for a Redis that does not answer yet. */
const REDIS_START_WAIT_MS = 30_000;

export async function openStores(
  target: RedisTarget | undefined,
  keyPrefix: string,
  logger: Logger,
  throttle: ThrottlePolicies,
): Promise<AuthStores> {
  if (target === undefined) {
    logger.warn(
      'No Redis is configured: users, sessions and tokens live in memory and vanish when this process stops',
    );
    return {
      users: new MemoryUserStore(),
      sessions: new MemorySessionStore(),
      families: new MemoryRefreshTokenStore(),
      throttles: openThrottles(throttle),
      readiness: {},
      redis: undefined,
      close: () => Promise.resolve(),
    };
  }
  logger.info({ redis: describeRedisTarget(target) }, 'auth stores on redis');
  const redis = createRedis({ target, logger });
  await connectRedis(redis, logger);
  // The signing keys are read from Redis next: without it auth cannot start, so it waits a while
  // (a Redis still loading after a reboot) and then fails saying why.
  await waitForRedis(redis, describeRedisTarget(target), logger, REDIS_START_WAIT_MS);
  const keys = authKeys(keyPrefix);
  return {
    users: new RedisUserStore(redis, keys),
    sessions: new RedisSessionStore(redis, keys),
    families: new RedisRefreshTokenStore(redis, keys),
    throttles: openThrottles(throttle, { client: redis, keyPrefix: keys.throttle }),
    readiness: { redis: () => pingRedis(redis) },
    redis,
    close: () => closeRedis(redis),
  };
}
