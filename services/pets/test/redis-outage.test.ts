import { randomUUID } from 'node:crypto';
import { createLogger, createRedis, type RedisClient } from '@toypetme/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPetStore } from '../src/index.js';
import { startPets, type PetsHarness } from './app-harness.js';

// A Redis nobody listens on (loopback port 1): the CONTRACT wants a fast 503, never a 401 or hang.
let redis: RedisClient;
let pets: PetsHarness;

beforeAll(async () => {
  redis = createRedis({
    target: { mode: 'standalone', url: 'redis://127.0.0.1:1' },
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  pets = await startPets({ store: new RedisPetStore(redis, `test:${randomUUID()}:pets:`), redis });
});

afterAll(async () => {
  await pets.close();
  redis.disconnect();
});

describe('when Redis is unreachable', () => {
  it.each([
    ['GET', '/api/pets'],
    ['POST', '/api/pets'],
    ['GET', `/api/pets/${randomUUID()}`],
    ['PATCH', `/api/pets/${randomUUID()}`],
    ['DELETE', `/api/pets/${randomUUID()}`],
  ])('when %s %s is called, it is 503 service_unavailable within 3 s', async (method, path) => {
    const { token } = await pets.user();
    const started = performance.now();
    const json = method === 'POST' || method === 'PATCH' ? { name: 'Rex', species: 'dog' } : undefined;
    const res = await pets.call(method, path, { token, json });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('service_unavailable');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('when /readyz is asked, it is 503 naming redis as down', async () => {
    const res = await pets.call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'service_unavailable', checks: { redis: 'down', jwks: 'up' } });
  });
});
