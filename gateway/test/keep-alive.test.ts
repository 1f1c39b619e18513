import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { json, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';
import type { Echo } from './support/upstream.js';

// F08 scaled down and made deterministic: pets keeps idle connections open (no hint, no timely
// close) but drops any request arriving on one idle for over a second, exactly what a request
// racing the upstream's keep-alive close suffers. Only the gateway's own idle limit (500 ms here;
// 30 s against the services' 65 s in production) keeps it out of that trap.
const f = useGatewayFixture({
  pets: { dropsIdleAfterMs: 1000, withoutKeepAliveHint: true },
  idleMs: 500,
});

describe('upstream keep-alive (F08)', () => {
  it(
    'when requests are spaced around the upstream keep-alive timeout and a burst follows, none gets 502 or 504',
    { timeout: 20_000 },
    async () => {
      const statuses: number[] = [];
      for (const gap of [100, 950, 1000, 1050, 1000, 300]) {
        statuses.push((await send(f.gateway.url, '/api/pets')).status);
        await sleep(gap);
      }
      const client = new Agent({ keepAlive: true, maxSockets: 25 });
      try {
        const burst = await Promise.all(
          Array.from({ length: 400 }, (_, i) => send(f.gateway.url, `/api/pets/${i}`, { agent: client })),
        );
        statuses.push(...burst.map((reply) => reply.status));
      } finally {
        client.destroy();
      }
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(statuses).toHaveLength(406);
      // The burst went over kept-alive upstream connections, not one connection per request.
      expect(f.pets.connections).toBeLessThan(100);
    },
  );

  it('when clients ask to close their connections, the gateway closes theirs but keeps its upstream one', async () => {
    await send(f.gateway.url, '/auth/me');
    const opened = f.auth.connections;
    const replies = [await send(f.gateway.url, '/auth/me'), await send(f.gateway.url, '/auth/me')];
    for (const reply of replies) {
      // node:http without an agent asks for `Connection: close`.
      expect(reply.headers.connection).toBe('close');
      expect(json<Echo>(reply).headers.connection).toBe('keep-alive');
    }
    expect(f.auth.connections).toBe(opened);
  });
});
