import {
  closeRedis,
  connectRedis,
  createLogger,
  createRedis,
  dataNodes,
  type RedisClient,
} from '@toypetme/http-kit';
import { hashSlot, startRedisCluster, type TestRedisCluster } from '@toypetme/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerPetsKey, petKey, RedisPetStore } from '../src/index.js';
import { describePetStoreContract, newPet } from './pet-store.contract.js';

/**
 * The pet store contract against a real Redis Cluster of three masters: the MULTI of create and
 * delete and the MGET of a listing fail with CROSSSLOT unless an owner's keys share a slot.
 */
const logger = createLogger({ name: 'pets-cluster-test', level: 'silent' });
const prefix = 'test-pets-cluster:pets:';
let cluster: TestRedisCluster;
let redis: RedisClient;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  redis = createRedis({ target: { mode: 'cluster', nodes: cluster.nodes }, logger });
  await connectRedis(redis, logger);
}, 60_000);
afterAll(async () => {
  if (redis !== undefined) await closeRedis(redis);
  await cluster?.stop();
});

describePetStoreContract('redis cluster', () => new RedisPetStore(redis, prefix));

describe('pets on a Redis Cluster', () => {
  it('when owners have pets, their keys spread over the masters and each owner stays in one slot', async () => {
    const store = new RedisPetStore(redis, prefix);
    const owners = Array.from({ length: 12 }, (_, i) => `spread-${i}`);
    for (const owner of owners) {
      await store.create(owner, newPet());
      await store.create(owner, newPet());
    }
    const perMaster = await Promise.all(
      dataNodes(redis).map(async (node) => (await node.keys(`${prefix}*`)).length),
    );
    expect(perMaster.filter((count) => count > 0).length).toBeGreaterThan(1);
    for (const owner of owners) {
      const [pet] = await store.listByOwner(owner);
      const slots = await Promise.all(
        [ownerPetsKey(prefix, owner), petKey(prefix, owner, pet!.id)].map((key) =>
          redis.cluster('KEYSLOT', key),
        ),
      );
      expect(slots).toEqual([hashSlot(ownerPetsKey(prefix, owner)), hashSlot(ownerPetsKey(prefix, owner))]);
    }
  });
});
