import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis, createLogger, createRedis, type RedisClient } from '@toypetme/http-kit';
import { hashSlot, HttpClient, startRedisCluster, type TestRedisCluster } from '@toypetme/test-kit';
import { newFamilyId } from '../src/domain/refresh-token.js';
import { RedisKeyRecordStore } from '../src/keys/redis-key-record-store.js';
import { authKeys } from '../src/stores/keys.js';
import { RedisRefreshTokenStore } from '../src/stores/redis-refresh-token-store.js';
import { RedisSessionStore } from '../src/stores/redis-session-store.js';
import { RedisUserStore } from '../src/stores/redis-user-store.js';
import { loggedIn, startAuth, type RunningAuth } from './fixtures.js';
import { describeKeyRecordStore } from './key-record-store.contract.js';
import { expectLogoutWinsRaces } from './logout-races.js';
import { describeRefreshTokenStore } from './refresh-token-store.contract.js';
import { describeSessionStore } from './session-store.contract.js';
import { describeUserStore } from './user-store.contract.js';

/**
 * Every auth store contract against a real Redis Cluster of three masters: a script, MULTI or
 * multi-key command whose keys were in two slots would fail here with CROSSSLOT.
 */
const logger = createLogger({ name: 'auth-cluster-test', level: 'silent' });
const prefix = 'test-auth-cluster:';
let cluster: TestRedisCluster;
let redis: RedisClient;
let other: RedisClient;
let run = 0;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  const target = { mode: 'cluster', nodes: cluster.nodes } as const;
  redis = createRedis({ target, logger });
  // A second client stands for a second replica.
  other = createRedis({ target, logger });
  await Promise.all([connectRedis(redis, logger), connectRedis(other, logger)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([redis, other].filter(Boolean).map((client) => closeRedis(client)));
  await cluster?.stop();
});

describeUserStore('redis cluster', () => new RedisUserStore(redis, authKeys(prefix)));
describeSessionStore('redis cluster', () => new RedisSessionStore(redis, authKeys(prefix)));
describeRefreshTokenStore('redis cluster', () => new RedisRefreshTokenStore(redis, authKeys(prefix)));
describeKeyRecordStore('redis cluster', () => {
  run += 1;
  const keys = authKeys(`${prefix}${run}:`);
  return Promise.resolve({
    a: new RedisKeyRecordStore(redis, keys),
    b: new RedisKeyRecordStore(other, keys),
    expireLock: async () => {
      await redis.pexpire(keys.signingKeysLock(), 0);
    },
  });
});

describe('auth on a Redis Cluster', () => {
  let auth: RunningAuth;
  beforeAll(async () => {
    const keys = authKeys(`${prefix}app:`);
    auth = await startAuth({
      users: new RedisUserStore(redis, keys),
      sessions: new RedisSessionStore(redis, keys),
      families: new RedisRefreshTokenStore(redis, keys),
    });
  });
  afterAll(() => auth.close());

  it('when the cluster itself is asked, every atomic key set is in one slot, the one the test computes', async () => {
    const keys = authKeys(prefix);
    const family = newFamilyId();
    const sets = [
      keys.together.session('some-session-id'),
      keys.together.newFamily(family, 'h1'),
      keys.together.spend(family, 'h1', 'h2'),
      keys.together.sessionFamilies('some-handle'),
    ];
    for (const set of sets) {
      const slots = await Promise.all(set.map((key) => redis.cluster('KEYSLOT', key)));
      expect(new Set(slots)).toEqual(new Set([hashSlot(set[0])]));
    }
  });

  it('when 10 refreshes with one token race, every 200 carries the same successor', async () => {
    const { client } = await loggedIn(auth);
    const pair = (await client.get<{ refreshToken: string }>('/api/token')).body;
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        new HttpClient(auth.url).post<{ refreshToken: string }>('/api/token/refresh', pair),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((reply) => reply.body.refreshToken)).size).toBe(1);
  });

  it('when /api/token races logout or logout-all, no family outlives it', async () => {
    await expectLogoutWinsRaces(auth, '/auth/logout', 10);
    await expectLogoutWinsRaces(auth, '/auth/logout-all', 10);
  });
});
