import { describe, expect, it } from 'vitest';
import { send, type Reply } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';

function expectSecurityHeaders(reply: Reply): void {
  expect(reply.headers).toMatchObject({
    'content-security-policy': "default-src 'none';frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  });
  expect(reply.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(reply.headers['x-powered-by']).toBeUndefined();
}

describe('security headers at the gateway', () => {
  const f = useGatewayFixture();

  it.each([
    ['a proxied answer', '/auth/me'],
    ['its own 404', '/nowhere'],
    ['its own health', '/healthz'],
  ])('when it sends %s, the security headers are there, each once', async (_label, path) => {
    // Node joins repeated headers with ", ", so the exact values also prove each came once.
    expectSecurityHeaders(await send(f.gateway.url, path));
  });

  it('when an upstream is down (502), the error carries the security headers too', async () => {
    await f.pets.close();
    const reply = await send(f.gateway.url, '/api/pets');
    expect(reply.status).toBe(502);
    expectSecurityHeaders(reply);
  });

  it('when the HTTP parser rejects a request (431), the raw answer carries the security headers', async () => {
    const reply = await send(f.gateway.url, '/auth/me', { headers: { 'x-big': 'a'.repeat(20 * 1024) } });
    expect(reply.status).toBe(431);
    expectSecurityHeaders(reply);
  });
});
