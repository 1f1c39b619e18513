import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { json, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';

const f = useGatewayFixture();

type Ending = 'destroy' | 'reset';

function end(socket: Socket, how: Ending): void {
  if (how === 'reset') socket.resetAndDestroy();
  else socket.destroy();
}

function rawConnection(): Promise<Socket> {
  const { hostname, port } = new URL(f.gateway.url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('connect', () => resolve(socket)));
}

/** Writes `head` on a raw connection and ends it abruptly once `when` says so. */
async function abandon(head: string, how: Ending, when: 'after-write' | 'first-byte'): Promise<void> {
  const socket = await rawConnection();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (when === 'first-byte') socket.once('data', () => end(socket, how));
  socket.write(head);
  if (when === 'after-write') setTimeout(() => end(socket, how), 30);
  await closed;
}

const MID_UPLOAD =
  'POST /api/pets HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"name":"';
const WAITING = 'GET /api/pets HTTP/1.1\r\nHost: gw\r\nx-test-delay: 1000\r\n\r\n';
const MID_RESPONSE = 'GET /api/pets HTTP/1.1\r\nHost: gw\r\nx-test-mode: trickle\r\n\r\n';

describe('client aborts (F07)', () => {
  it(
    'when 90 requests are aborted or reset mid-flight, the gateway keeps running and the full flow still works',
    { timeout: 10_000 },
    async () => {
      const abandoned: Promise<void>[] = [];
      for (let i = 0; i < 30; i++) {
        const how: Ending = i % 2 === 0 ? 'destroy' : 'reset';
        abandoned.push(abandon(MID_UPLOAD, how, 'after-write'));
        abandoned.push(abandon(WAITING, how, 'after-write'));
        abandoned.push(abandon(MID_RESPONSE, how, 'first-byte'));
      }
      await Promise.all(abandoned);

      const login = await send(f.gateway.url, '/auth/login', {
        body: JSON.stringify({ email: 'a@example.test' }),
      });
      const created = await send(f.gateway.url, '/api/pets', {
        body: JSON.stringify({ name: 'Rex', species: 'dog' }),
      });
      const listed = await send(f.gateway.url, '/api/pets');
      expect([login.status, created.status, listed.status]).toEqual([200, 200, 200]);
      expect(json(created)).toMatchObject({
        upstream: 'pets',
        body: JSON.stringify({ name: 'Rex', species: 'dog' }),
      });
      expect((await send(f.gateway.url, '/readyz')).status).toBe(200);
      expect(f.gateway.logs.filter((entry) => entry.msg === 'unhandled error')).toEqual([]);
    },
  );

  it('when a client gives up on a hanging request, the gateway abandons the upstream request at once', async () => {
    // UPSTREAM_TIMEOUT is the default 10 s here, longer than this test may run: only the client
    // leaving can end the upstream request.
    const socket = await rawConnection();
    socket.write('GET /api/pets/hanging HTTP/1.1\r\nHost: gw\r\nx-test-mode: hang\r\n\r\n');
    await expect.poll(() => f.pets.seen.some((seen) => seen.url === '/api/pets/hanging')).toBe(true);
    socket.destroy();
    await expect.poll(() => f.pets.abandoned).toContain('/api/pets/hanging');
  });
});
