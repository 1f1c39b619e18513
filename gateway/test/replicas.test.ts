import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, json, send, type Reply } from './support/client.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { refusingUrl, startUpstream, type Echo, type TestUpstream } from './support/upstream.js';

// Replicas behind one route (PETS_URL as a list), against real loopback upstreams: some answer,
// some refuse connections, one resets every request it gets.

const work = (upstream: TestUpstream) => upstream.seen.filter((seen) => seen.url !== '/healthz');
const retries = (gateway: TestGateway) =>
  gateway.logs.filter((line) => line.msg === 'retrying on another replica');
const portOf = (url: string) => Number(new URL(url).port);

/** A chunked body written in parts with pauses between them, as a slow client sends it. */
function sendSlowly(baseUrl: string, path: string, parts: string[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const req = request({ hostname, port, path, method: 'POST', agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text: body.toString(),
          reusedSocket: false,
          continued: false,
        });
      });
    });
    void (async () => {
      for (const part of parts) {
        req.write(part);
        await sleep(30);
      }
      req.end();
    })();
  });
}

/** Every kind of request a client sends, each with a body it can recognise in the echo. */
function mixedRequests(gatewayUrl: string, round: number): Promise<[string, Reply][]> {
  const big = `${round}:`.padEnd(200_000, 'x');
  const cases: [string, () => Promise<Reply>][] = [
    ['', () => send(gatewayUrl, `/api/pets?round=${round}`)],
    [`{"name":"json ${round}"}`, () => send(gatewayUrl, '/api/pets', { body: `{"name":"json ${round}"}` })],
    [big, () => send(gatewayUrl, `/api/pets/${round}`, { method: 'PUT', body: big })],
    [
      `a${round}b${round}c${round}`,
      () => sendSlowly(gatewayUrl, '/api/pets', [`a${round}`, `b${round}`, `c${round}`]),
    ],
    ['', () => send(gatewayUrl, `/api/pets/${round}`, { method: 'DELETE' })],
    ['{"name":"p"}', () => send(gatewayUrl, `/api/pets/${round}`, { method: 'PATCH', body: '{"name":"p"}' })],
  ];
  return Promise.all(cases.map(async ([body, run]) => [body, await run()] as [string, Reply]));
}

describe('when pets has two healthy replicas', () => {
  let a: TestUpstream;
  let b: TestUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startUpstream('pets-a'), startUpstream('pets-b')]);
    gateway = await startGateway({ PETS_URL: `${a.url},${b.url}`, UPSTREAM_HEALTH_INTERVAL: '0' });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([a.close(), b.close()]);
  });

  it('when requests arrive, one after another or all at once, the replicas take turns', async () => {
    for (let i = 0; i < 10; i += 1) expect((await send(gateway.url, `/api/pets/${i}`)).status).toBe(200);
    expect([work(a).length, work(b).length]).toEqual([5, 5]);
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(gateway.url, `/api/pets/b${i}`)),
    );
    expect(burst.every((reply) => reply.status === 200)).toBe(true);
    expect([work(a).length, work(b).length]).toEqual([25, 25]);
  });

  it('when one replica stops answering /healthz, /readyz still reports pets up', async () => {
    a.healthStatus = 500;
    try {
      // (auth is not running in this file: only the pets check is of interest)
      expect(json<{ checks: { pets: string } }>(await send(gateway.url, '/readyz')).checks.pets).toBe('up');
    } finally {
      a.healthStatus = 200;
    }
  });
});

describe('when one of two replicas refuses connections', () => {
  let live: TestUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    live = await startUpstream('pets-live');
    // A down time of 1 ms: nearly every other request still tries the dead replica first.
    gateway = await startGateway({
      PETS_URL: `${await refusingUrl()},${live.url}`,
      UPSTREAM_DOWN_TIME: '1ms',
      UPSTREAM_HEALTH_INTERVAL: '0',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await live.close();
  });

  it(
    'when requests of every method and body shape keep coming, every one succeeds with its body whole',
    { timeout: 15_000 },
    async () => {
      for (let round = 0; round < 4; round += 1) {
        for (const [body, reply] of await mixedRequests(gateway.url, round)) {
          expect(reply.status, reply.text.slice(0, 200)).toBe(200);
          expect(Buffer.from(json<Echo>(reply).bodyBase64, 'base64').toString()).toBe(body);
          expect(json<Echo>(reply).upstream).toBe('pets-live');
        }
      }
      // Requests really were refused first and retried (bodies replayed), not just lucky.
      expect(retries(gateway).length).toBeGreaterThanOrEqual(4);
    },
  );
});

describe('when a refusing replica has been marked down', () => {
  let live: TestUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    live = await startUpstream('pets-live');
    gateway = await startGateway({
      PETS_URL: `${await refusingUrl()},${live.url}`,
      UPSTREAM_DOWN_TIME: '1m',
      UPSTREAM_HEALTH_INTERVAL: '0',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await live.close();
  });

  it('when requests follow within UPSTREAM_DOWN_TIME, none tries it again', async () => {
    expect((await send(gateway.url, '/api/pets')).status).toBe(200);
    expect(retries(gateway)).toHaveLength(1);
    expect(gateway.logs.some((line) => line.msg === 'upstream replica marked down')).toBe(true);
    for (let i = 0; i < 10; i += 1) expect((await send(gateway.url, '/api/pets')).status).toBe(200);
    expect(retries(gateway)).toHaveLength(1);
    expect(work(live)).toHaveLength(11);
  });
});

describe.each([
  ['passively (the down time runs out)', { UPSTREAM_DOWN_TIME: '300ms', UPSTREAM_HEALTH_INTERVAL: '0' }],
  ['actively (its /healthz answers again)', { UPSTREAM_DOWN_TIME: '1h', UPSTREAM_HEALTH_INTERVAL: '100ms' }],
])('when a replica dies and comes back, noticed %s', (_how, env) => {
  let a: TestUpstream;
  let b: TestUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startUpstream('pets-a'), startUpstream('pets-b')]);
    gateway = await startGateway({ PETS_URL: `${a.url},${b.url}`, ...env });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([a.close(), b.close()]);
  });

  it(
    'when it is gone every request still succeeds, and once it is back it gets requests again',
    { timeout: 15_000 },
    async () => {
      const statuses: number[] = [];
      const port = portOf(a.url);
      await a.close();
      for (let i = 0; i < 20; i += 1) {
        statuses.push((await send(gateway.url, '/api/pets', { method: 'POST', body: `{"i":${i}}` })).status);
      }
      a = await startUpstream('pets-a', { port });
      const deadline = Date.now() + 10_000;
      while (work(a).length === 0 && Date.now() < deadline) {
        statuses.push((await send(gateway.url, '/api/pets', { method: 'POST', body: '{}' })).status);
        await sleep(20);
      }
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(work(a).length).toBeGreaterThan(0);
    },
  );
});

describe('when a replica resets requests after receiving them', () => {
  let broken: TestUpstream;
  let live: TestUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    [broken, live] = await Promise.all([
      startUpstream('pets-broken', { resetsEveryRequest: true }),
      startUpstream('pets-live'),
    ]);
    gateway = await startGateway({ PETS_URL: `${broken.url},${live.url}`, UPSTREAM_HEALTH_INTERVAL: '0' });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([broken.close(), live.close()]);
  });

  it('when a GET or HEAD meets it, the request is retried on the other replica and succeeds', async () => {
    const replies = [];
    for (let i = 0; i < 6; i += 1) {
      replies.push(await send(gateway.url, `/api/pets/g${i}`, { method: i % 2 === 0 ? 'GET' : 'HEAD' }));
    }
    expect(replies.map((reply) => reply.status)).toEqual(Array(6).fill(200));
    expect(work(broken).length).toBeGreaterThan(0);
  });

  it('when a POST meets it after being sent, it is never sent again: 502 upstream_unavailable', async () => {
    const before = work(live).length;
    const replies = [];
    for (let i = 0; i < 4; i += 1) {
      replies.push(await send(gateway.url, '/api/pets', { body: `{"post":${i}}` }));
    }
    const failed = replies.filter((reply) => reply.status === 502);
    expect(failed.length).toBeGreaterThan(0);
    for (const reply of failed) expectJsonError(reply, 502, 'upstream_unavailable');
    // The live replica saw only the POSTs routed to it, never a second copy of a failed one.
    expect(work(live).length - before).toBe(replies.length - failed.length);
    expect(work(broken).filter((seen) => seen.method === 'POST')).toHaveLength(failed.length);
  });
});

describe('when every replica refuses connections', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ PETS_URL: `${await refusingUrl()},${await refusingUrl()}` });
  });
  afterAll(() => gateway.close());

  it(
    'when a request comes, it gets 502 upstream_unavailable, as with one stopped upstream',
    { timeout: 4000 },
    async () => {
      for (let i = 0; i < 3; i += 1) {
        expectJsonError(await send(gateway.url, '/api/pets', { body: '{}' }), 502, 'upstream_unavailable');
      }
    },
  );
});
