import { describe, expect, it } from 'vitest';
import { json, send } from './support/client.js';
import { useGatewayFixture, type GatewayFixture } from './support/fixture.js';
import type { Echo } from './support/upstream.js';

async function upstreamHeaders(f: GatewayFixture, headers: Record<string, string>): Promise<Echo['headers']> {
  const reply = await send(f.gateway.url, '/auth/login', { method: 'POST', body: '{}', headers });
  expect(reply.status).toBe(200);
  return json<Echo>(reply).headers;
}

const SPOOFED = {
  'x-forwarded-for': '6.6.6.6',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-port': '443',
  'x-real-ip': '6.6.6.6',
  forwarded: 'for=6.6.6.6;proto=https',
};

describe('forwarded headers from an untrusted client (the default)', () => {
  const f = useGatewayFixture();

  it('when the client sends X-Forwarded-For: 6.6.6.6, the upstream sees only the real socket address', async () => {
    const headers = await upstreamHeaders(f, { 'x-forwarded-for': '6.6.6.6' });
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('when the client spoofs every forwarding header, each is overwritten or removed', async () => {
    const headers = await upstreamHeaders(f, SPOOFED);
    const host = new URL(f.gateway.url).host;
    expect(headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': host,
      host,
    });
    expect([headers['x-forwarded-port'], headers['x-real-ip'], headers.forwarded]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('when the client names headers in Connection, those and other hop-by-hop headers are not forwarded', async () => {
    const headers = await upstreamHeaders(f, {
      connection: 'keep-alive, x-secret, content-length',
      'x-secret': 'internal',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'x-kept': 'yes',
    });
    expect([headers['x-secret'], headers['keep-alive'], headers.te]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(headers).toMatchObject({ 'x-kept': 'yes', 'content-length': '2' });
  });
});

describe('forwarded headers behind a trusted TLS proxy (GATEWAY_TRUSTED_PROXIES)', () => {
  const f = useGatewayFixture({ env: { GATEWAY_TRUSTED_PROXIES: 'loopback' } });

  it('when the trusted proxy reports a client and https, the upstream gets exactly those', async () => {
    const headers = await upstreamHeaders(f, {
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
    });
    expect(headers).toMatchObject({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' });
  });

  it('when a client spoofed the left of the chain, the upstream gets the address the trusted proxy saw', async () => {
    const headers = await upstreamHeaders(f, {
      'x-forwarded-for': '6.6.6.6, 203.0.113.7',
      'x-forwarded-proto': 'http, https',
    });
    expect(headers).toMatchObject({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' });
  });

  it('when the trusted proxy sends a nonsense scheme, the gateway’s own scheme is used', async () => {
    const headers = await upstreamHeaders(f, {
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'gopher',
    });
    expect(headers['x-forwarded-proto']).toBe('http');
  });
});

describe('forwarded headers when the peer is not among the trusted proxies', () => {
  const f = useGatewayFixture({ env: { GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8' } });

  it('when an untrusted peer sends forwarding headers, they are not believed', async () => {
    const headers = await upstreamHeaders(f, { 'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'https' });
    expect(headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http' });
  });
});
