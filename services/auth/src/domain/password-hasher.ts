import { AppError } from '@toypetme/http-kit';
import argon2 from 'argon2';
import pLimit from 'p-limit';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface Argon2Options {
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
}

/**
 * argon2id (memory-hard; unlike bcrypt it does not truncate at 72 bytes: the whole password
 * counts, CONTRACT and F26). Defaults follow the argon2 package (64 MiB, 3 passes).
 */
export function argon2Hasher(options: Argon2Options = {}): PasswordHasher {
  return {
    hash: (password) => argon2.hash(password, { type: argon2.argon2id, ...options }),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
  };
}

export interface HashingLimits {
  /** Hashes running at once (argon2 runs on libuv's thread pool, 4 threads by default). */
  concurrency: number;
  /** Hashes allowed to wait for a free slot; past that, 503 at once. */
  maxQueued: number;
}

/**
 * Every hash costs 64 MiB and tens of milliseconds, so a burst of logins (each under its own
 * address budget) could queue work until every request, the rightful owner's included, timed out
 * at the gateway. Bounded: a few run at once, some wait, the rest get 503 service_unavailable
 * with Retry-After straight away.
 */
export function boundedHasher(
  inner: PasswordHasher,
  { concurrency, maxQueued }: HashingLimits,
): PasswordHasher {
  const limit = pLimit(concurrency);
  const run = <T>(work: () => Promise<T>): Promise<T> => {
    // p-limit starts queued work a tick later, so count running and waiting together.
    if (limit.activeCount + limit.pendingCount >= concurrency + maxQueued) {
      return Promise.reject(
        new AppError('service_unavailable', 'Too many sign-ins at once; try again in a moment.', {
          headers: { 'Retry-After': '1' },
        }),
      );
    }
    return limit(work);
  };
  return {
    hash: (password) => run(() => inner.hash(password)),
    verify: (hash, password) => run(() => inner.verify(hash, password)),
  };
}
