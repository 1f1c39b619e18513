import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectJsonError, json, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';
import type { Echo } from './support/upstream.js';

const f = useGatewayFixture();

function bearer(kb: number): Record<string, string> {
  return { authorization: `Bearer ${'x'.repeat(kb * 1024)}` };
}

describe('header limits (F09)', () => {
  it('when a header is 20 KB, the client gets 431 headers_too_large and the gateway lives on', async () => {
    const headers = { 'x-padding': 'a'.repeat(20 * 1024) };
    expectJsonError(await send(f.gateway.url, '/api/pets', { headers }), 431, 'headers_too_large');
    expect((await send(f.gateway.url, '/api/pets')).status).toBe(200);
  });

  it.each([64, 1024])(
    'when an Authorization header is %i KB, the client gets 431 headers_too_large and the gateway keeps serving',
    async (kb) => {
      expectJsonError(
        await send(f.gateway.url, '/api/pets', { headers: bearer(kb) }),
        431,
        'headers_too_large',
      );
      expect((await send(f.gateway.url, '/auth/me')).status).toBe(200);
    },
  );

  it('when an Authorization header is 8 KB, it is within the limit and reaches the upstream (which judges it)', async () => {
    const reply = await send(f.gateway.url, '/api/pets', { headers: bearer(8) });
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply).headers.authorization).toBe(bearer(8).authorization);
  });

  it('when the Cookie header is 12 KB, the request is proxied with the cookie intact', async () => {
    const cookie = `tpm.sid=${'s'.repeat(64)}; ${Array.from({ length: 128 }, (_, i) => `junk${i}=${'j'.repeat(90)}`).join('; ')}`;
    expect(cookie.length).toBeGreaterThan(12 * 1024);
    const reply = await send(f.gateway.url, '/api/token', { headers: { cookie } });
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply).headers.cookie).toBe(cookie);
  });
});

describe('requests the HTTP parser rejects', () => {
  function raw(request: string): Promise<string> {
    const { hostname, port } = new URL(f.gateway.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.end(request));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
  }

  it('when a request is not valid HTTP, the client gets a JSON 400 invalid_request and the gateway lives on', async () => {
    const answer = await raw('GET /api/pets HTTP/1.1\r\nHost: gw\r\nBroken header line\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body)).toMatchObject({ error: 'invalid_request' });
    expect((await send(f.gateway.url, '/api/pets')).status).toBe(200);
  });
});

describe('CONNECT', () => {
  it('when a client sends CONNECT, it gets a JSON 405 method_not_allowed and the gateway lives on', async () => {
    const { hostname, port } = new URL(f.gateway.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write('CONNECT /auth/me HTTP/1.1\r\nHost: gw\r\n\r\n'),
      );
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 405 /);
    expect(JSON.parse(body)).toMatchObject({ error: 'method_not_allowed' });
    expect((await send(f.gateway.url, '/api/pets')).status).toBe(200);
  });
});
