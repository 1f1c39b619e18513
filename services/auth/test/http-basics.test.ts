import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedIn, PASSWORD, startAuth, uniqueEmail, type RunningAuth } from './fixtures.js';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth({ readiness: { redis: () => Promise.reject(new Error('down')) } });
});
afterAll(() => auth.close());

describe('content types and sizes', () => {
  it.each([
    ['text/plain', 'email=a&password=b'],
    ['application/x-www-form-urlencoded', 'email=a%40example.test&password=password123'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--',
    ],
  ])(
    'when login or register is sent as %s, answers 415 unsupported_media_type and sets no cookie',
    async (type, body) => {
      for (const path of ['/auth/login', '/auth/register']) {
        const reply = await auth.client().request('POST', path, { body, headers: { 'content-type': type } });
        expect(reply.status).toBe(415);
        expect(reply.body.error).toBe('unsupported_media_type');
        expect(reply.setCookies).toEqual([]);
      }
    },
  );

  it.each(['/auth/logout', '/auth/logout-all'])(
    'when %s is sent a form or text body, answers 415 unsupported_media_type and the session lives on',
    async (path) => {
      const { client } = await loggedIn(auth);
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const reply = await client.request('POST', path, { body: 'x=1', headers: { 'content-type': type } });
        expect(reply.status).toBe(415);
        expect(reply.body.error).toBe('unsupported_media_type');
      }
      expect((await client.get('/auth/me')).status).toBe(200);
      expect((await client.post(path)).status).toBe(204);
      expect((await client.get('/auth/me')).status).toBe(401);
    },
  );

  it('when the body is over 16 KiB, answers 413 payload_too_large', async () => {
    const reply = await auth
      .client()
      .post('/auth/register', { email: uniqueEmail(), password: 'x'.repeat(17 * 1024) });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toBe('payload_too_large');
  });

  it('when the body is sent chunked and is over 16 KiB, answers 413 payload_too_large', async () => {
    const big = JSON.stringify({ email: uniqueEmail(), password: 'y'.repeat(20 * 1024) });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const response = await fetch(`${auth.url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe('payload_too_large');
  });

  it('when a chunked body is refused part-way with 413, the rest is discarded and the kept-alive connection serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await sendChunked(agent, '/api/token/refresh', [
        '{"refreshToken":"',
        'x'.repeat(200 * 1024),
        '"}',
      ]);
      expect(refused.status).toBe(413);
      expect(refused.error).toBe('payload_too_large');
      // The next request goes down the same connection and gets its answer (without the
      // discard it hung on the wedged socket).
      const next = await sendChunked(agent, '/auth/me', []);
      expect(next.status).toBe(401);
      expect(next.error).toBe('not_authenticated');
      expect(next.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it.each(['{bad', '[1,2]', '"string"', 'null'])(
    'when the JSON body is %s, answers 400 invalid_request',
    async (body) => {
      const reply = await auth
        .client()
        .request('POST', '/auth/login', { body, headers: { 'content-type': 'application/json' } });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('invalid_request');
    },
  );
});

describe('routing and ids', () => {
  it('when the route is unknown, answers a JSON 404 not_found without a stack trace', async () => {
    const reply = await auth.client().get('/auth/../../etc/passwd');
    expect(reply.status).toBe(404);
    expect(reply.body.error).toBe('not_found');
    expect(reply.text).not.toMatch(/at .*\.js/);
  });

  it.each(['DELETE', 'LINK', 'PROPFIND', 'PURGE'])(
    'when %s is used on a route, answers 405 method_not_allowed',
    async (method) => {
      const reply = await auth.client().request(method, '/auth/login');
      expect(reply.status).toBe(405);
      expect(reply.body.error).toBe('method_not_allowed');
    },
  );

  it('when a method the router does not know is used on an unknown path, answers 405, not 500', async () => {
    const reply = await auth.client().request('PROPFIND', '/.well-known/nope');
    expect(reply.status).toBe(405);
    expect(reply.body.error).toBe('method_not_allowed');
  });

  it('when a sane x-request-id is sent it is echoed, and an unsafe one is replaced', async () => {
    const sane = await auth.client().get('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(sane.headers.get('x-request-id')).toBe('abc-123');
    const unsafe = await auth
      .client()
      .post(
        '/auth/login',
        { email: uniqueEmail(), password: PASSWORD },
        { headers: { 'x-request-id': 'x'.repeat(300) } },
      );
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(unsafe.body.requestId).toBe(unsafe.headers.get('x-request-id'));
  });
});

describe('health', () => {
  it('when alive, /healthz is 200; when a dependency is down, /readyz is 503 naming it', async () => {
    expect((await auth.client().get('/healthz')).status).toBe(200);
    const ready = await auth.client().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe('service_unavailable');
    expect(ready.body.message).toContain('redis');
  });
});

/** A request over `agent`: POST with each chunk written separately (chunked), or GET with none. */
function sendChunked(
  agent: Agent,
  path: string,
  chunks: string[],
): Promise<{ status: number; error: unknown; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${auth.url}${path}`, {
      agent,
      method: chunks.length > 0 ? 'POST' : 'GET',
      headers: chunks.length > 0 ? { 'content-type': 'application/json' } : {},
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          error: (JSON.parse(Buffer.concat(parts).toString('utf8')) as { error?: unknown }).error,
          reusedSocket: req.reusedSocket,
        }),
      );
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
