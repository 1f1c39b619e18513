import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyRecordStore } from '../src/keys/key-record-store.js';
import { fakeRecord } from './key-fixtures.js';

export interface KeyRecordStoreHarness {
  /** Two handles on the same storage, as two replicas would hold (may be the same object). */
  a: KeyRecordStore;
  b: KeyRecordStore;
  /** Makes a held lock lapse now (clock jump, or PEXPIRE), so no test sleeps. */
  expireLock: () => Promise<void>;
}

/**
 * Takes the lock and keeps it until `release()`: `started` resolves once the holder runs, and
 * `result` is what withLock answered (undefined if the lock was busy).
 */
function hold<T>(store: KeyRecordStore, value: T) {
  let release = (): void => undefined;
  let started = (): void => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const result = store.withLock(10_000, async () => {
    started();
    await released;
    return value;
  });
  // A busy lock never runs the holder: then `running` settles with the result instead.
  const ready = Promise.race([running, result.then(() => undefined)]);
  return { ready, release, result };
}

/**
 * Every handle asks for the lock at once; a holder keeps it until every other caller has been
 * answered, so "exactly one ran" can never pass merely because one finished before another began.
 */
export async function contend(handles: readonly KeyRecordStore[], ttlMs = 10_000) {
  let runs = 0;
  let refused = 0;
  let open = (): void => undefined;
  const everyoneAnswered = new Promise<void>((resolve) => (open = resolve));
  const check = (): void => {
    if (runs + refused === handles.length) open();
  };
  const results = await Promise.all(
    handles.map(async (store) => {
      const result = await store.withLock(ttlMs, async () => {
        runs += 1;
        check();
        await everyoneAnswered;
        return 'ran';
      });
      if (result === undefined) refused += 1;
      check();
      return result;
    }),
  );
  return { runs, ran: results.filter((result) => result === 'ran').length, refused };
}

const tryLock = (store: KeyRecordStore) => store.withLock(10_000, () => Promise.resolve('ran'));

/** The behaviour every KeyRecordStore must show: run against memory, file and Redis. */
export function describeKeyRecordStore(
  name: string,
  makeHarness: () => Promise<KeyRecordStoreHarness>,
): void {
  describe(`KeyRecordStore contract: ${name}`, () => {
    it('when nothing was stored, list answers no records', async () => {
      const { a } = await makeHarness();
      expect(await a.list()).toEqual([]);
    });

    it('when a record is put, every handle lists it unchanged, and a second put replaces it', async () => {
      const { a, b } = await makeHarness();
      const record = fakeRecord(randomUUID(), { alg: 'ES256', activatesAt: 5 });
      await a.put(record);
      expect(await b.list()).toEqual([record]);
      const retired = { ...record, retiredAt: 10, expiresAt: 20 };
      await b.put(retired);
      expect(await a.list()).toEqual([retired]);
    });

    it('when a record is removed, it is gone and the others stay; removing an unknown kid is harmless', async () => {
      const { a, b } = await makeHarness();
      const [one, two] = [fakeRecord(randomUUID()), fakeRecord(randomUUID())];
      await a.put(one);
      await a.put(two);
      await b.remove(one.kid);
      await b.remove('never-stored');
      expect(await a.list()).toEqual([two]);
    });

    // Across replicas, writers hold withLock (every rotation step does), so one handle suffices here.
    it('when many records are put at once through one handle, none is lost', async () => {
      const { a } = await makeHarness();
      const records = Array.from({ length: 8 }, () => fakeRecord(randomUUID()));
      await Promise.all(records.map((record) => a.put(record)));
      const kids = (await a.list()).map((record) => record.kid).sort();
      expect(kids).toEqual(records.map((record) => record.kid).sort());
    });

    it.each([2, 10])('when %i callers want the lock at once, exactly one runs', async (callers) => {
      const { a, b } = await makeHarness();
      const handles = Array.from({ length: callers }, (_, i) => (i % 2 === 0 ? a : b));
      expect(await contend(handles)).toEqual({ runs: 1, ran: 1, refused: callers - 1 });
    });

    it('when the holder finishes or fails, the lock is free again and its error comes through', async () => {
      const { a, b } = await makeHarness();
      expect(await a.withLock(10_000, () => Promise.resolve(1))).toBe(1);
      await expect(b.withLock(10_000, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await a.withLock(10_000, () => Promise.resolve(2))).toBe(2);
    });

    it('when a holder outlives its ttl, another may take the lock, and the first never frees it', async () => {
      const { a, b, expireLock } = await makeHarness();
      const first = hold(a, 'first');
      await first.ready;
      expect(await tryLock(b)).toBeUndefined();
      await expireLock();
      const second = hold(b, 'second');
      await second.ready;
      expect(await tryLock(a)).toBeUndefined();
      first.release();
      expect(await first.result).toBe('first');
      // The lapsed holder is done: the second holder's lock must still stand.
      expect(await tryLock(a)).toBeUndefined();
      second.release();
      expect(await second.result).toBe('second');
      expect(await tryLock(a)).toBe('ran');
    });
  });
}
