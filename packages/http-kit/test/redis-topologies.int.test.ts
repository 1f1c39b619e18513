import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRedisCluster,
  startRedisSentinel,
  type TestRedisCluster,
  type TestRedisSentinel,
} from '@toypetme/test-kit';
import {
  closeRedis,
  connectRedis,
  createLogger,
  createRedis,
  dataNodes,
  deleteByPrefix,
  isStoreUnavailable,
  pingRedis,
  scanKeys,
  type RedisClient,
} from '../src/index.js';

const logger = createLogger({ name: 'topology-test', level: 'silent' });
const START_TIMEOUT = 60_000;

describe('when REDIS_CLUSTER_NODES points at a real Redis Cluster (3 masters, 3 replicas, a password)', () => {
  let cluster: TestRedisCluster;
  let redis: RedisClient;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1, password: 'cluster-secret' });
    redis = createRedis({
      target: { mode: 'cluster', nodes: cluster.nodes.slice(0, 1), password: 'cluster-secret' },
      logger,
    });
    await connectRedis(redis, logger);
  }, START_TIMEOUT);
  afterAll(async () => {
    await closeRedis(redis);
    await cluster.stop();
  });

  it('when the client starts from one seed, it finds every master and the cluster is ready', async () => {
    await pingRedis(redis);
    expect(dataNodes(redis)).toHaveLength(3);
  });

  it('when keys of many slots are written, scanKeys finds them on every master and deleteByPrefix removes them all', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `topo:${i}`);
    await Promise.all(keys.map((key) => redis.set(key, '1')));
    const perMaster = await Promise.all(
      dataNodes(redis).map(async (node) => (await node.keys('topo:*')).length),
    );
    expect(perMaster.every((count) => count > 0)).toBe(true);
    expect((await scanKeys(redis, 'topo:*')).sort()).toEqual([...keys].sort());
    expect(await deleteByPrefix(redis, 'topo:')).toBe(60);
    expect(await scanKeys(redis, 'topo:*')).toEqual([]);
  });

  it('when an atomic operation names keys of two slots, the cluster refuses it (why keys share hash tags)', async () => {
    await expect(redis.eval("return redis.call('GET', KEYS[1])", 2, 'topo:a', 'topo:b')).rejects.toThrow(
      /CROSSSLOT/,
    );
    await expect(
      redis.eval("return redis.call('GET', KEYS[2])", 2, '{topo}:a', '{topo}:b'),
    ).resolves.toBeNull();
  });
});

describe('when REDIS_SENTINELS points at a real Sentinel watching a password-protected master', () => {
  let sentinel: TestRedisSentinel;
  let redis: RedisClient;
  beforeAll(async () => {
    sentinel = await startRedisSentinel({ password: 'master-secret' });
    redis = createRedis({
      target: {
        mode: 'sentinel',
        sentinels: sentinel.sentinels,
        name: sentinel.name,
        password: 'master-secret',
      },
      logger,
    });
    await connectRedis(redis, logger);
  }, START_TIMEOUT);
  afterAll(async () => {
    await closeRedis(redis);
    await sentinel.stop();
  });

  it('when the client asks Sentinel, it reaches the master and reads its own writes', async () => {
    await pingRedis(redis);
    await redis.set('sentinel:k', 'v');
    expect(await redis.get('sentinel:k')).toBe('v');
    expect(await deleteByPrefix(redis, 'sentinel:')).toBe(1);
  });
});

describe('when no configured node answers', () => {
  it.each([
    ['a cluster', { mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }] }],
    ['a sentinel', { mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'm' }],
    ['a server', { mode: 'standalone', url: 'redis://127.0.0.1:1' }],
  ] as const)(
    'when it is %s, commands fail fast as "store unavailable" (no offline queue)',
    async (_label, target) => {
      const redis = createRedis({ target, logger, commandTimeoutMs: 500 });
      await connectRedis(redis, logger);
      const started = Date.now();
      const err: unknown = await redis.get('k').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(isStoreUnavailable(err)).toBe(true);
      redis.disconnect();
    },
  );
});
