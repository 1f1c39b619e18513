import { describe, expect, it } from 'vitest';
import { freeLoopbackPort, startRedisProcess } from '@toypetme/test-kit';
import { closeRedis, connectRedis, createLogger, createRedis, waitForRedis } from '../src/index.js';

const logger = createLogger({ name: 'redis-start-test', level: 'silent' });

describe('a part that cannot start without Redis (waitForRedis)', () => {
  it('when nothing answers at the address, it fails after the bound naming the target and the real cause', async () => {
    const port = await freeLoopbackPort();
    const url = `redis://127.0.0.1:${port}`;
    const redis = createRedis({ target: { mode: 'standalone', url }, logger });
    try {
      await connectRedis(redis, logger);
      await expect(waitForRedis(redis, url, logger, 600)).rejects.toThrow(
        new RegExp(`^Redis at ${url} did not answer within 0.6 s \\(.*ECONNREFUSED.*\\)$`),
      );
    } finally {
      await closeRedis(redis);
    }
  });

  it('when Redis comes up while it waits, it resolves and commands work', async () => {
    const server = await startRedisProcess();
    await server.stop();
    const redis = createRedis({ target: { mode: 'standalone', url: server.url }, logger });
    try {
      await connectRedis(redis, logger);
      const waiting = waitForRedis(redis, server.url, logger, 20_000);
      await server.start();
      await waiting;
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await closeRedis(redis);
      await server.close();
    }
  });
});
