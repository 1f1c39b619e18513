import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedis,
  createLogger,
  createRedis,
  dataNodes,
  connectRedis,
  type RedisClient,
} from '@toypetme/http-kit';
import { startRedisCluster, type TestRedisCluster } from '@toypetme/test-kit';
import { startStack, type Stack } from '../src/stack.js';
import { expectFullFlow } from './full-flow.js';
import { signUp } from './support.js';

// Auth and pets on a real Redis Cluster of three masters (throwaway redis-server processes on
// loopback ports), configured as an operator would: REDIS_CLUSTER_NODES and nothing else.
let cluster: TestRedisCluster;
let stack: Stack;
let redis: RedisClient;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  stack = await startStack({ env: { REDIS_CLUSTER_NODES: cluster.nodesEnv } });
  redis = createRedis({
    target: { mode: 'cluster', nodes: cluster.nodes },
    logger: createLogger({ name: 'e2e', level: 'silent' }),
  });
  await connectRedis(redis, createLogger({ name: 'e2e', level: 'silent' }));
}, 90_000);
afterAll(async () => {
  if (redis !== undefined) await closeRedis(redis);
  await stack?.close();
  await cluster?.stop();
});

describe('the whole stack on a Redis Cluster', () => {
  it('when a person goes through the whole flow, every step answers as the contract says', async () => {
    await expectFullFlow(stack.gatewayUrl);
  });

  it('when several people use it, their data is spread over the masters and /readyz is 200', async () => {
    await Promise.all(Array.from({ length: 6 }, () => signUp(stack)));
    const perMaster = await Promise.all(
      dataNodes(redis).map(async (node) => (await node.keys(`${stack.redisKeyPrefix}*`)).length),
    );
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((count) => count > 0)).toBe(true);
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
  });
});
