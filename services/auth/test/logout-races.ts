import { expect } from 'vitest';
import { HttpClient } from '@toypetme/test-kit';
import { loggedIn, type RunningAuth } from './fixtures.js';

interface Pair {
  refreshToken?: string;
}

/**
 * A token request and a logout on the same session at once, `rounds` times: whatever the order,
 * no refresh token handed out may work afterwards and the old cookie gets no new token.
 */
export async function expectLogoutWinsRaces(
  auth: RunningAuth,
  logoutPath: string,
  rounds = 20,
): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    const { client } = await loggedIn(auth);
    const cookie = client.cookieHeader();
    const [token, logout] = await Promise.all([client.get<Pair>('/api/token'), client.post(logoutPath)]);
    expect(logout.status).toBe(204);
    expect([200, 401]).toContain(token.status);
    if (token.body.refreshToken !== undefined) {
      const refresh = await new HttpClient(auth.url).post('/api/token/refresh', {
        refreshToken: token.body.refreshToken,
      });
      expect(refresh.status).toBe(401);
      expect(refresh.body.error).toBe('invalid_refresh_token');
    }
    const after = await new HttpClient(auth.url).get('/api/token', { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('not_authenticated');
  }
}

/**
 * koa-session re-saves a session in the second half of its life at the end of every request; a
 * request in flight during logout must not bring the session back.
 */
export async function expectLogoutSurvivesRenewal(auth: RunningAuth, halfLifeMs: number): Promise<void> {
  const people = await Promise.all(Array.from({ length: 5 }, () => loggedIn(auth)));
  await new Promise((resolve) => setTimeout(resolve, halfLifeMs + 100));
  await Promise.all(
    people.map(({ client }) => Promise.all([client.get('/api/token'), client.post('/auth/logout')])),
  );
  for (const { client } of people) {
    const reply = await new HttpClient(auth.url).get('/auth/me', {
      headers: { cookie: client.cookieHeader() },
    });
    expect(reply.status).toBe(401);
  }
}
