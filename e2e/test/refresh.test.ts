import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { api, redisStack, signUp } from './support.js';

interface Pair {
  token: string;
  refreshToken: string;
  refreshExpiresIn: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: Stack;
let quick: Stack;
beforeAll(async () => {
  stack = await redisStack();
  // Real waits instead of a fake clock: a 300 ms grace and 3 s families.
  quick = await redisStack({ env: { JWT_REFRESH_REUSE_GRACE: '300ms', JWT_REFRESH_EXPIRATION: '3s' } });
});
afterAll(async () => {
  await stack?.close();
  await quick?.close();
});

async function firstPair(on: Stack) {
  const person = await signUp(on);
  const pair = (await person.web.get<Pair>('/api/token')).body;
  return { ...person, pair };
}

const refresh = (on: Stack, refreshToken: string) =>
  api(on).post<Pair>('/api/token/refresh', { refreshToken });

describe('refresh through the gateway', () => {
  it('when the app refreshes, the new access token opens /api/pets and the family stays the same', async () => {
    const { pair } = await firstPair(stack);
    const next = await refresh(stack, pair.refreshToken);
    expect(next.status).toBe(200);
    expect(next.headers.get('cache-control')).toBe('no-store');
    expect(decodeJwt(next.body.token).sid).toBe(decodeJwt(pair.token).sid);
    expect((await api(stack).get('/api/pets', { bearer: next.body.token })).status).toBe(200);
  });

  it('when the same refresh is sent twice (a lost response), both answers are byte-identical', async () => {
    const { pair } = await firstPair(stack);
    const [a, b] = await Promise.all([refresh(stack, pair.refreshToken), refresh(stack, pair.refreshToken)]);
    expect(a.status).toBe(200);
    expect(b.text).toBe(a.text);
  });

  it('when a spent token is reused after the grace, the family dies and another family lives on', async () => {
    const { pair, web } = await firstPair(quick);
    const other = (await web.get<Pair>('/api/token')).body;
    const next = await refresh(quick, pair.refreshToken);
    await sleep(400);
    const reuse = await refresh(quick, pair.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe('invalid_refresh_token');
    expect((await refresh(quick, next.body.refreshToken)).status).toBe(401);
    expect((await refresh(quick, other.refreshToken)).status).toBe(200);
  });

  it('when the family is older than JWT_REFRESH_EXPIRATION, refresh answers 401 even after a recent rotation', async () => {
    const { pair } = await firstPair(quick);
    await sleep(1500);
    const recent = await refresh(quick, pair.refreshToken);
    expect(recent.status).toBe(200);
    await sleep(1600);
    const expired = await refresh(quick, recent.body.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('invalid_refresh_token');
  });

  it('when the web session logs out, its refresh tokens get 401 and /api/token with the old cookie too', async () => {
    const { pair, web } = await firstPair(stack);
    const cookie = web.cookieHeader();
    expect((await web.post('/auth/logout')).status).toBe(204);
    const reply = await refresh(stack, pair.refreshToken);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_refresh_token');
    expect((await api(stack).get('/api/token', { headers: { cookie } })).status).toBe(401);
  });
});
