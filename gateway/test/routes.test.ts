import { describe, expect, it } from 'vitest';
import { publicLocation } from '../src/response-headers.js';
import { upstreamFor } from '../src/routes.js';

describe('route table', () => {
  it.each([
    ['/auth', 'auth'],
    ['/auth/login', 'auth'],
    ['/api/token', 'auth'],
    ['/api/token/', 'auth'],
    ['/api/token/refresh', 'auth'],
    ['/.well-known/jwks.json', 'auth'],
    ['/api/pets', 'pets'],
    ['/api/pets/', 'pets'],
    ['/api/pets/x', 'pets'],
  ])('when the path is %s, it belongs to %s', (path, upstream) => {
    expect(upstreamFor(path)).toBe(upstream);
  });

  it.each([
    '/api/petsX',
    '/api/pets-admin',
    '/api/tokens',
    '/authority',
    '/',
    '/api',
    '/healthzz',
    '//api/pets',
  ])('when the path is %s, no upstream owns it', (path) => {
    expect(upstreamFor(path)).toBeUndefined();
  });

  it.each(['/api/pets/../../auth/me', '/api/pets/./x', '/auth/%2e%2e/internal', '/api/pets/%2E'])(
    'when the path %s has dot segments, no upstream owns it',
    (path) => {
      expect(upstreamFor(path)).toBeUndefined();
    },
  );
});

describe('redirect locations', () => {
  const internal = new Set(['http://127.0.0.1:4001', 'http://pets:4002']);

  it.each([
    ['http://127.0.0.1:4001/auth/me', '/auth/me'],
    ['http://pets:4002/api/pets/1?x=2#h', '/api/pets/1?x=2#h'],
    ['//pets:4002/api/pets', '/api/pets'],
    ['http://127.0.0.1:4001//evil.example/', '/evil.example/'],
    ['http://127.0.0.1:4001', '/'],
  ])('when an upstream redirects to %s, the client is sent to %s', (location, expected) => {
    expect(publicLocation(location, internal)).toBe(expected);
  });

  it.each(['/auth/me', 'relative/path', 'https://toypet.example/x', 'http://127.0.0.1:4003/x'])(
    'when an upstream redirects to %s, the Location is kept as it is',
    (location) => {
      expect(publicLocation(location, internal)).toBe(location);
    },
  );
});
