import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, scanKeys, testRedis, type TestRedis } from '@toypetme/test-kit';
import { authKeys } from '../src/stores/keys.js';
import { RedisRefreshTokenStore } from '../src/stores/redis-refresh-token-store.js';
import { RedisSessionStore } from '../src/stores/redis-session-store.js';
import { RedisUserStore } from '../src/stores/redis-user-store.js';
import { loggedIn, startAuth, type RunningAuth } from './fixtures.js';
import { expectLogoutSurvivesRenewal, expectLogoutWinsRaces } from './logout-races.js';

interface Pair {
  token: string;
  refreshToken: string;
  /** Set instead of the pair when the reply is an error. */
  error?: string;
}

let t: TestRedis;
let auth: RunningAuth;
beforeAll(async () => {
  t = await testRedis('test-auth-refresh');
  const keys = authKeys(t.prefix);
  auth = await startAuth({
    users: new RedisUserStore(t.redis, keys),
    sessions: new RedisSessionStore(t.redis, keys),
    families: new RedisRefreshTokenStore(t.redis, keys),
  });
});
afterAll(async () => {
  await auth.close();
  await t.cleanup();
});

const refresh = (refreshToken: string) =>
  new HttpClient(auth.url).post<Pair>('/api/token/refresh', { refreshToken });

describe('refresh tokens on Redis', () => {
  it('when 20 refreshes with one token race, repeated 20 times, every 200 carries the same successor', async () => {
    const { client } = await loggedIn(auth);
    let pair = (await client.get<Pair>('/api/token')).body;
    for (let round = 0; round < 20; round += 1) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => refresh(pair.refreshToken)));
      expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));
      expect(new Set(replies.map((reply) => reply.body.refreshToken)).size).toBe(1);
      pair = replies[0]!.body;
    }
    expect((await refresh(pair.refreshToken)).status).toBe(200);
  });

  it('when logged out, the tokens of that session die in Redis too', async () => {
    const { client } = await loggedIn(auth);
    const pair = (await client.get<Pair>('/api/token')).body;
    const rotated = (await refresh(pair.refreshToken)).body;
    await client.post('/auth/logout');
    const reply = await refresh(rotated.refreshToken);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_refresh_token');
  });

  it('when tokens were issued and rotated, Redis holds none of them in clear and every key expires', async () => {
    const { client } = await loggedIn(auth);
    const issued = [(await client.get<Pair>('/api/token')).body];
    issued.push((await refresh(issued[0]!.refreshToken)).body);
    const keys = await scanKeys(t.redis, `${t.prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const type = await t.redis.type(key);
      const dump =
        type === 'string'
          ? await t.redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await t.redis.hgetall(key))
            : type === 'zset'
              ? JSON.stringify(await t.redis.zrange(key, 0, -1))
              : JSON.stringify(await t.redis.smembers(key));
      for (const { refreshToken } of issued) {
        const secret = refreshToken.split('.')[1] ?? '';
        expect(key).not.toContain(secret);
        expect(dump ?? '').not.toContain(secret);
      }
      const isAccount = key.includes(':user:') || key.includes(':user-email:');
      if (!isAccount) expect(await t.redis.pttl(key), key).toBeGreaterThan(0);
    }
  });
});

describe('races with logout on Redis', () => {
  it('when /api/token races logout or logout-all, no family outlives it', async () => {
    await expectLogoutWinsRaces(auth, '/auth/logout');
    await expectLogoutWinsRaces(auth, '/auth/logout-all');
  });

  it('when a request in flight would renew the session, logout still ends it', async () => {
    const keys = authKeys(t.prefix);
    const shortLived = await startAuth({
      sessionMaxAgeSec: 2,
      users: new RedisUserStore(t.redis, keys),
      sessions: new RedisSessionStore(t.redis, keys),
      families: new RedisRefreshTokenStore(t.redis, keys),
    });
    try {
      await expectLogoutSurvivesRenewal(shortLived, 1000);
    } finally {
      await shortLived.close();
    }
  });
});
