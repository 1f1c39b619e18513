import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { AttemptLimiter, AttemptPolicy } from '../src/throttle/attempt-limiter.js';

/** The behaviour every AttemptLimiter must show: run against memory and Redis. */
export function describeAttemptLimiter(
  name: string,
  makeLimiter: (policy: AttemptPolicy) => AttemptLimiter,
): void {
  describe(`AttemptLimiter contract: ${name}`, () => {
    it('when max attempts are counted they are allowed, and the next is refused with a retry delay within the window', async () => {
      const limiter = makeLimiter({ max: 3, windowSec: 60 });
      const key = randomUUID();
      for (let i = 0; i < 3; i += 1) expect(await limiter.consume(key)).toEqual({ allowed: true });
      const refused = await limiter.consume(key);
      expect(refused.allowed).toBe(false);
      const retryAfterSec = refused.allowed ? 0 : refused.retryAfterSec;
      expect(retryAfterSec).toBeGreaterThanOrEqual(1);
      expect(retryAfterSec).toBeLessThanOrEqual(60);
    });

    it('when 60 attempts on one key arrive at once, exactly max are allowed', async () => {
      const limiter = makeLimiter({ max: 5, windowSec: 60 });
      const key = randomUUID();
      const verdicts = await Promise.all(Array.from({ length: 60 }, () => limiter.consume(key)));
      expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(5);
    });

    it('when an attempt is refunded, one more is allowed, and only one', async () => {
      const limiter = makeLimiter({ max: 2, windowSec: 60 });
      const key = randomUUID();
      await limiter.consume(key);
      await limiter.consume(key);
      await limiter.refund(key);
      expect((await limiter.consume(key)).allowed).toBe(true);
      expect((await limiter.consume(key)).allowed).toBe(false);
    });

    it('when one key is spent, another key is still allowed', async () => {
      const limiter = makeLimiter({ max: 1, windowSec: 60 });
      const [spent, fresh] = [randomUUID(), randomUUID()];
      await limiter.consume(spent);
      expect((await limiter.consume(spent)).allowed).toBe(false);
      expect((await limiter.consume(fresh)).allowed).toBe(true);
    });

    it('when the window has passed, the key is allowed again', async () => {
      const limiter = makeLimiter({ max: 1, windowSec: 1 });
      const key = randomUUID();
      await limiter.consume(key);
      expect((await limiter.consume(key)).allowed).toBe(false);
      await sleep(1_100);
      expect((await limiter.consume(key)).allowed).toBe(true);
    });
  });
}
