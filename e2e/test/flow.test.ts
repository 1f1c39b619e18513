import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { api, PASSWORD, redisStack, signUp, uniqueEmail } from './support.js';

interface Pet {
  id: string;
  name: string;
  species: string;
  createdAt: string;
  updatedAt: string;
}

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack();
});
afterAll(() => stack?.close());

describe('web sessions through the gateway', () => {
  it('when a person registers, logs in, asks who they are and logs out, each step answers as the contract says', async () => {
    const email = uniqueEmail();
    const web = api(stack);
    const registered = await web.post<{ user: { id: string } }>('/auth/register', {
      email,
      password: PASSWORD,
    });
    expect(registered.status).toBe(201);
    expect(registered.body.user).toMatchObject({ email, verified: false });
    const duplicate = await web.post('/auth/register', { email: email.toUpperCase(), password: PASSWORD });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe('email_taken');
    const login = await web.post('/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.setCookies.join('\n')).toMatch(/tpm\.sid=.*httponly/i);
    expect((await web.get('/auth/me')).body.user).toMatchObject({ id: registered.body.user.id, email });
    expect((await web.post('/auth/logout')).status).toBe(204);
    const after = await web.get('/auth/me');
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('not_authenticated');
  });

  it('when the password is wrong, login answers 401 invalid_credentials', async () => {
    const { email } = await signUp(stack);
    const reply = await api(stack).post('/auth/login', { email, password: 'not the password' });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_credentials');
  });

  it('when the login body is not JSON, answers 415 unsupported_media_type', async () => {
    const reply = await api(stack).request('POST', '/auth/login', {
      body: 'email=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reply.status).toBe(415);
    expect(reply.body.error).toBe('unsupported_media_type');
  });
});

describe('pets with an access token', () => {
  it('when a user creates, reads, renames, lists and deletes a pet, every step succeeds', async () => {
    const { token } = await signUp(stack);
    const client = api(stack);
    const created = await client.post<{ pet: Pet }>(
      '/api/pets',
      { name: 'Mochi 🐱‍👤', species: 'chat' },
      { bearer: token },
    );
    expect(created.status).toBe(201);
    expect(created.body.pet).toMatchObject({ name: 'Mochi 🐱‍👤', species: 'chat' });
    const id = created.body.pet.id;
    expect((await client.get<{ pet: Pet }>(`/api/pets/${id}`, { bearer: token })).body.pet.name).toBe(
      'Mochi 🐱‍👤',
    );
    const patched = await client.request<{ pet: Pet }>('PATCH', `/api/pets/${id}`, {
      json: { name: 'Mochi' },
      bearer: token,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.pet).toMatchObject({ id, name: 'Mochi', species: 'chat' });
    const list = await client.get<{ pets: Pet[] }>('/api/pets', { bearer: token });
    expect(list.body.pets.map((pet) => pet.id)).toEqual([id]);
    expect((await client.request('DELETE', `/api/pets/${id}`, { bearer: token })).status).toBe(204);
    const gone = await client.get(`/api/pets/${id}`, { bearer: token });
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('not_found');
  });

  it("when B asks for A's pet, every verb answers 404 not_found and B's list stays empty", async () => {
    const a = await signUp(stack);
    const b = await signUp(stack);
    const client = api(stack);
    const { pet } = (
      await client.post<{ pet: Pet }>('/api/pets', { name: 'Rex', species: 'dog' }, { bearer: a.token })
    ).body;
    for (const [method, json] of [
      ['GET', undefined],
      ['PATCH', { name: 'Stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const reply = await client.request(method, `/api/pets/${pet.id}`, {
        bearer: b.token,
        ...(json ? { json } : {}),
      });
      expect(reply.status).toBe(404);
      expect(reply.body.error).toBe('not_found');
    }
    expect((await client.get('/api/pets', { bearer: b.token })).body).toEqual({ pets: [] });
    expect((await client.get<{ pet: Pet }>(`/api/pets/${pet.id}`, { bearer: a.token })).body.pet.name).toBe(
      'Rex',
    );
  });

  it.each([
    ['a missing name', { species: 'dog' }],
    ['a 61-character name', { name: 'n'.repeat(61), species: 'dog' }],
    ['a numeric species', { name: 'Rex', species: 7 }],
  ])('when creating with %s, answers 400 invalid_request', async (_label, body) => {
    const { token } = await signUp(stack);
    const reply = await api(stack).post('/api/pets', body, { bearer: token });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_request');
  });

  it('when a forged token is used, answers 403 invalid_token', async () => {
    const { token } = await signUp(stack);
    const reply = await api(stack).get('/api/pets', { bearer: `${token.slice(0, -4)}AAAA` });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toBe('invalid_token');
  });
});

describe('the gateway', () => {
  it.each(['/api/petsX', '/api/pets-admin', '/api/tokens', '/authority', '/nothing/here'])(
    'when asked for %s, answers its own 404 not_found',
    async (path) => {
      const reply = await api(stack).get(path);
      expect(reply.status).toBe(404);
      expect(reply.body.error).toBe('not_found');
    },
  );

  it('when asked for the JWKS, answers 200 with a max-age', async () => {
    const reply = await api(stack).get<{ keys: unknown[] }>('/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(reply.body.keys.length).toBeGreaterThan(0);
    expect(reply.headers.get('cache-control')).toMatch(/max-age=\d+/);
  });

  it('when a request id is sent, the same id comes back from an upstream answer', async () => {
    const reply = await api(stack).get('/auth/me', { headers: { 'x-request-id': 'e2e-trace-1' } });
    expect(reply.headers.get('x-request-id')).toBe('e2e-trace-1');
    expect(reply.body.requestId).toBe('e2e-trace-1');
  });

  it('when everything runs, /readyz of the gateway is 200', async () => {
    expect((await api(stack).get('/readyz')).status).toBe(200);
    expect((await api(stack).get('/healthz')).status).toBe(200);
  });
});
