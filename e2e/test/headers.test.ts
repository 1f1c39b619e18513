import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { fromAddress, type AddressReply } from './from-address.js';
import { PASSWORD, redisStack, signUp } from './support.js';

const APP = 'https://app.toypetme.test';
/** Stands in for a TLS proxy in front of the gateway: the only peer whose X-Forwarded-* count. */
const TLS_PROXY = '127.0.0.2';

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack({ env: { CORS_ORIGINS: APP, GATEWAY_TRUSTED_PROXIES: TLS_PROXY } });
});
afterAll(() => stack?.close());

const client = () => fromAddress(stack.gatewayUrl, '127.0.0.1');
const proxy = () => fromAddress(stack.gatewayUrl, TLS_PROXY);

function corsHeaders(reply: AddressReply): string[] {
  return Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));
}

describe('CORS through the gateway (F10)', () => {
  it.each(['https://evil.example', 'null'])(
    'when Origin %s asks /api/token with a live session, the answer has no Access-Control-* header',
    async (origin) => {
      const person = await signUp(stack);
      const reply = await client()('/api/token', {
        method: 'GET',
        headers: { origin, cookie: person.web.cookieHeader() },
      });
      expect(reply.status).toBe(200);
      expect(corsHeaders(reply)).toEqual([]);
    },
  );

  it('when the listed origin asks, exactly one Access-Control-Allow-Origin names it, with credentials, never *', async () => {
    const person = await signUp(stack);
    const reply = await client()('/api/token', {
      method: 'GET',
      headers: { origin: APP, cookie: person.web.cookieHeader() },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(APP);
    expect(reply.headers['access-control-allow-credentials']).toBe('true');
    expect(String(reply.headers.vary)).toMatch(/origin/i);
  });

  it('when a preflight comes from the listed origin it is allowed; from another origin it is not', async () => {
    const preflight = (origin: string) =>
      client()('/auth/login', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    expect(allowed.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(corsHeaders(await preflight('https://evil.example'))).toEqual([]);
  });
});

describe('security headers on every part', () => {
  it.each([
    ['auth', '/auth/me', 401],
    ['auth (JWKS)', '/.well-known/jwks.json', 200],
    ['pets', '/api/pets', 401],
    ['the gateway itself', '/api/petsX', 404],
  ])('when %s answers, helmet headers are there exactly once', async (_part, path, status) => {
    const reply = await client()(path, { method: 'GET' });
    expect(reply.status).toBe(status);
    // Node joins a repeated header with ", ": exact values also prove each came once.
    expect(reply.headers).toMatchObject({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
    expect(reply.headers['x-powered-by']).toBeUndefined();
  });
});

describe('the session cookie is Secure exactly when the original request was https (F11)', () => {
  async function loginCookie(send: ReturnType<typeof fromAddress>, proto: string): Promise<string> {
    const person = await signUp(stack);
    const reply = await send('/auth/login', {
      json: { email: person.email, password: PASSWORD },
      headers: { 'x-forwarded-proto': proto },
    });
    expect(reply.status).toBe(200);
    const line = reply.setCookies.find((cookie) => cookie.startsWith('tpm.sid='));
    expect(line).toBeDefined();
    return line ?? '';
  }

  it('when the trusted TLS proxy says https, the cookie is Secure; when it says http, it is not', async () => {
    expect(await loginCookie(proxy(), 'https')).toMatch(/;\s*secure/i);
    expect(await loginCookie(proxy(), 'http')).not.toMatch(/;\s*secure/i);
  });

  it('when a client claims https itself, the gateway overwrites it and the cookie is not Secure', async () => {
    expect(await loginCookie(client(), 'https')).not.toMatch(/;\s*secure/i);
  });
});
