import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '@toypetme/test-kit';
import type { PartName, Stack } from '../src/stack.js';
import { abandon, exchange } from './raw-http.js';
import { api, redisStack, signUp, type Person } from './support.js';

// FIELD-CASES F06, F07, F09, F19 with the real processes: upstreams are stopped, frozen and
// restarted under the gateway, and clients misbehave at it.
const UPSTREAM_TIMEOUT_MS = 3000;
const JWKS_TIMEOUT_MS = 2000;

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack({
    env: { UPSTREAM_TIMEOUT: `${UPSTREAM_TIMEOUT_MS}ms`, JWKS_TIMEOUT: `${JWKS_TIMEOUT_MS}ms` },
  });
});
afterAll(() => stack?.close());

async function timed<T>(request: Promise<Reply<T>>): Promise<{ reply: Reply<T>; ms: number }> {
  const started = Date.now();
  const reply = await request;
  return { reply, ms: Date.now() - started };
}

/** Polls until `check` holds; fails after `withinMs`. Resolves to the time it took. */
async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within ${withinMs} ms`);
}

/** Register, log in, token, create and list a pet: every part answers as it should. */
async function expectFullFlow(): Promise<Person> {
  const person = await signUp(stack);
  const created = await api(stack).post(
    '/api/pets',
    { name: 'Rex', species: 'dog' },
    { bearer: person.token },
  );
  expect(created.status).toBe(201);
  const listed = await api(stack).get<{ pets: unknown[] }>('/api/pets', { bearer: person.token });
  expect(listed.body.pets).toHaveLength(1);
  return person;
}

function expectNoUnhandledErrors(): void {
  for (const part of ['gateway', 'auth', 'pets'] as PartName[]) {
    expect({ part, output: stack.output(part) }).not.toEqual({
      part,
      output: expect.stringMatching(/unhandled error|uncaught/i),
    });
  }
}

describe('when the pets service is stopped (F06)', () => {
  it('pets routes answer 502 upstream_unavailable within 2 s, auth keeps answering, and pets work again after a restart', async () => {
    const { web, token } = await signUp(stack);
    expect(await stack.stop('pets')).toBe(0); // SIGTERM: a clean exit
    const down = await timed(api(stack).get('/api/pets', { bearer: token }));
    expect(down.reply.status).toBe(502);
    expect(down.reply.body.error).toBe('upstream_unavailable');
    expect(down.ms).toBeLessThan(2000);
    const ready = await api(stack).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe('service_unavailable');
    expect((await web.get('/auth/me')).status).toBe(200);
    await stack.start('pets');
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
  });
});

describe('when the pets service is frozen (F06)', () => {
  it('pets routes answer 504 upstream_timeout within UPSTREAM_TIMEOUT, auth keeps answering, and pets answer again after SIGCONT', async () => {
    const { web, token } = await signUp(stack);
    stack.signal('pets', 'SIGSTOP');
    try {
      const [frozen, me] = await Promise.all([
        timed(api(stack).get('/api/pets', { bearer: token })),
        timed(web.get('/auth/me')),
      ]);
      expect(frozen.reply.status).toBe(504);
      expect(frozen.reply.body.error).toBe('upstream_timeout');
      expect(frozen.ms).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 100);
      expect(frozen.ms).toBeLessThan(UPSTREAM_TIMEOUT_MS + 1000);
      expect(me.reply.status).toBe(200);
      expect(me.ms).toBeLessThan(1000);
    } finally {
      stack.signal('pets', 'SIGCONT');
    }
    await eventually(async () => (await api(stack).get('/api/pets', { bearer: token })).status === 200, 2000);
    await expectFullFlow();
  });
});

describe('when the auth service restarts', () => {
  it('tokens it issued before still open /api/pets and the web session still gets tokens', async () => {
    const { web, token } = await signUp(stack);
    expect(await stack.stop('auth')).toBe(0);
    await stack.start('auth');
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
    const fresh = await web.get<{ token: string }>('/api/token');
    expect(fresh.status).toBe(200);
    expect((await api(stack).get('/api/pets', { bearer: fresh.body.token })).status).toBe(200);
  });
});

describe('when the auth service is frozen (F19)', () => {
  it('pets with cached keys serves 200; a pets started meanwhile answers 503 service_unavailable within JWKS_TIMEOUT + 1 s; 200 again within 2 s of SIGCONT', async () => {
    const { token } = await signUp(stack);
    stack.signal('auth', 'SIGSTOP');
    try {
      const warm = await timed(api(stack).get('/api/pets', { bearer: token }));
      expect(warm.reply.status).toBe(200);
      expect(warm.ms).toBeLessThan(1000);
      const authRoute = await api(stack).get('/.well-known/jwks.json');
      expect(authRoute.status).toBe(504);
      expect(authRoute.body.error).toBe('upstream_timeout');
      // A fresh pets process has no keys and cannot fetch any.
      expect(await stack.stop('pets')).toBe(0);
      await stack.start('pets');
      const cold = await timed(api(stack).get('/api/pets', { bearer: token }));
      expect(cold.reply.status).toBe(503);
      expect(cold.reply.body.error).toBe('service_unavailable');
      expect(cold.ms).toBeLessThan(JWKS_TIMEOUT_MS + 1000);
    } finally {
      stack.signal('auth', 'SIGCONT');
    }
    const back = await eventually(
      async () => (await api(stack).get('/api/pets', { bearer: token })).status === 200,
      2000,
    );
    expect(back).toBeLessThan(2000);
  });
});

describe('when clients misbehave (F07, F09)', () => {
  it('when 90 requests are closed or reset mid-upload, while waiting and mid-response, the gateway keeps running and the full flow still works', async () => {
    const { token } = await signUp(stack);
    const auth = `Authorization: Bearer ${token}\r\n`;
    const midUpload = `POST /api/pets HTTP/1.1\r\nHost: gw\r\n${auth}Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"name":"`;
    const waiting = `GET /api/pets HTTP/1.1\r\nHost: gw\r\n${auth}\r\n`;
    const midResponse = `GET /.well-known/jwks.json HTTP/1.1\r\nHost: gw\r\n\r\n`;
    const leave = (head: string, when: 'after-write' | 'first-byte') =>
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          abandon(stack.gatewayUrl, head, i % 2 === 0 ? 'destroy' : 'reset', when),
        ),
      );
    // While pets is frozen every request waits for it: the clients give up first.
    stack.signal('pets', 'SIGSTOP');
    try {
      await leave(waiting, 'after-write');
    } finally {
      stack.signal('pets', 'SIGCONT');
    }
    await Promise.all([leave(midUpload, 'after-write'), leave(midResponse, 'first-byte')]);
    await expectFullFlow();
    expect((await api(stack).get('/readyz')).status).toBe(200);
    expectNoUnhandledErrors();
  });

  it('when a header is 20 KB, the client gets a JSON 431 headers_too_large within 1 s and the gateway lives on; a 12 KB Cookie with a live session still works', async () => {
    const started = Date.now();
    const answer = await exchange(
      stack.gatewayUrl,
      `GET /api/pets HTTP/1.1\r\nHost: gw\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    const [head = '', json = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(json)).toMatchObject({ error: 'headers_too_large' });
    const person = await expectFullFlow();
    const cookie = `${person.web.cookieHeader()}; padding=${'p'.repeat(12 * 1024)}`;
    const me = await api(stack).get('/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: person.email });
  });
});
