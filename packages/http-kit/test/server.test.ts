import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { createBaseApp, createLogger, serve } from '../src/index.js';

interface Outcome {
  status?: number;
  connection?: string;
  error?: string;
}

function get(url: string, agent: Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(`${url}/slow`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection ?? '' }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

describe('serve: shutdown', () => {
  it(
    'when a kept-alive client sends requests back to back during shutdown, each is answered or refused, never cut off, and it ends long before the timeout',
    { timeout: 8000 },
    async () => {
      const app = new Koa();
      app.use(async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ctx.body = 'ok';
      });
      const logger = createLogger({ name: 'serve-test', level: 'silent' });
      const running = await serve({ app, host: '127.0.0.1', port: 0, logger, shutdownTimeoutMs: 30_000 });
      const agent = new Agent({ keepAlive: true, maxSockets: 2 });
      const outcomes: Outcome[] = [];
      let go = true;
      const client = async () => {
        while (go) {
          const outcome = await get(running.url, agent);
          outcomes.push(outcome);
          if (outcome.error !== undefined) return;
        }
      };
      const clients = [client(), client()];
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      await running.close();
      const took = Date.now() - started;
      go = false;
      await Promise.all(clients);
      agent.destroy();
      expect(took).toBeLessThan(3000);
      const answered = outcomes.filter((outcome) => outcome.status !== undefined);
      expect(answered.every((outcome) => outcome.status === 200)).toBe(true);
      expect(answered.some((outcome) => outcome.connection === 'close')).toBe(true);
      expect(outcomes.filter((outcome) => outcome.error !== undefined).map((o) => o.error)).toEqual(
        outcomes.filter((outcome) => outcome.error !== undefined).map(() => 'ECONNREFUSED'),
      );
    },
  );
});

describe('serve: shutdown of idle kept-alive connections', () => {
  it('when a request arrives on an idle kept-alive connection just as shutdown begins, it is answered, not reset', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const logger = createLogger({ name: 'serve-test', level: 'silent' });
    const running = await serve({ app, host: '127.0.0.1', port: 0, logger, shutdownTimeoutMs: 5000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(running.url, agent)).status).toBe(200);
      const closing = running.close();
      // The agent still holds the idle connection and sends this one down it.
      expect(await get(running.url, agent)).toEqual({ status: 200, connection: 'close' });
      expect((await get(running.url, agent)).error).toBe('ECONNREFUSED');
      await closing;
    } finally {
      agent.destroy();
    }
  });
});

/** Sends raw HTTP and reads until the server closes (Connection: close asked). */
function raw(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(text);
  });
}

describe('serve: what the HTTP parser rejects', () => {
  it.each([
    [
      'Content-Length with Transfer-Encoding',
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      400,
      'invalid_request',
    ],
    [
      'a bad chunk size',
      'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      400,
      'invalid_request',
    ],
    ['an invalid method', 'FOO@ /x HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    [
      'headers over 16 KiB',
      `GET /x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
  ])(
    'when a request has %s, every part answers JSON %i %s and closes',
    async (_case, text, status, error) => {
      const logger = createLogger({ name: 'serve-test', level: 'silent' });
      const running = await serve({
        app: createBaseApp({ logger, readiness: {} }),
        host: '127.0.0.1',
        port: 0,
        logger,
        shutdownTimeoutMs: 1000,
      });
      try {
        const answer = await raw(running.url, text);
        expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({ error });
      } finally {
        await running.close();
      }
    },
  );
});

describe('serve with the base app: the Host header', () => {
  it('when an HTTP/1.1 request has no Host, it is a JSON 400 invalid_request with a request id; with one, or in HTTP/1.0, it is served', async () => {
    const logger = createLogger({ name: 'serve-test', level: 'silent' });
    const app = createBaseApp({ logger, readiness: {} });
    const running = await serve({ app, host: '127.0.0.1', port: 0, logger, shutdownTimeoutMs: 1000 });
    try {
      const missing = await raw(running.url, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(missing).toMatch(/^HTTP\/1\.1 400 /);
      expect(missing).toMatch(/\r\nx-request-id: /i);
      const body = JSON.parse(missing.split('\r\n\r\n')[1]!) as Record<string, unknown>;
      expect(body).toMatchObject({ error: 'invalid_request' });
      expect(body.requestId).toEqual(expect.any(String));
      const present = await raw(running.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(present).toMatch(/^HTTP\/1\.1 200 /);
      expect(await raw(running.url, 'GET /healthz HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
      const twice = await raw(
        running.url,
        'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n',
      );
      expect(twice).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(twice.split('\r\n\r\n')[1]!)).toMatchObject({ error: 'invalid_request' });
    } finally {
      await running.close();
    }
  });
});
