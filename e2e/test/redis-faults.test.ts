import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisProcess, type RestartableRedis, type Reply } from '@toypetme/test-kit';
import { startStack, type Stack } from '../src/stack.js';
import { api, PASSWORD, signUp, uniqueEmail, type Person } from './support.js';

// CONTRACT "Failure and abuse", FIELD-CASES F17/F18: the stack runs on a Redis of this file's own,
// which is crashed, frozen and restarted under it; the services are never restarted.

interface Pair {
  token: string;
  refreshToken: string;
}

type Answer = Reply<Record<string, unknown>>;

interface Timed {
  reply: Answer;
  ms: number;
}

let redis: RestartableRedis;
let stack: Stack;
beforeAll(async () => {
  redis = await startRedisProcess({ appendOnly: true });
  // A short reuse grace, so a late write is told from a retry within the test's time.
  stack = await startStack({ redisUrl: redis.url, env: { JWT_REFRESH_REUSE_GRACE: '2s' } });
});
afterAll(async () => {
  await stack?.close();
  await redis?.close();
});

async function timed(request: Promise<Answer>): Promise<Timed> {
  const started = Date.now();
  const reply = await request;
  return { reply, ms: Date.now() - started };
}

/** Polls until every route that needs Redis answers again; fails after `withinMs`. */
async function recovered(person: Person, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    const [me, pets] = await Promise.all([
      person.web.get('/auth/me'),
      api(stack).get('/api/pets', { bearer: person.token }),
    ]);
    if (me.status === 200 && pets.status === 200) return Date.now() - started;
    expect([200, 503]).toContain(me.status);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not recovered within ${withinMs} ms`);
}

interface Outage {
  jwks: Timed;
  needsRedis: [string, Timed][];
}

/** Every kind of request at once while Redis is unusable. */
async function duringOutage(person: Person, pair: Pair): Promise<Outage> {
  const client = api(stack);
  const cookie = { headers: { cookie: person.web.cookieHeader() } };
  const credentials = { email: person.email, password: PASSWORD };
  const requests: [string, Promise<Answer>][] = [
    ['GET /auth/me', client.get('/auth/me', cookie)],
    ['GET /api/token', client.get('/api/token', cookie)],
    ['POST /auth/logout', client.post('/auth/logout', undefined, cookie)],
    ['POST /auth/login', client.post('/auth/login', credentials)],
    ['POST /auth/login over a session', client.post('/auth/login', credentials, cookie)],
    [
      'POST /auth/register',
      client.post('/auth/register', { email: uniqueEmail('outage'), password: PASSWORD }),
    ],
    ['POST /api/token/refresh', client.post('/api/token/refresh', { refreshToken: pair.refreshToken })],
    ['GET /api/pets', client.get('/api/pets', { bearer: person.token })],
    ['POST /api/pets', client.post('/api/pets', { name: 'Ghost', species: 'cat' }, { bearer: person.token })],
  ];
  const [jwks, ...answers] = await Promise.all([
    timed(client.get('/.well-known/jwks.json')),
    ...requests.map(([, request]) => timed(request)),
  ]);
  return { jwks, needsRedis: answers.map((answer, i) => [requests[i]?.[0] ?? '?', answer]) };
}

function expectOutageAnswers({ jwks, needsRedis }: Outage): void {
  expect(jwks.reply.status).toBe(200);
  expect(jwks.ms).toBeLessThan(1000);
  for (const [name, { reply, ms }] of needsRedis) {
    expect({ name, status: reply.status, error: reply.body.error }).toEqual({
      name,
      status: 503,
      error: 'service_unavailable',
    });
    expect({ name, fast: ms < 3000 }).toEqual({ name, fast: true });
    // Nothing that would log the browser out: no cookie is set or cleared.
    expect({ name, setCookies: reply.setCookies }).toEqual({ name, setCookies: [] });
  }
}

/** After recovery, the session, the refresh token from before and every route work again. */
async function expectEverythingWorks(person: Person, pair: Pair): Promise<void> {
  const client = api(stack);
  expect((await person.web.get('/auth/me')).status).toBe(200);
  const next = await client.post<Pair>('/api/token/refresh', { refreshToken: pair.refreshToken });
  expect(next.status).toBe(200);
  const after = await client.post<Pair>('/api/token/refresh', { refreshToken: next.body.refreshToken });
  expect(after.status).toBe(200);
  expect((await client.get('/api/pets', { bearer: after.body.token })).status).toBe(200);
  expect((await person.web.get('/api/token')).status).toBe(200);
  expect((await client.post('/auth/login', { email: person.email, password: PASSWORD })).status).toBe(200);
  const email = uniqueEmail('after');
  expect((await client.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
}

async function personWithPair(): Promise<{ person: Person; pair: Pair }> {
  const person = await signUp(stack);
  const pair = (await person.web.get<Pair>('/api/token')).body;
  return { person, pair };
}

describe('when Redis crashes (SIGKILL) and comes back on the same port (F17)', () => {
  it('the JWKS answers within 1 s, every route that needs Redis answers 503 service_unavailable within 3 s and keeps the cookie, and within 10 s of the restart everything works with the same session and refresh token', async () => {
    const { person, pair } = await personWithPair();
    await redis.stop('SIGKILL');
    expectOutageAnswers(await duringOutage(person, pair));
    // Still 503 on a second round (the client does not give up or wedge while reconnecting).
    expectOutageAnswers(await duringOutage(person, pair));
    await redis.start();
    expect(await recovered(person, 10_000)).toBeLessThan(10_000);
    await expectEverythingWorks(person, pair);
  });
});

describe('when Redis is frozen (SIGSTOP) and then thawed (SIGCONT)', () => {
  it('the JWKS answers within 1 s, every route that needs Redis answers 503 service_unavailable within 3 s, never hangs and never logs the user out; within 10 s of the thaw everything works', async () => {
    const { person, pair } = await personWithPair();
    redis.freeze();
    try {
      expectOutageAnswers(await duringOutage(person, pair));
    } finally {
      redis.thaw();
    }
    expect(await recovered(person, 10_000)).toBeLessThan(10_000);
    // The refresh that timed out reached Redis only at the thaw: retrying it still gets a pair
    // (the same one, within the grace), and that pair's refresh token works in turn.
    await expectEverythingWorks(person, pair);
  });

  it('when a refresh times out while Redis is frozen, retrying it after the thaw gets a pair (the same pair when repeated) and the family lives on', async () => {
    const { person, pair } = await personWithPair();
    redis.freeze();
    let lost: Answer;
    try {
      lost = await api(stack).post('/api/token/refresh', { refreshToken: pair.refreshToken });
    } finally {
      redis.thaw();
    }
    expect(lost.status).toBe(503);
    expect(lost.body.error).toBe('service_unavailable');
    await recovered(person, 10_000);
    const retry = await api(stack).post<Pair>('/api/token/refresh', { refreshToken: pair.refreshToken });
    expect(retry.status).toBe(200);
    const again = await api(stack).post<Pair>('/api/token/refresh', { refreshToken: pair.refreshToken });
    expect(again.text).toBe(retry.text);
    const next = await api(stack).post<Pair>('/api/token/refresh', { refreshToken: retry.body.refreshToken });
    expect(next.status).toBe(200);
    expect((await api(stack).get('/api/pets', { bearer: next.body.token })).status).toBe(200);
  });
});

describe('when Redis restarts cleanly with append-only persistence (F18)', () => {
  it('sessions, refresh tokens, users and pets are all still there', async () => {
    const { person, pair } = await personWithPair();
    const created = await api(stack).post<{ pet: { id: string } }>(
      '/api/pets',
      { name: 'Persistent', species: 'tortoise' },
      { bearer: person.token },
    );
    expect(created.status).toBe(201);
    await redis.stop('SIGTERM');
    await redis.start();
    await recovered(person, 10_000);
    const pet = await api(stack).get<{ pet: { name: string } }>(`/api/pets/${created.body.pet.id}`, {
      bearer: person.token,
    });
    expect(pet.body.pet?.name).toBe('Persistent');
    await expectEverythingWorks(person, pair);
  });
});

describe('when a request got its 503, nothing it asked for is written later', () => {
  it('when Redis is frozen, then crashes and restarts, the writes the 503s answered are not replayed on the new connection', async () => {
    const { person } = await personWithPair();
    const email = uniqueEmail('replay');
    redis.freeze();
    const replies = await Promise.all([
      api(stack).post('/api/pets', { name: 'Ghost', species: 'cat' }, { bearer: person.token }),
      api(stack).post('/auth/register', { email, password: PASSWORD }),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([503, 503]);
    await redis.stop('SIGKILL');
    await redis.start();
    await recovered(person, 10_000);
    expect((await api(stack).get('/api/pets', { bearer: person.token })).body).toEqual({ pets: [] });
    expect((await api(stack).post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
  });

  it('when Redis holds back writes (CLIENT PAUSE WRITE, as in a failover) past the refresh timeout and the reuse grace, the late spend changes nothing and the retried refresh rotates', async () => {
    const { person, pair } = await personWithPair();
    const admin = new Redis(redis.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '3500', 'WRITE');
      const lost = await timed(api(stack).post('/api/token/refresh', { refreshToken: pair.refreshToken }));
      expect(lost.reply.status).toBe(503);
      expect(lost.reply.body.error).toBe('service_unavailable');
      expect(lost.ms).toBeLessThan(3000);
    } finally {
      admin.disconnect();
    }
    // By now the pause is over and Redis has run the spend auth gave up on, well after the grace.
    await recovered(person, 10_000);
    const retry = await api(stack).post<Pair>('/api/token/refresh', { refreshToken: pair.refreshToken });
    expect(retry.status).toBe(200);
    const next = await api(stack).post<Pair>('/api/token/refresh', { refreshToken: retry.body.refreshToken });
    expect(next.status).toBe(200);
  });
});

describe('when Redis is unusable at shutdown', () => {
  it('when auth (Redis crashed) and pets (Redis frozen) get SIGTERM, each still exits 0 within 3 s', async () => {
    const quickly = async (part: 'auth' | 'pets') => {
      const started = Date.now();
      expect(await stack.stop(part)).toBe(0);
      expect(Date.now() - started).toBeLessThan(3000);
    };
    redis.freeze();
    try {
      await quickly('pets');
    } finally {
      redis.thaw();
    }
    await redis.stop('SIGKILL');
    await quickly('auth');
    await redis.start();
    await stack.start('auth');
    await stack.start('pets');
    const { person, pair } = await personWithPair();
    await expectEverythingWorks(person, pair);
  });
});
