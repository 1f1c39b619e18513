import { expect } from 'vitest';
import { HttpClient } from '@toypetme/test-kit';
import { PASSWORD, uniqueEmail } from './support.js';

interface Pair {
  token: string;
  refreshToken: string;
}

/**
 * The whole contract flow through one base URL: register, log in, who am I, a token, pets,
 * refresh (with the grace replay), logout, and every credential dead afterwards. Each step
 * asserts status and body, so any failing replica or store shows up here.
 */
export async function expectFullFlow(baseUrl: string): Promise<void> {
  const web = new HttpClient(baseUrl);
  const app = new HttpClient(baseUrl);
  const email = uniqueEmail('flow');
  const registered = await web.post<{ user: { id: string } }>('/auth/register', {
    email,
    password: PASSWORD,
  });
  expect(registered.status).toBe(201);
  expect((await web.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
  expect((await web.get<{ user: { id: string } }>('/auth/me')).body.user.id).toBe(registered.body.user.id);
  const first = await web.get<Pair>('/api/token');
  expect(first.status).toBe(200);

  const created = await app.post<{ pet: { id: string } }>(
    '/api/pets',
    { name: 'Rex', species: 'dog' },
    { bearer: first.body.token },
  );
  expect(created.status).toBe(201);
  const listed = await app.get<{ pets: { id: string }[] }>('/api/pets', { bearer: first.body.token });
  expect(listed.body.pets.map((pet) => pet.id)).toEqual([created.body.pet.id]);

  const rotated = await app.post<Pair>('/api/token/refresh', { refreshToken: first.body.refreshToken });
  expect(rotated.status).toBe(200);
  const replayed = await app.post<Pair>('/api/token/refresh', { refreshToken: first.body.refreshToken });
  expect(replayed.status).toBe(200);
  expect(replayed.body).toEqual(rotated.body);
  const next = await app.post<Pair>('/api/token/refresh', { refreshToken: rotated.body.refreshToken });
  expect(next.status).toBe(200);
  const pet = await app.get(`/api/pets/${created.body.pet.id}`, { bearer: next.body.token });
  expect(pet.status).toBe(200);

  expect((await web.post('/auth/logout')).status).toBe(204);
  const me = await web.get('/auth/me');
  expect(me.status).toBe(401);
  expect(me.body.error).toBe('not_authenticated');
  const dead = await app.post('/api/token/refresh', { refreshToken: next.body.refreshToken });
  expect(dead.status).toBe(401);
  expect(dead.body.error).toBe('invalid_refresh_token');
}
