import { describe, expect, it } from 'vitest';
import { AppError } from '@toypetme/http-kit';
import { boundedHasher, type PasswordHasher } from '../src/domain/password-hasher.js';

/** A hasher whose every call waits until the test releases it, to hold slots busy. */
function heldHasher(): { hasher: PasswordHasher; started: () => number; releaseAll: () => void } {
  const waiting: (() => void)[] = [];
  let started = 0;
  const held = <T>(value: T) =>
    new Promise<T>((resolve) => {
      started += 1;
      waiting.push(() => resolve(value));
    });
  return {
    hasher: { hash: (password) => held(`hash:${password}`), verify: () => held(true) },
    started: () => started,
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
  };
}

describe('boundedHasher', () => {
  it('when more hashes are asked than run and wait, the excess is 503 service_unavailable with Retry-After at once', async () => {
    const inner = heldHasher();
    const hasher = boundedHasher(inner.hasher, { concurrency: 2, maxQueued: 1 });
    const accepted = [hasher.verify('h', 'a'), hasher.verify('h', 'b'), hasher.hash('c')];
    await Promise.resolve();
    expect(inner.started()).toBe(2);
    const refused = await hasher.verify('h', 'd').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'service_unavailable',
      status: 503,
      headers: { 'Retry-After': '1' },
    });
    inner.releaseAll();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(inner.started()).toBe(3);
    inner.releaseAll();
    expect(await Promise.all(accepted)).toEqual([true, true, 'hash:c']);
  });

  it('when slots free up, waiting hashes run and new ones are accepted again', async () => {
    const inner = heldHasher();
    const hasher = boundedHasher(inner.hasher, { concurrency: 1, maxQueued: 0 });
    const first = hasher.hash('a');
    await expect(hasher.hash('b')).rejects.toMatchObject({ code: 'service_unavailable' });
    inner.releaseAll();
    expect(await first).toBe('hash:a');
    const second = hasher.hash('c');
    await new Promise((resolve) => setTimeout(resolve, 0));
    inner.releaseAll();
    expect(await second).toBe('hash:c');
  });
});
