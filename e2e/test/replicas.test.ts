import { decodeProtectedHeader } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '@toypetme/test-kit';
import type { ReplicatedPart, Stack } from '../src/stack.js';
import { expectFullFlow } from './full-flow.js';
import { PASSWORD, redisStack, uniqueEmail } from './support.js';

// Two auth and two pets processes behind one gateway (AUTH_URL and PETS_URL lists), on the shared
// Redis under this stack's own key prefix. Access logs are on, so each replica's output tells
// which requests it served.

interface Pair {
  token: string;
  refreshToken: string;
}

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack({ replicas: { auth: 2, pets: 2 }, env: { LOG_LEVEL: 'info' } });
});
afterAll(() => stack?.close());

const replica = (part: ReplicatedPart, index: number) => new HttpClient(stack.replicaUrls[part][index]!);

/** Requests (access-log lines) replica `index` of `part` has served so far. */
const served = (part: ReplicatedPart, index: number) =>
  stack
    .fullOutput(part, index)
    .split('\n')
    .filter((line) => line.includes('"msg":"request"')).length;

/** A client of `target` carrying the session cookie `from` holds. */
function withSession(target: HttpClient, from: HttpClient): HttpClient {
  for (const [name, value] of from.cookies) target.cookies.set(name, value);
  return target;
}

describe('two auth replicas on one Redis', () => {
  it('when a session starts on one, the other serves it, refreshes work on either, and logout on one ends it on both', async () => {
    const [a, b] = [replica('auth', 0), replica('auth', 1)];
    const email = uniqueEmail('replica');
    expect((await a.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await a.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
    withSession(b, a);
    expect((await b.get<{ user: { email: string } }>('/auth/me')).body.user.email).toBe(email);

    const issued = await b.get<Pair>('/api/token');
    expect(issued.status).toBe(200);
    const rotated = await a.post<Pair>('/api/token/refresh', { refreshToken: issued.body.refreshToken });
    expect(rotated.status).toBe(200);
    // The lost-response replay, answered by the other replica: the identical pair.
    const replayed = await b.post<Pair>('/api/token/refresh', { refreshToken: issued.body.refreshToken });
    expect(replayed.body).toEqual(rotated.body);
    const latest = await b.post<Pair>('/api/token/refresh', { refreshToken: rotated.body.refreshToken });
    expect(latest.status).toBe(200);
    for (const pets of [replica('pets', 0), replica('pets', 1)]) {
      expect((await pets.get('/api/pets', { bearer: latest.body.token })).status).toBe(200);
    }

    expect((await b.post('/auth/logout')).status).toBe(204);
    for (const client of [withSession(new HttpClient(stack.replicaUrls.auth[0]!), a), b]) {
      const me = await client.get('/auth/me');
      expect(me.status).toBe(401);
      expect(me.body.error).toBe('not_authenticated');
    }
    const token = await withSession(new HttpClient(stack.replicaUrls.auth[0]!), a).get('/api/token');
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('not_authenticated');
    const refresh = await a.post('/api/token/refresh', { refreshToken: latest.body.refreshToken });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe('invalid_refresh_token');
  });

  it('when both are asked, they publish the same keys and sign with the same current key', async () => {
    const jwks = await Promise.all([0, 1].map((i) => replica('auth', i).get('/.well-known/jwks.json')));
    expect(jwks[0]!.body).toEqual(jwks[1]!.body);
    const kids = await Promise.all(
      [0, 1].map(async (i) => {
        const client = replica('auth', i);
        const email = uniqueEmail('kid');
        await client.post('/auth/register', { email, password: PASSWORD });
        await client.post('/auth/login', { email, password: PASSWORD });
        return decodeProtectedHeader((await client.get<Pair>('/api/token')).body.token).kid;
      }),
    );
    expect(kids[0]).toBeDefined();
    expect(kids[0]).toBe(kids[1]);
  });
});

describe('the gateway over the replicas', () => {
  it('when people go through the whole flow, every replica takes part', async () => {
    const before = [served('auth', 0), served('auth', 1), served('pets', 0), served('pets', 1)];
    for (let i = 0; i < 3; i += 1) await expectFullFlow(stack.gatewayUrl);
    const after = [served('auth', 0), served('auth', 1), served('pets', 0), served('pets', 1)];
    expect(after.map((count, i) => count - before[i]!).every((count) => count > 0)).toBe(true);
  });

  it(
    'when one auth and one pets replica stop mid-run and come back, every request keeps succeeding',
    { timeout: 60_000 },
    async () => {
      const failures: unknown[] = [];
      let running = true;
      let flows = 0;
      const worker = async (): Promise<void> => {
        while (running) {
          await expectFullFlow(stack.gatewayUrl).then(
            () => (flows += 1),
            (err: unknown) => failures.push(err),
          );
        }
      };
      const workers = Array.from({ length: 3 }, () => worker());
      await sleep(1500);
      expect(await stack.stopReplica('auth', 1)).toBe(0);
      expect(await stack.stopReplica('pets', 1)).toBe(0);
      const [flowsWhileDown, auth0] = [flows, served('auth', 0)];
      await sleep(2500);
      expect(flows).toBeGreaterThan(flowsWhileDown);
      expect(served('auth', 0)).toBeGreaterThan(auth0);
      const [auth1, pets1] = [served('auth', 1), served('pets', 1)];
      await stack.startReplica('auth', 1);
      await stack.startReplica('pets', 1);
      // Back in rotation: each restarted replica serves requests again.
      const deadline = Date.now() + 20_000;
      while ((served('auth', 1) <= auth1 || served('pets', 1) <= pets1) && Date.now() < deadline)
        await sleep(200);
      running = false;
      await Promise.all(workers);
      if (failures.length > 0) {
        // What the gateway saw, for the failure message.
        const lines = stack.fullOutput('gateway').split('\n');
        console.log(lines.filter((line) => /"status":50|upstream request failed/.test(line)).join('\n'));
      }
      expect(failures).toEqual([]);
      expect(served('auth', 1)).toBeGreaterThan(auth1);
      expect(served('pets', 1)).toBeGreaterThan(pets1);
      // The gateway noticed the stopped replicas rather than never sending them anything.
      expect(stack.fullOutput('gateway')).toContain('upstream replica marked down');
    },
  );
});
