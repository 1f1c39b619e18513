import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedis, type TestRedis } from '@toypetme/test-kit';
import type { Redis } from '@toypetme/http-kit';
import { RedisKeyRecordStore } from '../src/keys/redis-key-record-store.js';
import { authKeys } from '../src/stores/keys.js';
import { fakeRecord } from './key-fixtures.js';
import { describeKeyRecordStore } from './key-record-store.contract.js';

let t: TestRedis;
let other: Redis;
let run = 0;
beforeAll(async () => {
  t = await testRedis('test-auth-keys');
  // A second connection stands for a second replica.
  other = t.redis.duplicate();
});
afterAll(async () => {
  other.disconnect();
  await t.cleanup();
});

describeKeyRecordStore('redis', () => {
  run += 1;
  const keys = authKeys(`${t.prefix}${run}:`);
  return Promise.resolve({
    a: new RedisKeyRecordStore(t.redis, keys),
    b: new RedisKeyRecordStore(other, keys),
    expireLock: async () => {
      await t.redis.pexpire(keys.signingKeysLock(), 0);
    },
  });
});

describe('RedisKeyRecordStore', () => {
  it('when records are stored, they are fields of one hash, and the held lock has a finite TTL', async () => {
    const keys = authKeys(`${t.prefix}layout:`);
    const store = new RedisKeyRecordStore(t.redis, keys);
    await store.put(fakeRecord('k1'));
    await store.put(fakeRecord('k2'));
    expect((await t.redis.hkeys(keys.signingKeys())).sort()).toEqual(['k1', 'k2']);
    const ttl = await store.withLock(5_000, () => t.redis.pttl(keys.signingKeysLock()));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await t.redis.exists(keys.signingKeysLock())).toBe(0);
  });

  it('when a stored field is not a record, list throws naming its kid', async () => {
    const keys = authKeys(`${t.prefix}bad:`);
    await t.redis.hset(keys.signingKeys(), 'broken-kid', '{"kid":');
    await expect(new RedisKeyRecordStore(t.redis, keys).list()).rejects.toThrow(/broken-kid/);
  });
});
