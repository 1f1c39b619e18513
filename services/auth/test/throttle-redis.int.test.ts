import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, type RedisClient } from '@toypetme/http-kit';
import {
  scanKeys,
  startRedisProcess,
  testRedis,
  type RestartableRedis,
  type TestRedis,
} from '@toypetme/test-kit';
import { redisAttemptLimiter } from '../src/throttle/attempt-limiter.js';
import { openThrottles, type ThrottlePolicies } from '../src/throttle/throttles.js';
import { authKeys } from '../src/stores/keys.js';
import { describeAttemptLimiter } from './attempt-limiter.contract.js';
import { GENEROUS_LIMITS, PASSWORD, startAuth, uniqueEmail, type RunningAuth } from './fixtures.js';

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis('test-auth-throttle');
});
afterAll(() => t.cleanup());

describeAttemptLimiter('redis', (policy) => redisAttemptLimiter(t.redis, `${t.prefix}contract`, policy));

const LIMITS: ThrottlePolicies = {
  ...GENEROUS_LIMITS,
  loginPerAccount: { max: 5, windowSec: 60 },
};

describe('login throttling on Redis', () => {
  let auth: RunningAuth;
  beforeAll(async () => {
    const keys = authKeys(t.prefix);
    auth = await startAuth({
      throttles: openThrottles(LIMITS, { client: t.redis, keyPrefix: keys.throttle }),
    });
  });
  afterAll(() => auth.close());

  it('when 100 wrong guesses at one account arrive in parallel bursts, at most the limit get 401 and the rest 429', async () => {
    const email = uniqueEmail();
    await auth.client().post('/auth/register', { email, password: PASSWORD });
    const statuses: number[] = [];
    for (let burst = 0; burst < 4; burst += 1) {
      const replies = await Promise.all(
        Array.from({ length: 25 }, () =>
          auth.client().post('/auth/login', { email, password: 'wrong guess' }),
        ),
      );
      statuses.push(...replies.map((reply) => reply.status));
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(95);
  });

  it('when counters are stored, each key sits under the throttle prefix, expires within its window and names no email', async () => {
    const email = uniqueEmail('counted.person');
    await auth.client().post('/auth/login', { email, password: 'wrong guess' });
    const keys = await scanKeys(t.redis, `${authKeys(t.prefix).throttle('')}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes('counted.person'))).toBe(false);
    for (const key of keys) {
      const ttl = await t.redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });
});

describe('when the Redis behind the counters is unreachable', () => {
  const logger = createLogger({ name: 'throttle-outage', level: 'silent' });
  let redis: RedisClient;
  let auth: RunningAuth;
  beforeAll(async () => {
    redis = createRedis({
      target: { mode: 'standalone', url: 'redis://127.0.0.1:1' },
      logger,
      commandTimeoutMs: 500,
    });
    await connectRedis(redis, logger);
    auth = await startAuth({
      throttles: openThrottles(GENEROUS_LIMITS, {
        client: redis,
        keyPrefix: authKeys('test-down:').throttle,
      }),
    });
  });
  afterAll(async () => {
    await auth.close();
    redis.disconnect();
  });

  it('login, register and refresh answer 503 service_unavailable within 3 s: no free pass, no 500', async () => {
    const started = Date.now();
    const replies = await Promise.all([
      auth.client().post('/auth/login', { email: uniqueEmail(), password: PASSWORD }),
      auth.client().post('/auth/register', { email: uniqueEmail(), password: PASSWORD }),
      auth.client().post('/api/token/refresh', { refreshToken: 'x.y' }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.body.error).toBe('service_unavailable');
    }
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('when the Redis behind the counters freezes and comes back', () => {
  const logger = createLogger({ name: 'throttle-freeze', level: 'silent' });
  let server: RestartableRedis;
  let redis: RedisClient;
  let auth: RunningAuth;
  beforeAll(async () => {
    // Our own server: the shared one is never stopped or frozen.
    server = await startRedisProcess();
    redis = createRedis({ target: { mode: 'standalone', url: server.url }, logger, commandTimeoutMs: 1_000 });
    await connectRedis(redis, logger);
    auth = await startAuth({
      throttles: openThrottles(GENEROUS_LIMITS, {
        client: redis,
        keyPrefix: authKeys('test-freeze:').throttle,
      }),
    });
  });
  afterAll(async () => {
    await auth.close();
    redis.disconnect();
    await server.close();
  });

  it('a login answers 503 within 3 s while frozen, and is counted normally again once it is back', async () => {
    const attempt = () => auth.client().post('/auth/login', { email: uniqueEmail(), password: PASSWORD });
    expect((await attempt()).status).toBe(401);
    server.freeze();
    const started = Date.now();
    const frozen = await attempt();
    expect(frozen.status).toBe(503);
    expect(frozen.body.error).toBe('service_unavailable');
    expect(Date.now() - started).toBeLessThan(3_000);
    server.thaw();
    let after = frozen;
    for (let tries = 0; after.status !== 401 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await attempt();
    }
    expect(after.status).toBe(401);
  });
});
