import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSigner, startPets, type PetsHarness, type Response } from './app-harness.js';

let pets: PetsHarness;

beforeAll(async () => {
  pets = await startPets();
});

afterAll(() => pets.close());

async function createPet(token: string, name = 'Rex', species = 'dog') {
  const res = await pets.call('POST', '/api/pets', { token, json: { name, species } });
  expect(res.status).toBe(201);
  return res.body.pet as { id: string; name: string; species: string; createdAt: string; updatedAt: string };
}

function expectError(res: Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error: code, message: expect.any(String), requestId: expect.any(String) });
}

describe('pets CRUD', () => {
  it('when a user creates a pet, it is 201 with the trimmed pet, ISO times and a Location', async () => {
    const { token } = await pets.user();
    const res = await pets.call('POST', '/api/pets', { token, json: { name: '  Rex ', species: ' dog' } });
    expect(res.status).toBe(201);
    const now = pets.clock.now.toISOString();
    expect(res.body.pet).toEqual({
      id: expect.any(String),
      name: 'Rex',
      species: 'dog',
      createdAt: now,
      updatedAt: now,
    });
    expect(res.headers.get('location')).toBe(`/api/pets/${res.body.pet.id}`);
  });

  it('when a user lists pets, only their own come back, oldest first', async () => {
    const [alice, bob] = [await pets.user(), await pets.user()];
    const first = await createPet(alice.token, 'First');
    await createPet(bob.token, 'Not yours');
    pets.clock.now = new Date(pets.clock.now.getTime() + 1000);
    const second = await createPet(alice.token, 'Second');
    for (const path of ['/api/pets', '/api/pets/']) {
      const res = await pets.call('GET', path, { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pets: [first, second] });
    }
  });

  it('when a user reads their pet by id, it is 200 with the pet', async () => {
    const { token } = await pets.user();
    const pet = await createPet(token);
    const res = await pets.call('GET', `/api/pets/${pet.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pet });
  });

  it('when a user patches one field, only it and updatedAt change', async () => {
    const { token } = await pets.user();
    const pet = await createPet(token);
    pets.clock.now = new Date(pets.clock.now.getTime() + 60_000);
    const res = await pets.call('PATCH', `/api/pets/${pet.id}`, { token, json: { species: ' wolf ' } });
    expect(res.status).toBe(200);
    expect(res.body.pet).toEqual({ ...pet, species: 'wolf', updatedAt: pets.clock.now.toISOString() });
    expect((await pets.call('GET', `/api/pets/${pet.id}`, { token })).body.pet).toEqual(res.body.pet);
  });

  it('when a user deletes their pet, it is 204 and then 404 not_found', async () => {
    const { token } = await pets.user();
    const pet = await createPet(token);
    const res = await pets.call('DELETE', `/api/pets/${pet.id}`, { token });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expectError(await pets.call('GET', `/api/pets/${pet.id}`, { token }), 404, 'not_found');
    expectError(await pets.call('DELETE', `/api/pets/${pet.id}`, { token }), 404, 'not_found');
  });

  it('when a name holds multi-byte text, it round-trips byte for byte', async () => {
    const { token } = await pets.user();
    const pet = await createPet(token, 'Zoë 🐕‍🦺 小狗', 'chien');
    expect(pet.name).toBe('Zoë 🐕‍🦺 小狗');
    expect((await pets.call('GET', `/api/pets/${pet.id}`, { token })).body.pet.name).toBe('Zoë 🐕‍🦺 小狗');
  });
});

describe("another user's pet", () => {
  it("when B reads, patches or deletes A's pet, each is 404 not_found exactly like a never-existing id", async () => {
    const [alice, bob] = [await pets.user(), await pets.user()];
    const pet = await createPet(alice.token);
    const attempts: [string, object | undefined][] = [
      ['GET', undefined],
      ['PATCH', { name: 'Stolen' }],
      ['DELETE', undefined],
    ];
    for (const [method, json] of attempts) {
      const theirs = await pets.call(method, `/api/pets/${pet.id}`, { token: bob.token, json });
      const missing = await pets.call(method, `/api/pets/${randomUUID()}`, { token: bob.token, json });
      expectError(theirs, 404, 'not_found');
      expect({ ...theirs.body, requestId: '' }).toEqual({ ...missing.body, requestId: '' });
    }
    expect((await pets.call('GET', '/api/pets', { token: bob.token })).body).toEqual({ pets: [] });
    expect((await pets.call('GET', `/api/pets/${pet.id}`, { token: alice.token })).body).toEqual({ pet });
  });
});

describe('validation', () => {
  it.each<[string, unknown, string]>([
    ['an empty object', {}, 'name'],
    ['no species', { name: 'Rex' }, 'species'],
    ['no name', { species: 'dog' }, 'name'],
    ['an empty name', { name: '', species: 'dog' }, 'name'],
    ['a blank name', { name: '   ', species: 'dog' }, 'name'],
    ['a 61-character name', { name: 'n'.repeat(61), species: 'dog' }, 'name'],
    ['a 41-character species', { name: 'Rex', species: 's'.repeat(41) }, 'species'],
    ['a numeric name', { name: 42, species: 'dog' }, 'name'],
    ['a null name', { name: null, species: 'dog' }, 'name'],
    ['an array name', { name: ['Rex'], species: 'dog' }, 'name'],
    ['an object name', { name: { $ne: null }, species: 'dog' }, 'name'],
    ['a boolean species', { name: 'Rex', species: true }, 'species'],
    ['a lone surrogate in the name', { name: 'Rex\ud800', species: 'dog' }, 'name'],
    ['a NUL in the name', { name: 'Re\u0000x', species: 'dog' }, 'name'],
    ['a line break in the species', { name: 'Rex', species: 'do\ng' }, 'species'],
    ['an escape character in the name', { name: 'Rex\u001b[31m', species: 'dog' }, 'name'],
    ['a trailing line break in the name', { name: 'Rex\n', species: 'dog' }, 'name'],
    ['a leading tab in the species', { name: 'Rex', species: '\tdog' }, 'species'],
    ['a line separator in the name', { name: 'Rex\u2028X', species: 'dog' }, 'name'],
    ['a right-to-left override in the name', { name: 'Rex\u202Egod', species: 'dog' }, 'name'],
  ])('when POST has %s, it is 400 invalid_request naming the field', async (_case, json, field) => {
    const { token } = await pets.user();
    const res = await pets.call('POST', '/api/pets', { token, json });
    expectError(res, 400, 'invalid_request');
    expect(res.body.message).toContain(field);
  });

  it('when names sit exactly at the limits (counted in characters), POST is 201', async () => {
    const { token } = await pets.user();
    await createPet(token, 'n'.repeat(60), 's'.repeat(40));
    const emoji = await createPet(token, '🐶'.repeat(60), '🐾'.repeat(40));
    expect([...emoji.name]).toHaveLength(60);
  });

  it('when POST carries unknown fields, they are ignored, never assigned', async () => {
    const { token } = await pets.user();
    const json = {
      name: 'Rex',
      species: 'dog',
      id: 'chosen',
      ownerId: 'someone',
      createdAt: '1999-01-01T00:00:00.000Z',
      admin: true,
    };
    const res = await pets.call('POST', '/api/pets', { token, json });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.pet).sort()).toEqual(['createdAt', 'id', 'name', 'species', 'updatedAt']);
    expect(res.body.pet.id).not.toBe('chosen');
    expect(res.body.pet.createdAt).toBe(pets.clock.now.toISOString());
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['only unknown fields', { owner: 'me', id: 'x' }],
    ['a null name', { name: null }],
    ['an empty name', { name: '' }],
    ['a 41-character species', { species: 's'.repeat(41) }],
  ])('when PATCH has %s, it is 400 invalid_request and the pet is unchanged', async (_case, json) => {
    const { token } = await pets.user();
    const pet = await createPet(token);
    expectError(await pets.call('PATCH', `/api/pets/${pet.id}`, { token, json }), 400, 'invalid_request');
    expect((await pets.call('GET', `/api/pets/${pet.id}`, { token })).body.pet).toEqual(pet);
  });
});

describe('request bodies', () => {
  it.each([
    ['text/plain', 'name=Rex'],
    ['application/x-www-form-urlencoded', 'name=Rex&species=dog'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\nRex\r\n--x--'],
  ])('when POST sends %s, it is 415 unsupported_media_type', async (type, body) => {
    const { token } = await pets.user();
    const res = await pets.call('POST', '/api/pets', { token, body, headers: { 'content-type': type } });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('when PATCH sends text/plain, it is 415 unsupported_media_type', async () => {
    const { token } = await pets.user();
    const pet = await createPet(token);
    const res = await pets.call('PATCH', `/api/pets/${pet.id}`, {
      token,
      body: '{"name":"Max"}',
      headers: { 'content-type': 'text/plain' },
    });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('when the body is over 16 KiB, it is 413 payload_too_large', async () => {
    const { token } = await pets.user();
    const json = { name: 'Rex', species: 'dog', padding: 'x'.repeat(17 * 1024) };
    expectError(await pets.call('POST', '/api/pets', { token, json }), 413, 'payload_too_large');
  });

  it.each([
    ['malformed JSON', '{"name": "Rex",'],
    ['a JSON array', '[{"name":"Rex","species":"dog"}]'],
    ['a JSON string', '"Rex"'],
  ])('when the body is %s, it is 400 invalid_request', async (_case, body) => {
    const { token } = await pets.user();
    const res = await pets.call('POST', '/api/pets', {
      token,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, 'invalid_request');
  });
});

describe('pet ids', () => {
  const ids = [
    ['a malformed id', 'not-a-uuid'],
    ['a 2000-character id', 'a'.repeat(2000)],
    ['an encoded path traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['an encoded dot-dot-slash', '%2e%2e%2fsecret'],
    ['an upper-case uuid', randomUUID().toUpperCase()],
    ['a never-existing uuid', randomUUID()],
  ];
  it.each(ids)('when GET, PATCH and DELETE use %s, each is 404 not_found', async (_case, id) => {
    const { token } = await pets.user();
    for (const [method, json] of [['GET'], ['PATCH', { name: 'Max' }], ['DELETE']] as const) {
      expectError(await pets.call(method, `/api/pets/${id}`, { token, json }), 404, 'not_found');
    }
  });
});

describe('authentication', () => {
  const routes = [
    ['GET', '/api/pets'],
    ['POST', '/api/pets'],
    ['GET', `/api/pets/${randomUUID()}`],
    ['PATCH', `/api/pets/${randomUUID()}`],
    ['DELETE', `/api/pets/${randomUUID()}`],
  ] as const;

  it.each(routes)(
    'when %s %s has no token, it is 401 missing_token with WWW-Authenticate: Bearer',
    async (method, path) => {
      const res = await pets.call(method, path, {
        json: method === 'POST' || method === 'PATCH' ? { name: 'Rex' } : undefined,
      });
      expectError(res, 401, 'missing_token');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    },
  );

  it('when Basic credentials are sent, it is 401 missing_token', async () => {
    const res = await pets.call('GET', '/api/pets', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expectError(res, 401, 'missing_token');
  });

  it('when an unauthenticated request also has a bad body, the 401 comes first', async () => {
    const res = await pets.call('POST', '/api/pets', {
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expectError(res, 401, 'missing_token');
  });

  it.each(routes)('when %s %s has an expired token, it is 403 token_expired', async (method, path) => {
    const { token } = await pets.user({ expiresInSec: -60 });
    const res = await pets.call(method, path, {
      token,
      json: method === 'POST' || method === 'PATCH' ? { name: 'Rex' } : undefined,
    });
    expectError(res, 403, 'token_expired');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('when the token is signed by a foreign key, it is 403 invalid_token', async () => {
    const token = await pets.tokenFor(randomUUID(), {}, await makeSigner());
    const res = await pets.call('GET', '/api/pets', { token });
    expectError(res, 403, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('when the token is for another audience, it is 403 invalid_token', async () => {
    const token = await pets.tokenFor(randomUUID(), { audience: 'another-api' });
    expectError(await pets.call('GET', '/api/pets', { token }), 403, 'invalid_token');
  });
});

describe('service endpoints and unknown routes', () => {
  it('when /healthz is asked, it is 200', async () => {
    const res = await pets.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when /readyz is asked with a memory store and usable keys, it is 200 naming jwks only', async () => {
    const res = await pets.call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ jwks: 'up' });
  });

  it.each([['/nope'], ['/api/petsX'], ['/api/pets-admin'], [`/api/pets/${randomUUID()}/extra`]])(
    'when %s is requested, it is a JSON 404 not_found',
    async (path) => {
      const { token } = await pets.user();
      expectError(await pets.call('GET', path, { token }), 404, 'not_found');
    },
  );

  it('when PUT is used on a pet, it is 405 method_not_allowed', async () => {
    const { token } = await pets.user();
    const res = await pets.call('PUT', `/api/pets/${randomUUID()}`, { token, json: { name: 'Rex' } });
    expectError(res, 405, 'method_not_allowed');
  });

  it('when any response is sent, it carries x-request-id, echoing a sane one', async () => {
    const res = await pets.call('GET', '/api/pets', { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(res.body.requestId).toBe('req-123');
  });
});
