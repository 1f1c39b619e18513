import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { api, redisStack, signUp } from './support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack();
});
afterAll(() => stack?.close());

describe('when the pets service is down', () => {
  it('pets routes answer 502 upstream_unavailable, auth keeps answering, and pets work again after a restart', async () => {
    const { web, token } = await signUp(stack);
    expect(await stack.stop('pets')).toBe(0); // SIGTERM: a clean exit
    const down = await api(stack).get('/api/pets', { bearer: token });
    expect(down.status).toBe(502);
    expect(down.body.error).toBe('upstream_unavailable');
    const ready = await api(stack).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe('service_unavailable');
    expect((await web.get('/auth/me')).status).toBe(200);
    await stack.start('pets');
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
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
