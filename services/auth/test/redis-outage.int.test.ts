import { createHmac } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createLogger, createRedis, type RedisClient } from '@toypetme/http-kit';
import { authKeys } from '../src/stores/keys.js';
import { RedisSessionStore } from '../src/stores/redis-session-store.js';
import { RedisUserStore } from '../src/stores/redis-user-store.js';
import { PASSWORD, startAuth, type RunningAuth } from './fixtures.js';

const logger = createLogger({ name: 'outage-test', level: 'silent' });

/** A "Redis" that accepts connections and never answers: a frozen server. */
async function frozenRedis(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function authOn(redis: RedisClient): Promise<RunningAuth> {
  const keys = authKeys('test-outage:');
  return startAuth({ users: new RedisUserStore(redis, keys), sessions: new RedisSessionStore(redis, keys) });
}

describe.each([
  [
    'stopped (connection refused)',
    () => Promise.resolve({ url: 'redis://127.0.0.1:1', close: () => Promise.resolve() }),
  ],
  ['frozen (never answers)', frozenRedis],
])('when Redis is %s', (_label, makeServer) => {
  let auth: RunningAuth;
  let redis: RedisClient;
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    server = await makeServer();
    redis = createRedis({ target: { mode: 'standalone', url: server.url }, logger, commandTimeoutMs: 500 });
    await connectRedis(redis, logger);
    auth = await authOn(redis);
  });
  afterAll(async () => {
    await auth.close();
    redis.disconnect();
    await server.close();
  });

  it('login, register and /auth/me with a signed cookie answer 503 service_unavailable, never 401 or 500', async () => {
    // A correctly signed cookie, so the session really has to be looked up in Redis.
    const signature = createHmac('sha1', auth.deps.sessionKeys[0] ?? '')
      .update('tpm.sid=abc')
      .digest('base64url');
    const cookie = `tpm.sid=abc; tpm.sid.sig=${signature}`;
    const replies = [
      await auth.client().post('/auth/login', { email: 'a@example.test', password: PASSWORD }),
      await auth.client().post('/auth/register', { email: 'b@example.test', password: PASSWORD }),
    ];
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.body.error).toBe('service_unavailable');
    }
    const me = await auth.client().get('/auth/me', { headers: { cookie } });
    expect(me.status).toBe(503);
    expect(me.body.error).toBe('service_unavailable');
  });

  it('the JWKS is still served from memory', async () => {
    const reply = await auth.client().get('/.well-known/jwks.json');
    expect(reply.status).toBe(200);
  });
});
