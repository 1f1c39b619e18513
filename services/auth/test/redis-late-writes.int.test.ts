import { randomBytes } from 'node:crypto';
import { Redis as AdminRedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis, createLogger, createRedis, type RedisClient } from '@toypetme/http-kit';
import { startRedisProcess, type RestartableRedis } from '@toypetme/test-kit';
import { authKeys } from '../src/stores/keys.js';
import { RedisRefreshTokenStore } from '../src/stores/redis-refresh-token-store.js';

// A Redis of this file's own: it is made to hold back writes, which the shared one must never do.
const logger = createLogger({ name: 'late-writes-test', level: 'silent' });
const GRACE = 300;
const hash = () => randomBytes(32).toString('base64url');

let server: RestartableRedis;
let redis: RedisClient;
let store: RedisRefreshTokenStore;
beforeAll(async () => {
  server = await startRedisProcess();
  redis = createRedis({ target: { mode: 'standalone', url: server.url }, logger, commandTimeoutMs: 300 });
  await connectRedis(redis, logger);
  store = new RedisRefreshTokenStore(redis, authKeys('late:'));
});
afterAll(async () => {
  await closeRedis(redis);
  await server.close();
});

describe('a spend that reaches Redis after its caller gave up', () => {
  it('when Redis runs it only after the command timeout and the grace, it writes nothing and the retry rotates', async () => {
    const now = Date.now();
    const family = {
      id: randomBytes(16).toString('base64url'),
      userId: 'user-late',
      sessionHandle: 'session-late',
      userAgent: 'test',
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 60_000,
    };
    const first = hash();
    expect(await store.createFamily(family, first)).toBe(true);
    const spendOf = (at: number) => ({
      familyId: family.id,
      tokenHash: first,
      successorHash: hash(),
      sealedPair: 'sealed',
      now: at,
      graceMs: GRACE,
    });
    const admin = new AdminRedis(server.url);
    await admin.call('CLIENT', 'PAUSE', '1000', 'WRITE');
    admin.disconnect();
    await expect(store.spend(spendOf(Date.now()))).rejects.toThrow(/timed out/i);
    // Once the pause is over Redis runs the held-back spend; a PING behind it waits for that.
    await expect.poll(() => redis.ping().catch(() => 'down'), { timeout: 3000 }).toBe('PONG');
    expect(await store.spend(spendOf(Date.now()))).toEqual({ kind: 'rotated' });
  });
});
