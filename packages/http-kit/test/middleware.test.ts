import { Writable } from 'node:stream';
import type Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, listen, type Listening } from '@toypetme/test-kit';
import { AppError, createBaseApp, createLogger, jsonBody } from '../src/index.js';

const servers: Listening[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function captureLogs(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

async function serveApp(setup: (app: Koa) => void, logs = captureLogs()): Promise<HttpClient> {
  const logger = createLogger({ name: 'test', level: 'debug', destination: logs.stream });
  const app = createBaseApp({ logger, readiness: {}, trustedProxies: ['loopback'] });
  setup(app);
  const server = await listen(app.callback());
  servers.push(server);
  return new HttpClient(server.url);
}

describe('error middleware', () => {
  it('when a handler throws an AppError, renders its code, status and headers', async () => {
    const client = await serveApp((app) =>
      app.use(() => {
        throw new AppError('too_many_attempts', 'Slow down.', { headers: { 'Retry-After': '30' } });
      }),
    );
    const reply = await client.get('/x', { headers: { 'x-request-id': 'rid-1' } });
    expect(reply.status).toBe(429);
    expect(reply.body).toEqual({ error: 'too_many_attempts', message: 'Slow down.', requestId: 'rid-1' });
    expect(reply.headers.get('retry-after')).toBe('30');
  });

  it('when a handler throws an unknown error, answers a generic 500 and logs the detail only', async () => {
    const logs = captureLogs();
    const client = await serveApp(
      (app) =>
        app.use(() => {
          throw new Error('database password is hunter2');
        }),
      logs,
    );
    const reply = await client.get('/x');
    expect(reply.status).toBe(500);
    expect(reply.body.error).toBe('internal_error');
    expect(reply.text).not.toContain('hunter2');
    expect(logs.lines.join('')).toContain('unhandled error');
  });

  it('when a Redis command fails for lack of a connection, answers 503 service_unavailable with Retry-After: 1', async () => {
    const client = await serveApp((app) =>
      app.use(() => {
        throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      }),
    );
    const reply = await client.get('/x');
    expect(reply.status).toBe(503);
    expect(reply.body.error).toBe('service_unavailable');
    expect(reply.headers.get('retry-after')).toBe('1');
  });

  it('when a 503 AppError names its own Retry-After, that one is sent', async () => {
    const client = await serveApp((app) =>
      app.use(() => {
        throw new AppError('service_unavailable', 'busy', { headers: { 'Retry-After': '7' } });
      }),
    );
    const reply = await client.get('/x');
    expect(reply.status).toBe(503);
    expect(reply.body.error).toBe('service_unavailable');
    expect(reply.headers.get('retry-after')).toBe('7');
  });

  it('when no route matches, answers a JSON 404 not_found', async () => {
    const client = await serveApp(() => undefined);
    const reply = await client.get('/missing');
    expect(reply.status).toBe(404);
    expect(reply.body.error).toBe('not_found');
  });
});

describe('jsonBody', () => {
  const echo = (app: Koa) => {
    app.use(jsonBody({ limitBytes: 64 }));
    app.use((ctx) => {
      ctx.body = { got: ctx.request.body };
    });
  };

  it('when JSON arrives, parses it; when the body is empty, gives {}', async () => {
    const client = await serveApp(echo);
    expect((await client.post('/', { a: 'é' })).body).toEqual({ got: { a: 'é' } });
    expect((await client.request('POST', '/')).body).toEqual({ got: {} });
  });

  it.each([
    ['gzip', 400, 'invalid_request'],
    ['deflate', 400, 'invalid_request'],
    ['br', 400, 'invalid_request'],
    ['x-unknown', 415, 'unsupported_media_type'],
  ])(
    'when the body claims Content-Encoding %s but is plain, answers %i %s (never 500)',
    async (encoding, status, code) => {
      const client = await serveApp(echo);
      const reply = await client.request('POST', '/', {
        body: '{"a":1}',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      expect(reply.status).toBe(status);
      expect(reply.body.error).toBe(code);
    },
  );

  it.each([
    ['text/plain', 'hello', 415, 'unsupported_media_type'],
    ['application/json', '{"a":', 400, 'invalid_request'],
    ['application/json', '[1]', 400, 'invalid_request'],
    ['application/json', JSON.stringify({ a: 'x'.repeat(100) }), 413, 'payload_too_large'],
  ])('when sent as %s with %j, answers %i %s', async (type, body, status, code) => {
    const client = await serveApp(echo);
    const reply = await client.request('POST', '/', { body, headers: { 'content-type': type } });
    expect(reply.status).toBe(status);
    expect(reply.body.error).toBe(code);
  });
});

describe('logger', () => {
  it('when an object with secrets is logged, they are redacted', () => {
    const logs = captureLogs();
    const logger = createLogger({ name: 'redact', destination: logs.stream });
    logger.info(
      { password: 'pw-123', body: { token: 'tok-456', refreshToken: 'ref-789' }, headers: { cookie: 'c=1' } },
      'x',
    );
    const text = logs.lines.join('');
    for (const secret of ['pw-123', 'tok-456', 'ref-789', 'c=1']) expect(text).not.toContain(secret);
  });

  it('when an error carrying a Redis command is logged, the command arguments stay out', () => {
    const logs = captureLogs();
    const logger = createLogger({ name: 'redact', destination: logs.stream });
    const err = Object.assign(new Error('WRONGTYPE'), {
      command: { name: 'set', args: ['sess:secret-session-id'] },
    });
    logger.error({ err }, 'failed');
    const text = logs.lines.join('');
    expect(text).toContain('WRONGTYPE');
    expect(text).not.toContain('secret-session-id');
  });
});

describe('forwarded headers', () => {
  it('when the peer is trusted, ctx.ip and ctx.secure come from X-Forwarded-*; when not, they are ignored', async () => {
    const show = (app: Koa) =>
      app.use((ctx) => {
        ctx.body = { ip: ctx.ip, secure: ctx.secure };
      });
    const trusted = await serveApp(show);
    const headers = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
    expect((await trusted.get('/', { headers })).body).toEqual({ ip: '203.0.113.9', secure: true });

    const logger = createLogger({ name: 'test', level: 'silent' });
    const app = createBaseApp({ logger, readiness: {}, trustedProxies: [] });
    show(app);
    const server = await listen(app.callback());
    servers.push(server);
    const reply = await new HttpClient(server.url).get('/', { headers });
    expect(reply.body.secure).toBe(false);
    expect(reply.body.ip).not.toBe('203.0.113.9');
  });
});

describe('health', () => {
  it('when every check passes /readyz is 200; when one fails it is 503 naming it, with Retry-After', async () => {
    const logger = createLogger({ name: 'test', level: 'silent' });
    const app = createBaseApp({
      logger,
      readiness: { redis: () => Promise.resolve(), jwks: () => Promise.reject(new Error('x')) },
    });
    const server = await listen(app.callback());
    servers.push(server);
    const client = new HttpClient(server.url);
    expect((await client.get('/healthz')).status).toBe(200);
    const ready = await client.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe('service_unavailable');
    expect(ready.body.checks).toEqual({ redis: 'up', jwks: 'down' });
    expect(ready.headers.get('retry-after')).toBe('1');
  });
});

describe('security headers', () => {
  it.each([
    ['a success', '/ok'],
    ['an AppError', '/fail'],
    ['an unknown error (500)', '/crash'],
    ['an unmatched route (404)', '/nowhere'],
    ['/healthz', '/healthz'],
  ])(
    'when a service answers with %s, the helmet headers are on it and X-Powered-By is not',
    async (_label, path) => {
      const client = await serveApp((app) =>
        app.use((ctx, next) => {
          if (ctx.path === '/ok') ctx.body = { ok: true };
          else if (ctx.path === '/fail') throw new AppError('invalid_request', 'No.');
          else if (ctx.path === '/crash') throw new Error('boom');
          else return next();
          return undefined;
        }),
      );
      const reply = await client.get(path);
      expect(reply.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(reply.headers.get('x-powered-by')).toBeNull();
    },
  );
});
