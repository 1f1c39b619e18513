import { describe, expect, it } from 'vitest';
import { json, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';
import type { Echo } from './support/upstream.js';

const f = useGatewayFixture();

describe('responses pass through unchanged (F03)', () => {
  it.each([200, 201, 404, 409])(
    'when the upstream answers %i, status, body and every Set-Cookie line arrive unchanged',
    async (status) => {
      const reply = await send(f.gateway.url, '/auth/login', {
        body: '{}',
        headers: { 'x-test-mode': 'status', 'x-test-status': String(status), 'x-test-cookies': '3' },
      });
      expect(reply.status).toBe(status);
      expect(json(reply)).toMatchObject({ status });
      expect(reply.headers['set-cookie']).toEqual([
        'c0=v0; Path=/; HttpOnly',
        'c1=v1; Path=/; HttpOnly',
        'c2=v2; Path=/; HttpOnly',
      ]);
    },
  );

  it('when the upstream answers 204, the client gets 204 with no body and its cookies', async () => {
    const reply = await send(f.gateway.url, '/auth/logout', {
      method: 'POST',
      headers: { 'x-test-mode': 'status', 'x-test-status': '204', 'x-test-cookies': '2' },
    });
    expect(reply.status).toBe(204);
    expect(reply.body.length).toBe(0);
    expect(reply.headers['set-cookie']).toHaveLength(2);
  });

  it('when the JWKS is asked for, auth answers it with 200 (not a Koa 404)', async () => {
    const reply = await send(f.gateway.url, '/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply)).toMatchObject({ upstream: 'auth', url: '/.well-known/jwks.json' });
  });

  it('when a proxied request finishes, the access log records the status the upstream gave', async () => {
    const reply = await send(f.gateway.url, '/api/pets', {
      body: '{}',
      headers: { 'x-test-mode': 'status', 'x-test-status': '201', 'x-request-id': 'log-check-201' },
    });
    expect(reply.status).toBe(201);
    const line = f.gateway.logs.find(
      (entry) => entry.requestId === 'log-check-201' && entry.msg === 'request',
    );
    expect(line).toMatchObject({ method: 'POST', path: '/api/pets', status: 201 });
  });
});

describe('paths and redirects (F05)', () => {
  it.each([
    ['/api/pets/8f14e45f-ceea-467f-a0e6-6a1f0c6b5e3d', 'pets'],
    ['/api/pets/', 'pets'],
    ['/api/token/refresh', 'auth'],
    ['/api/token?x=1&y=%20z', 'auth'],
    ['/auth/me?redirect=%2Fapi%2Fpets', 'auth'],
  ])('when %s is requested, %s gets the full path and query unchanged', async (path, upstream) => {
    const reply = await send(f.gateway.url, path);
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply)).toMatchObject({ upstream, url: path });
  });

  function redirectTo(location: string): Promise<string | undefined> {
    const headers = { 'x-test-mode': 'redirect', 'x-test-location': location };
    return send(f.gateway.url, '/auth/login', { headers }).then((reply) => {
      expect(reply.status).toBe(302);
      return reply.headers.location;
    });
  }

  it('when an upstream redirects to its own origin, the client gets a relative Location', async () => {
    expect(await redirectTo(`${f.auth.url}/auth/me?from=login#top`)).toBe('/auth/me?from=login#top');
  });

  it("when an upstream redirects to the other upstream's origin, no internal host reaches the client", async () => {
    expect(await redirectTo(`${f.pets.url}//evil.example/x`)).toBe('/evil.example/x');
  });

  it('when an upstream redirects to a public site, the Location is left alone', async () => {
    expect(await redirectTo('https://toypet.example/welcome')).toBe('https://toypet.example/welcome');
  });
});

describe('request ids', () => {
  it('when the client sends an x-request-id, the upstream gets it and the client gets it back', async () => {
    const reply = await send(f.gateway.url, '/api/pets', { headers: { 'x-request-id': 'client-id-42' } });
    expect(json<Echo>(reply).headers['x-request-id']).toBe('client-id-42');
    expect(reply.headers['x-request-id']).toBe('client-id-42');
  });

  it('when the client sends a bad one, the id the gateway picked is sent upstream and returned', async () => {
    const reply = await send(f.gateway.url, '/api/pets', {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    const sent = json<Echo>(reply).headers['x-request-id'];
    expect(sent).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['x-request-id']).toBe(sent);
  });

  it('when the client sends none, the gateway picks one, sends it upstream and returns it', async () => {
    const reply = await send(f.gateway.url, '/auth/me');
    const sent = json<Echo>(reply).headers['x-request-id'];
    expect(sent).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['x-request-id']).toBe(sent);
  });
});
