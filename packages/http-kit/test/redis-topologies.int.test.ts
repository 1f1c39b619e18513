import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRedisCluster,
  startRedisSentinel,
  waitFor,
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

describe('when a master of a cluster without replicas dies (before the cluster marks it failed)', () => {
  let cluster: TestRedisCluster;
  let redis: RedisClient;
  beforeAll(async () => {
    // A long node timeout: the cluster keeps saying cluster_state:ok for 30 s after the loss.
    cluster = await startRedisCluster({ masters: 3, nodeTimeoutMs: 30_000 });
    redis = createRedis({ target: { mode: 'cluster', nodes: cluster.nodes.slice(0, 1) }, logger });
    await connectRedis(redis, logger);
  }, START_TIMEOUT);
  afterAll(async () => {
    await closeRedis(redis);
    await cluster.stop();
  });

  it('when the client has dropped it from its node list, readiness still fails, naming it', async () => {
    await pingRedis(redis);
    const [, victim] = cluster.servers;
    await victim!.stop('SIGKILL');
    await waitFor(
      () => Promise.resolve(dataNodes(redis).length === 2),
      10_000,
      () => `masters known: ${dataNodes(redis).length}`,
    );
    await expect(pingRedis(redis)).rejects.toThrow(`cluster master unreachable: 127.0.0.1:${victim!.port}`);
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

describe('when Sentinel fails the master over to its replica', () => {
  let sentinel: TestRedisSentinel;
  let redis: RedisClient;
  beforeAll(async () => {
    sentinel = await startRedisSentinel({ replica: true });
    redis = createRedis({
      target: { mode: 'sentinel', sentinels: sentinel.sentinels, name: sentinel.name },
      logger,
    });
    await connectRedis(redis, logger);
  }, START_TIMEOUT);
  afterAll(async () => {
    await closeRedis(redis);
    await sentinel.stop();
  });

  it('a write acknowledged after the switch survives the old master turning replica', async () => {
    const { master, replica } = sentinel;
    const direct = (port: number) => new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    const [oldMaster, newMaster, watcher] = [
      direct(master.port),
      direct(replica!.port),
      direct(sentinel.sentinel.port),
    ];
    try {
      await waitFor(
        async () => (await newMaster.info('replication')).includes('master_link_status:up'),
        20_000,
        () => 'the replica to sync',
      );
      await watcher.call('SENTINEL', 'FAILOVER', sentinel.name);
      const masterPort = async () =>
        ((await watcher.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.name)) as string[])[1];
      await waitFor(
        async () => (await masterPort()) === String(replica!.port),
        20_000,
        () => 'the switch',
      );
      // The client follows the new master on Sentinel's +switch-master, not seconds later when the
      // old master is demoted (until then, everything it wrote there would be lost).
      await waitFor(
        async () => (await redis.info('server').catch(() => '')).includes(`tcp_port:${replica!.port}`),
        5_000,
        () => 'the client to follow the new master',
      );
      await waitFor(
        () =>
          redis.set('failover:k', 'after').then(
            () => true,
            () => false,
          ),
        10_000,
        () => 'a write through the client',
      );
      // Sentinel turns the old master into a replica, which drops whatever was written to it.
      await waitFor(
        async () => (await oldMaster.info('replication')).includes('role:slave'),
        30_000,
        () => 'the old master to turn replica',
      );
      await waitFor(
        async () => (await oldMaster.info('replication')).includes('master_link_status:up'),
        20_000,
        () => 'the old master to resync',
      );
      expect(await newMaster.get('failover:k')).toBe('after');
      expect(await redis.get('failover:k')).toBe('after');
    } finally {
      for (const connection of [oldMaster, newMaster, watcher]) connection.disconnect();
    }
  }, 90_000);
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
