import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectJsonError, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';

const f = useGatewayFixture({ env: { UPSTREAM_TIMEOUT: '400ms' } });

function misbehave(mode: string): ReturnType<typeof send> {
  return send(f.gateway.url, `/api/pets/${mode}`, { headers: { 'x-test-mode': mode } });
}

describe('when an upstream breaks the exchange', () => {
  it('when pets closes the connection without answering, the client gets 502 upstream_unavailable', async () => {
    expectJsonError(await misbehave('close'), 502, 'upstream_unavailable');
  });

  it('when pets dies after its response started, the client connection is cut and the gateway serves on', async () => {
    await expect(misbehave('die-mid-body')).rejects.toThrow();
    expect((await send(f.gateway.url, '/api/pets')).status).toBe(200);
  });

  it('when pets stalls mid-body beyond UPSTREAM_TIMEOUT, the client connection is cut', async () => {
    await expect(misbehave('stall-mid-body')).rejects.toThrow();
    expect((await send(f.gateway.url, '/api/pets')).status).toBe(200);
  });

  it('when the client stops sending its body, it gets 408 request_timeout (its own stall, not the upstream’s)', async () => {
    const { hostname, port } = new URL(f.gateway.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.write(
        'POST /api/pets HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1] ?? '')).toMatchObject({ error: 'request_timeout' });
    expect((await send(f.gateway.url, '/api/pets')).status).toBe(200);
  });

  it('when pets hangs in its handler, the client gets 504 upstream_timeout and pets sees the request abandoned', async () => {
    expectJsonError(await misbehave('hang'), 504, 'upstream_timeout');
    await expect.poll(() => f.pets.abandoned).toContain('/api/pets/hang');
  });
});
