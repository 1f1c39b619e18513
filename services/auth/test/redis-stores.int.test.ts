import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanKeys, testRedis, type TestRedis } from '@toypetme/test-kit';
import { authKeys } from '../src/stores/keys.js';
import { RedisRefreshTokenStore } from '../src/stores/redis-refresh-token-store.js';
import { RedisSessionStore } from '../src/stores/redis-session-store.js';
import { RedisUserStore } from '../src/stores/redis-user-store.js';
import { describeRefreshTokenStore } from './refresh-token-store.contract.js';
import { describeSessionStore } from './session-store.contract.js';
import { describeUserStore } from './user-store.contract.js';

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis('test-auth');
});
afterAll(() => t.cleanup());

describeUserStore('redis', () => new RedisUserStore(t.redis, authKeys(t.prefix)));
describeSessionStore('redis', () => new RedisSessionStore(t.redis, authKeys(t.prefix)));
describeRefreshTokenStore('redis', () => new RedisRefreshTokenStore(t.redis, authKeys(t.prefix)));

describe('RedisSessionStore', () => {
  it('when a session is stored, its key has a finite TTL (F15)', async () => {
    const store = new RedisSessionStore(t.redis, authKeys(t.prefix));
    await store.set('ttl-check', { userId: 'u' }, 90_000);
    const ttl = await t.redis.pttl(authKeys(t.prefix).session('ttl-check'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(90_000);
  });

  it('when users are stored, no key name contains an email address', async () => {
    const users = new RedisUserStore(t.redis, authKeys(t.prefix));
    await users.create({
      id: 'id-1',
      email: 'secret.person@example.test',
      verified: false,
      createdAt: 'x',
      passwordHash: 'h',
    });
    const keys = await scanKeys(t.redis, `${t.prefix}*`);
    expect(keys.some((key) => key.includes('secret.person'))).toBe(false);
  });
});
