import { describe, expect, it } from 'vitest';
import { expectJsonError, json, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';

const f = useGatewayFixture();

describe('routing (F04)', () => {
  it.each([
    ['GET', '/api/petsX'],
    ['POST', '/api/pets-admin'],
    ['GET', '/api/tokens'],
    ['GET', '/authority'],
    ['GET', '/'],
    ['DELETE', '/unknown/route'],
    ['GET', '/api/pets/../../auth/me'],
  ])(
    'when %s %s only looks like a route, the gateway answers its own 404 not_found',
    async (method, path) => {
      const before = f.auth.seen.length + f.pets.seen.length;
      const reply = await send(f.gateway.url, path, { method });
      expectJsonError(reply, 404, 'not_found');
      expect(f.auth.seen.length + f.pets.seen.length).toBe(before);
    },
  );

  it.each([
    ['/auth/me', 'auth'],
    ['/api/token', 'auth'],
    ['/.well-known/openid-configuration', 'auth'],
    ['/api/pets', 'pets'],
  ])('when %s is requested, %s answers it', async (path, upstream) => {
    const reply = await send(f.gateway.url, path);
    expect(reply.status).toBe(200);
    expect(json(reply)).toMatchObject({ upstream });
  });

  it('when an upstream answers 404 itself, its body reaches the client (not the gateway’s)', async () => {
    const reply = await send(f.gateway.url, '/api/pets/missing', {
      headers: { 'x-test-mode': 'status', 'x-test-status': '404' },
    });
    expect(reply.status).toBe(404);
    expect(json(reply)).toEqual({ status: 404, error: 'email_taken' });
  });
});
