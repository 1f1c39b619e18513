import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '@toypetme/test-kit';
import { openThrottles, type ThrottlePolicies } from '../src/throttle/throttles.js';
import { GENEROUS_LIMITS, PASSWORD, startAuth, uniqueEmail, type RunningAuth } from './fixtures.js';

const WRONG = 'wrong password guess';

let running: RunningAuth | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function authWith(
  limits: Partial<ThrottlePolicies>,
  trustedProxies = ['loopback'],
): Promise<RunningAuth> {
  running = await startAuth({ throttles: openThrottles({ ...GENEROUS_LIMITS, ...limits }), trustedProxies });
  return running;
}

async function register(auth: RunningAuth, email = uniqueEmail()): Promise<string> {
  const reply = await auth.client().post('/auth/register', { email, password: PASSWORD });
  expect(reply.status).toBe(201);
  return email;
}

const login = (auth: RunningAuth, email: string, password: string, headers: Record<string, string> = {}) =>
  auth.client().post('/auth/login', { email, password }, { headers });

function expectTooMany(reply: Reply<Record<string, unknown>>, windowSec: number): void {
  expect(reply.status).toBe(429);
  expect(reply.body.error).toBe('too_many_attempts');
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSec);
  expect(reply.setCookies).toEqual([]);
}

describe('login throttling per account', () => {
  const perAccount = { loginPerAccount: { max: 3, windowSec: 60 } };

  it('when an account has had max wrong passwords, the next attempt is 429 with Retry-After, even with the right password', async () => {
    const auth = await authWith(perAccount);
    const email = await register(auth);
    for (let i = 0; i < 3; i += 1) expect((await login(auth, email, WRONG)).status).toBe(401);
    expectTooMany(await login(auth, email, WRONG), 60);
    expectTooMany(await login(auth, email, PASSWORD), 60);
  });

  it('when 40 wrong guesses arrive in parallel, at most max are checked (401) and the rest get 429', async () => {
    const auth = await authWith(perAccount);
    const email = await register(auth);
    const replies = await Promise.all(Array.from({ length: 40 }, () => login(auth, email, WRONG)));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(37);
  });

  it('when the email varies in case and spaces, the guesses count against one account', async () => {
    const auth = await authWith(perAccount);
    const email = await register(auth, uniqueEmail('Mixed.Case'));
    const variants = [email.toUpperCase(), ` ${email} `, email.toLowerCase()];
    for (const variant of variants) expect((await login(auth, variant, WRONG)).status).toBe(401);
    expectTooMany(await login(auth, email, WRONG), 60);
  });

  it('when the email is unknown, guesses are counted and refused exactly like for a real account', async () => {
    const auth = await authWith(perAccount);
    const unknown = uniqueEmail('nobody');
    for (let i = 0; i < 3; i += 1) expect((await login(auth, unknown, WRONG)).status).toBe(401);
    expectTooMany(await login(auth, unknown, WRONG), 60);
  });

  it('when the owner logs in successfully many times, the successes are not counted', async () => {
    const auth = await authWith(perAccount);
    const email = await register(auth);
    for (let i = 0; i < 6; i += 1) expect((await login(auth, email, PASSWORD)).status).toBe(200);
  });

  it('when the owner succeeds after wrong guesses, the guesses still count (no fresh budget for a guesser)', async () => {
    const auth = await authWith(perAccount);
    const email = await register(auth);
    for (let i = 0; i < 2; i += 1) expect((await login(auth, email, WRONG)).status).toBe(401);
    expect((await login(auth, email, PASSWORD)).status).toBe(200);
    expect((await login(auth, email, WRONG)).status).toBe(401);
    expectTooMany(await login(auth, email, WRONG), 60);
  });
});

describe('login throttling per client address', () => {
  const perAddress = { loginPerAddress: { max: 4, windowSec: 60 } };

  it('when one address guesses at many accounts, it is stopped after max failures', async () => {
    const auth = await authWith(perAddress);
    for (let i = 0; i < 4; i += 1) expect((await login(auth, uniqueEmail(), WRONG)).status).toBe(401);
    expectTooMany(await login(auth, uniqueEmail(), WRONG), 60);
  });

  it('when the peer is not a trusted proxy, X-Forwarded-For, X-Real-IP and Forwarded do not change the address', async () => {
    const auth = await authWith(perAddress, []);
    const spoofs: Record<string, string>[] = [
      { 'x-forwarded-for': '198.51.100.1' },
      { 'x-real-ip': '198.51.100.2' },
      { forwarded: 'for=198.51.100.3' },
      { 'x-forwarded-for': '198.51.100.4, 198.51.100.5' },
    ];
    for (const headers of spoofs) expect((await login(auth, uniqueEmail(), WRONG, headers)).status).toBe(401);
    expectTooMany(await login(auth, uniqueEmail(), WRONG, { 'x-forwarded-for': '198.51.100.6' }), 60);
  });

  it('when the trusted gateway reports another client address, that client has its own budget', async () => {
    const auth = await authWith(perAddress);
    const gatewaySays = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 4; i += 1) {
      expect((await login(auth, uniqueEmail(), WRONG, gatewaySays('203.0.113.1'))).status).toBe(401);
    }
    expectTooMany(await login(auth, uniqueEmail(), WRONG, gatewaySays('203.0.113.1')), 60);
    expect((await login(auth, uniqueEmail(), WRONG, gatewaySays('203.0.113.2'))).status).toBe(401);
  });

  it('when an address is refused, its attempts do not count against the account', async () => {
    const auth = await authWith({ ...perAddress, loginPerAccount: { max: 2, windowSec: 60 } });
    const email = await register(auth);
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    for (let i = 0; i < 4; i += 1) await login(auth, uniqueEmail(), WRONG, attacker);
    for (let i = 0; i < 5; i += 1) expect((await login(auth, email, WRONG, attacker)).status).toBe(429);
    const owner = { 'x-forwarded-for': '203.0.113.7' };
    expect((await login(auth, email, PASSWORD, owner)).status).toBe(200);
  });
});

describe('registration and refresh throttling per client address', () => {
  it('when one address registers more than max accounts, the next registration is 429 and creates nothing', async () => {
    const auth = await authWith({ registerPerAddress: { max: 2, windowSec: 3600 } });
    await register(auth);
    await register(auth);
    const email = uniqueEmail();
    expectTooMany(await auth.client().post('/auth/register', { email, password: PASSWORD }), 3600);
    expect(await auth.deps.users.findByEmail(email)).toBeUndefined();
  });

  it('when one address refreshes more than max times, the next refresh is 429 too_many_attempts', async () => {
    const auth = await authWith({ refreshPerAddress: { max: 3, windowSec: 60 } });
    const refresh = () => auth.client().post('/api/token/refresh', { refreshToken: 'x.y' });
    for (let i = 0; i < 3; i += 1) expect((await refresh()).status).toBe(401);
    expectTooMany(await refresh(), 60);
  });

  it('when one user takes more than max token pairs, the next is 429 too_many_attempts and starts no family', async () => {
    const auth = await authWith({ tokensPerUser: { max: 2, windowSec: 900 } });
    const email = await register(auth);
    const web = auth.client();
    expect((await web.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await web.get('/api/token')).status).toBe(200);
    expect((await web.request('POST', '/api/token')).status).toBe(200);
    expectTooMany(await web.get('/api/token'), 900);
    const devices = await web.get<{ devices: unknown[] }>('/auth/devices');
    expect(devices.body.devices).toHaveLength(2);
  });
});
