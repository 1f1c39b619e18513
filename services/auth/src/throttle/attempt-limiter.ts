import { AppError, type RedisClient } from '@toypetme/http-kit';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** How many attempts one key may make per fixed window. */
export interface AttemptPolicy {
  readonly max: number;
  readonly windowSec: number;
}

export type AttemptVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSec: number };

/**
 * Counts attempts per key in fixed windows (STYLE 5: the rate limiter). Counting is one atomic
 * increment in the store (STYLE 7), so parallel attempts can never slip past the limit: the
 * (max + 1)th increment is refused however many arrive at once.
 */
export interface AttemptLimiter {
  /** Counts one attempt; refused once more than `max` were counted in the current window. */
  consume(key: string): Promise<AttemptVerdict>;
  /** Gives one counted attempt back (an attempt that should not count, such as a success). */
  refund(key: string): Promise<void>;
}

/**
 * A counter that cannot be read is a 503, never a free pass and never a 500 (CONTRACT "Failure
 * and abuse": Redis unreachable → service_unavailable).
 */
function unavailable(cause: unknown): AppError {
  return new AppError('service_unavailable', 'The attempt counter is unavailable; try again shortly.', {
    cause,
  });
}

/** rate-limiter-flexible rejects with a RateLimiterRes when refused, with an Error when broken. */
class FlexibleAttemptLimiter implements AttemptLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async consume(key: string): Promise<AttemptVerdict> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw unavailable(outcome);
      return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
    }
  }

  async refund(key: string): Promise<void> {
    try {
      await this.limiter.reward(key);
    } catch (err) {
      throw unavailable(err);
    }
  }
}

/** Counts in this process only (memory mode: development). */
export function memoryAttemptLimiter(policy: AttemptPolicy): AttemptLimiter {
  return new FlexibleAttemptLimiter(
    new RateLimiterMemory({ points: policy.max, duration: policy.windowSec }),
  );
}

/**
 * Counts in Redis, shared by every auth replica: one key per counted subject under `keyPrefix`,
 * expiring with its window. A client that is not connected fails at once (a 503), rather than
 * waiting for a reconnect.
 */
export function redisAttemptLimiter(
  redis: RedisClient,
  keyPrefix: string,
  policy: AttemptPolicy,
): AttemptLimiter {
  return new FlexibleAttemptLimiter(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points: policy.max,
      duration: policy.windowSec,
      rejectIfRedisNotReady: true,
    }),
  );
}
