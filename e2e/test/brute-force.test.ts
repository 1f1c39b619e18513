import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { fromAddress, type AddressReply } from './from-address.js';
import { PASSWORD, redisStack, uniqueEmail } from './support.js';

const ACCOUNT_MAX = 5;
const ACCOUNT_WINDOW_SEC = 4;
// Small, so the spray test stays light: each checked guess costs a full argon2id verification.
const ADDRESS_MAX = 10;

// Every client below connects from its own loopback address: the gateway sees it at the socket.
const ADDRESSES = {
  attacker: '127.0.0.3',
  owner: '127.0.0.4',
  sprayer: '127.0.0.5',
  bystander: '127.0.0.6',
  registrar: '127.0.0.7',
};

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack({
    env: {
      LOGIN_MAX_PER_ACCOUNT: String(ACCOUNT_MAX),
      LOGIN_ACCOUNT_WINDOW: `${ACCOUNT_WINDOW_SEC}s`,
      LOGIN_MAX_PER_IP: String(ADDRESS_MAX),
      LOGIN_IP_WINDOW: '1h',
    },
  });
});
afterAll(() => stack?.close());

const client = (name: keyof typeof ADDRESSES) => fromAddress(stack.gatewayUrl, ADDRESSES[name]);

function randomIp(): string {
  return Array.from({ length: 4 }, () => Math.floor(Math.random() * 254) + 1).join('.');
}

/** What an attacker varies to look like many clients: forwarding headers, agent, email casing. */
function disguise(i: number, email: string): { headers: Record<string, string>; email: string } {
  const casings = [email, email.toUpperCase(), ` ${email} `, email.replace(/^./, (c) => c.toUpperCase())];
  const headers: Record<string, string> = { 'user-agent': `guesser/${i} (${randomIp()})` };
  if (i % 4 === 0) headers['x-forwarded-for'] = randomIp();
  if (i % 4 === 1) headers['x-real-ip'] = randomIp();
  if (i % 4 === 2) headers.forwarded = `for=${randomIp()};proto=https`;
  if (i % 4 === 3) headers['X-Forwarded-For'] = `${randomIp()}, ${randomIp()}`;
  return { headers, email: casings[i % casings.length] ?? email };
}

function count(replies: AddressReply[], status: number): number {
  return replies.filter((reply) => reply.status === status).length;
}

describe('online guessing through the gateway', () => {
  let victim: string;

  it('when 100 guesses at one account arrive in parallel with varying headers and email casing, at most the limit are checked and the rest get 429', async () => {
    victim = uniqueEmail('victim');
    expect(
      (await client('owner')('/auth/register', { json: { email: victim, password: PASSWORD } })).status,
    ).toBe(201);
    const guesses = Array.from({ length: 100 }, (_, i) => {
      const { headers, email } = disguise(i, victim);
      return client('attacker')('/auth/login', { json: { email, password: `guess number ${i}` }, headers });
    });
    const replies = await Promise.all(guesses);
    const [unauthorized, tooMany] = [count(replies, 401), count(replies, 429)];
    expect(unauthorized + tooMany).toBe(100);
    expect(unauthorized).toBeLessThanOrEqual(ACCOUNT_MAX);
    expect(tooMany).toBeGreaterThanOrEqual(100 - ACCOUNT_MAX);
    for (const reply of replies.filter((r) => r.status === 429)) {
      expect(reply.body.error).toBe('too_many_attempts');
      expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(reply.setCookies).toEqual([]);
    }
  });

  it('when the account window has passed, the rightful owner logs in from another address while the guesser stays blocked', async () => {
    const locked = await client('owner')('/auth/login', { json: { email: victim, password: PASSWORD } });
    // The account itself is locked for the window, for everyone: that is what stops the guessing.
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeLessThanOrEqual(ACCOUNT_WINDOW_SEC);
    await sleep(retryAfter * 1000 + 200);
    const owner = await client('owner')('/auth/login', { json: { email: victim, password: PASSWORD } });
    expect(owner.status).toBe(200);
    expect(owner.setCookies.join('\n')).toMatch(/tpm\.sid=/);
    // The guesser spent its address's budget (ADDRESS_MAX in an hour), whatever it claims to be.
    const guesser = await client('attacker')('/auth/login', {
      json: { email: victim, password: PASSWORD },
      headers: { 'x-forwarded-for': randomIp(), 'x-real-ip': randomIp() },
    });
    expect(guesser.status).toBe(429);
    expect(guesser.body.error).toBe('too_many_attempts');
  });

  it('when one address sprays guesses over many accounts with forged forwarding headers, its address budget stops it and other addresses are untouched', async () => {
    const sprays = Array.from({ length: 2 * ADDRESS_MAX }, (_, i) => {
      const { headers } = disguise(i, '');
      return client('sprayer')('/auth/login', {
        json: { email: uniqueEmail('spray'), password: 'guess' },
        headers,
      });
    });
    const replies = await Promise.all(sprays);
    expect(count(replies, 401)).toBe(ADDRESS_MAX);
    expect(count(replies, 429)).toBe(ADDRESS_MAX);
    const bystander = await client('bystander')('/auth/login', {
      json: { email: uniqueEmail('spray'), password: 'guess' },
    });
    expect(bystander.status).toBe(401);
    expect(bystander.body.error).toBe('invalid_credentials');
  });
});

describe('one account per normalised email (F25)', () => {
  it('when " Mixed.Case@Example.TEST " exists, the lower-case address is 409 and login works in any case', async () => {
    const register = client('registrar');
    const tag = Math.random().toString(36).slice(2, 8);
    const mixed = ` Mixed.Case.${tag}@Example.TEST `;
    const lower = mixed.trim().toLowerCase();
    expect((await register('/auth/register', { json: { email: mixed, password: PASSWORD } })).status).toBe(
      201,
    );
    const again = await register('/auth/register', { json: { email: lower, password: 'another password' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('email_taken');
    for (const email of [lower, mixed, lower.toUpperCase()]) {
      const login = await register('/auth/login', { json: { email, password: PASSWORD } });
      expect(login.status, email).toBe(200);
      expect(login.body.user).toMatchObject({ email: lower });
    }
  });
});
