import { randomUUID } from 'node:crypto';
import { deleteKeys } from '@toypetme/http-kit';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  redis: Redis;
  /** A key prefix of this test run alone, e.g. `test:3f2…:`. */
  prefix: string;
  /** Deletes this prefix's keys (never FLUSHALL) and disconnects. */
  cleanup(): Promise<void>;
}

export async function testRedis(label = 'test'): Promise<TestRedis> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping(); // fail here, clearly, when no Redis runs
  const prefix = `${label}:${randomUUID()}:`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      await deleteKeys(redis, `${prefix}*`);
      redis.disconnect();
    },
  };
}
