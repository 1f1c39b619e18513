import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, send } from './support/client.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { refusingUrl, startUpstream, type TestUpstream } from './support/upstream.js';

let auth: TestUpstream;
let pets: TestUpstream;

beforeAll(async () => {
  auth = await startUpstream('auth');
  pets = await startUpstream('pets');
});

afterAll(async () => {
  await Promise.all([auth.close(), pets.close()]);
});

describe('health when both upstreams answer', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ AUTH_URL: auth.url, PETS_URL: pets.url });
  });
  afterAll(() => gateway.close());

  it('when /healthz is asked, the gateway answers 200 itself', { timeout: 5000 }, async () => {
    const before = auth.seen.length + pets.seen.length;
    const reply = await send(gateway.url, '/healthz');
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({ status: 'ok' });
    expect(auth.seen.length + pets.seen.length).toBe(before);
  });

  it(
    'when /readyz is asked, both upstreams’ /healthz are checked and it answers 200',
    { timeout: 5000 },
    async () => {
      const reply = await send(gateway.url, '/readyz');
      expect(reply.status).toBe(200);
      expect(json(reply)).toEqual({ status: 'ready', checks: { auth: 'up', pets: 'up' } });
      expect(auth.seen.at(-1)?.url).toBe('/healthz');
      expect(pets.seen.at(-1)?.url).toBe('/healthz');
    },
  );

  it(
    'when an upstream’s /healthz answers 500, /readyz answers 503 service_unavailable naming it',
    { timeout: 5000 },
    async () => {
      auth.healthStatus = 500;
      try {
        const reply = await send(gateway.url, '/readyz');
        expect(reply.status).toBe(503);
        expect(json(reply)).toMatchObject({
          error: 'service_unavailable',
          checks: { auth: 'down', pets: 'up' },
        });
        expect(json<{ message: string }>(reply).message).toContain('auth');
      } finally {
        auth.healthStatus = 200;
      }
    },
  );
});

describe('health when pets is down', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ AUTH_URL: auth.url, PETS_URL: await refusingUrl() });
  });
  afterAll(() => gateway.close());

  it(
    'when pets refuses connections, /readyz answers 503 service_unavailable naming pets',
    { timeout: 5000 },
    async () => {
      const reply = await send(gateway.url, '/readyz');
      expect(reply.status).toBe(503);
      const body = json<{ message: string; requestId: string }>(reply);
      expect(body).toMatchObject({ error: 'service_unavailable', checks: { auth: 'up', pets: 'down' } });
      expect(body.message).toContain('pets');
      expect(body.requestId).toBe(reply.headers['x-request-id']);
    },
  );

  it('when pets is down, /healthz still answers 200', { timeout: 5000 }, async () => {
    expect((await send(gateway.url, '/healthz')).status).toBe(200);
  });
});
