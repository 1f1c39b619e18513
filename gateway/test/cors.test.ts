import { describe, expect, it } from 'vitest';
import { send, type Reply } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';

const APP = 'https://app.toypetme.example';
const OTHER = 'http://127.0.0.1:5173';

function expectNoCors(reply: Reply): void {
  const names = Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));
  expect(names).toEqual([]);
}

function varyNames(reply: Reply): string[] {
  return String(reply.headers.vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
}

describe('CORS at the gateway (CORS_ORIGINS lists exact origins)', () => {
  const f = useGatewayFixture({ env: { CORS_ORIGINS: `${APP}, ${OTHER}` } });

  it.each([
    ['an unlisted origin', 'https://evil.example'],
    ['the string null (sandboxed frames, file: pages)', 'null'],
    ['a listed origin with another scheme', APP.replace('https', 'http')],
    ['a listed origin with a trailing slash', `${APP}/`],
    ['a listed host under another port', `${APP}:8443`],
    ['a suffix of a listed origin', `${APP}.evil.example`],
  ])('when the Origin is %s, the answer has no Access-Control-* header', async (_label, origin) => {
    const reply = await send(f.gateway.url, '/api/token', { headers: { origin } });
    expect(reply.status).toBe(200);
    expectNoCors(reply);
    expect(varyNames(reply)).toContain('origin');
  });

  it('when the Origin is listed, exactly one Access-Control-Allow-Origin names it, with credentials, never *', async () => {
    for (const origin of [APP, OTHER]) {
      const reply = await send(f.gateway.url, '/api/token', { headers: { origin } });
      expect(reply.headers['access-control-allow-origin']).toBe(origin);
      expect(reply.headers['access-control-allow-credentials']).toBe('true');
      expect(reply.headers['access-control-expose-headers']).toMatch(/Retry-After/);
      expect(varyNames(reply)).toContain('origin');
    }
  });

  it('when an upstream sends CORS headers of its own, they never reach the client; its Vary is kept with Origin', async () => {
    const evil = await send(f.gateway.url, '/auth/me', {
      headers: { origin: 'https://evil.example', 'x-test-mode': 'own-cors' },
    });
    expectNoCors(evil);
    expect(varyNames(evil)).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
    const listed = await send(f.gateway.url, '/auth/me', {
      headers: { origin: APP, 'x-test-mode': 'own-cors' },
    });
    expect(listed.headers['access-control-allow-origin']).toBe(APP);
    expect(listed.headers['access-control-allow-credentials']).toBe('true');
  });

  it('when a listed origin sends a preflight, the gateway answers 204 itself with the allowed methods and headers', async () => {
    const before = f.auth.seen.length;
    const reply = await send(f.gateway.url, '/auth/login', {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(APP);
    expect(reply.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(String(reply.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
    expect(f.auth.seen.length).toBe(before);
  });

  it('when an unlisted origin sends a preflight, nothing allows it', async () => {
    const reply = await send(f.gateway.url, '/auth/login', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expectNoCors(reply);
  });

  it('when the gateway answers itself (404, 502), a listed origin can read the error and an unlisted one gets no CORS', async () => {
    const listed = await send(f.gateway.url, '/nowhere', { headers: { origin: APP } });
    expect(listed.status).toBe(404);
    expect(listed.headers['access-control-allow-origin']).toBe(APP);
    const evil = await send(f.gateway.url, '/nowhere', { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(404);
    expectNoCors(evil);
  });
});

describe('CORS when CORS_ORIGINS is unset (the default)', () => {
  const f = useGatewayFixture();

  it('when any Origin is sent, no Access-Control-* header comes back', async () => {
    for (const origin of ['https://evil.example', 'null', f.gateway.url]) {
      expectNoCors(await send(f.gateway.url, '/api/token', { headers: { origin } }));
    }
  });
});
