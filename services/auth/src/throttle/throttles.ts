import { createHash } from 'node:crypto';
import { AppError, type RedisClient } from '@toypetme/http-kit';
import ipaddr from 'ipaddr.js';
import { normalizeEmail } from '../domain/user.js';
import {
  memoryAttemptLimiter,
  redisAttemptLimiter,
  type AttemptLimiter,
  type AttemptPolicy,
} from './attempt-limiter.js';

/** The limits (config: LOGIN_MAX_PER_ACCOUNT, LOGIN_ACCOUNT_WINDOW and the like). */
export interface ThrottlePolicies {
  readonly loginPerAccount: AttemptPolicy;
  readonly loginPerAddress: AttemptPolicy;
  readonly registerPerAddress: AttemptPolicy;
  readonly refreshPerAddress: AttemptPolicy;
  /** Token pairs one user may take from a session: each starts a family kept for days. */
  readonly tokensPerUser: AttemptPolicy;
}

export type Throttles = Readonly<Record<keyof ThrottlePolicies, AttemptLimiter>>;

/** One limiter per policy: in Redis under `${keyPrefix}<name>:` when a client is given, else in memory. */
export function openThrottles(
  policies: ThrottlePolicies,
  redis?: { client: RedisClient; keyPrefix: (name: string) => string },
): Throttles {
  const open = (name: keyof ThrottlePolicies): AttemptLimiter =>
    redis === undefined
      ? memoryAttemptLimiter(policies[name])
      : redisAttemptLimiter(redis.client, redis.keyPrefix(name), policies[name]);
  return {
    loginPerAccount: open('loginPerAccount'),
    loginPerAddress: open('loginPerAddress'),
    registerPerAddress: open('registerPerAddress'),
    refreshPerAddress: open('refreshPerAddress'),
    tokensPerUser: open('tokensPerUser'),
  };
}

/**
 * The account a login names, whether or not it exists (so a 429 reveals nothing), as a digest:
 * counter keys never hold an email address. Normalised like every email (CONTRACT), so
 * ` Ada@Example.TEST ` and `ada@example.test` share one counter.
 */
export function accountKey(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('base64url');
}

/**
 * The client as counted: IPv4 (also IPv4-mapped IPv6) as is; IPv6 by its /64, since one
 * subscriber usually holds a whole /64 and could otherwise rotate through 2^64 addresses.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}

function tooMany(retryAfterSec: number): AppError {
  return new AppError('too_many_attempts', 'Too many attempts; try again later.', {
    headers: { 'Retry-After': String(retryAfterSec) },
  });
}

/** Counts one attempt, or throws 429 too_many_attempts with Retry-After. */
export async function admit(limiter: AttemptLimiter, key: string): Promise<void> {
  const verdict = await limiter.consume(key);
  if (!verdict.allowed) throw tooMany(verdict.retryAfterSec);
}

export interface LoginAttempt {
  /** The password was right: this attempt is given back to both counters. */
  succeeded(): Promise<void>;
}

/**
 * Counts a login attempt against the client address, then against the account, before the
 * password is checked (CONTRACT "Login throttling"). Counting first is what keeps parallel
 * guesses within the limit. A refused address does not touch the account's counter, so a
 * blocked attacker cannot lock the owner out any further.
 *
 * A success gives back only its own attempt; it does not wipe the account's failures: otherwise
 * every login of the owner would hand an ongoing guesser a fresh budget. The failures expire
 * with their window.
 */
export async function admitLogin(
  throttles: Throttles,
  email: string,
  address: string,
): Promise<LoginAttempt> {
  const byAddress = addressKey(address);
  const byAccount = accountKey(email);
  await admit(throttles.loginPerAddress, byAddress);
  await admit(throttles.loginPerAccount, byAccount);
  return {
    succeeded: async () => {
      await Promise.all([
        throttles.loginPerAddress.refund(byAddress),
        throttles.loginPerAccount.refund(byAccount),
      ]);
    },
  };
}
