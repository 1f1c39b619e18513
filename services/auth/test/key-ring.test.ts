import { describe, expect, it } from 'vitest';
import { AppError } from '@toypetme/http-kit';
import { deriveKek, KeyDecryptError } from '../src/keys/key-crypto.js';
import { mintKeyRecord, sealKeyRecord, type KeyRecord } from '../src/keys/key-record.js';
import { KeyRing } from '../src/keys/key-ring.js';
import { MemoryKeyRecordStore } from '../src/keys/memory-key-record-store.js';
import { createSigningKey } from '../src/keys/signing-algorithms.js';
import { HOUR, MINUTE, SECOND, T0, testKek, TestClock } from './key-fixtures.js';

const kids = (ring: KeyRing): string[] => ring.published().map((key) => key.kid);

async function mint(times: Partial<KeyRecord> & { activatesAt: number }, kek = testKek): Promise<KeyRecord> {
  const { record } = await mintKeyRecord('EdDSA', kek, {
    createdAt: times.activatesAt,
    activatesAt: times.activatesAt,
  });
  return { ...record, ...times };
}

/** A retired key, the signing key, and a pending one: the ring at its busiest. */
async function busyRing(clock = new TestClock(T0)) {
  const store = new MemoryKeyRecordStore(clock.now);
  const old = await mint({ activatesAt: T0 - 2 * HOUR, retiredAt: T0 - MINUTE, expiresAt: T0 + 10 * MINUTE });
  const current = await mint({ activatesAt: T0 - 2 * MINUTE });
  const next = await mint({ activatesAt: T0 + 20 * MINUTE });
  for (const record of [old, current, next]) await store.put(record);
  const ring = await KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: clock.now });
  return { clock, store, ring, old, current, next };
}

describe('KeyRing', () => {
  it('when no key exists yet, current() is a 503 service_unavailable and nothing is published', async () => {
    const ring = await KeyRing.open({
      store: new MemoryKeyRecordStore(),
      keks: [testKek],
      jwksMaxAgeSec: 300,
    });
    expect(() => ring.current()).toThrow(AppError);
    expect(() => ring.current()).toThrow(
      expect.objectContaining({ code: 'service_unavailable', status: 503 }),
    );
    expect(ring.published()).toEqual([]);
    expect(ring.maxAgeSec(Date.now())).toBe(300);
  });

  it('when a next key is pending, it is published but signs only from activatesAt, without a reload', async () => {
    const { clock, ring, old, current, next } = await busyRing();
    expect(kids(ring)).toEqual([old.kid, current.kid, next.kid]);
    expect(ring.current().kid).toBe(current.kid);
    clock.t = next.activatesAt - 1;
    expect(ring.current().kid).toBe(current.kid);
    clock.t = next.activatesAt;
    expect(ring.current().kid).toBe(next.kid);
  });

  it('when a retired key reaches expiresAt, it leaves published() on the clock alone', async () => {
    const { clock, ring, old, current, next } = await busyRing();
    clock.t = old.expiresAt! - 1;
    expect(kids(ring)).toContain(old.kid);
    clock.t = old.expiresAt!;
    expect(kids(ring)).toEqual([current.kid, next.kid]);
  });

  it('when only a pending key exists (clocks disagree at start), it signs rather than failing', async () => {
    const store = new MemoryKeyRecordStore();
    const early = await mint({ activatesAt: T0 + SECOND });
    await store.put(early);
    const ring = await KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: () => T0 });
    expect(ring.current().kid).toBe(early.kid);
  });

  it('when the JWKS max-age is computed at any clock point, nothing published or signing changes before it runs out', async () => {
    const { clock, ring } = await busyRing();
    for (let t = T0 - 5 * MINUTE; t < T0 + 30 * MINUTE; t += 7 * SECOND) {
      clock.t = t;
      const maxAgeMs = ring.maxAgeSec(t) * 1000;
      expect(maxAgeMs).toBeLessThanOrEqual(300_000);
      const seen = { published: kids(ring), current: ring.current().kid };
      for (const later of [t + maxAgeMs / 2, t + maxAgeMs - 1]) {
        if (later < t) continue;
        clock.t = later;
        expect({ published: kids(ring), current: ring.current().kid }).toEqual(seen);
      }
    }
  });

  it('when max-age is computed far from any change, it is the configured cap; right before one, it shrinks', async () => {
    const { ring, old, next } = await busyRing();
    expect(ring.maxAgeSec(old.expiresAt! - 4 * SECOND - 500)).toBe(4);
    expect(ring.maxAgeSec(old.expiresAt! + SECOND)).toBe(300);
    expect(ring.maxAgeSec(next.activatesAt - 1)).toBe(0);
  });

  it('when the schedule is known, max-age also stops when the next key is due to be published', async () => {
    const store = new MemoryKeyRecordStore(() => T0);
    const current = await mint({ activatesAt: T0 });
    await store.put(current);
    const schedule = { rotationPeriodMs: 7 * 24 * HOUR, propagationMs: 15 * MINUTE };
    const ring = await KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, schedule, now: () => T0 });
    const due = T0 + schedule.rotationPeriodMs - schedule.propagationMs;
    expect(ring.maxAgeSec(T0)).toBe(300);
    expect(ring.maxAgeSec(due - 60 * SECOND)).toBe(60);
    expect(ring.maxAgeSec(due - 1)).toBe(0);
    // Overdue (the maintenance that publishes it has not run yet): not cacheable either.
    expect(ring.maxAgeSec(due + 2 * SECOND)).toBe(0);
    // Without the schedule the ring cannot know, and keeps the cap.
    const blind = await KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: () => T0 });
    expect(blind.maxAgeSec(due - 60 * SECOND)).toBe(300);
  });

  it('when reloaded, a kid already seen is not decrypted again, and new and removed keys show up', async () => {
    const { store, ring, old, current } = await busyRing();
    // A record whose sealed key would no longer open proves the cached key was reused.
    await store.put({ ...current, sealed: 'v1.not.a.key' });
    await store.remove(old.kid);
    const added = await mint({ activatesAt: T0 + HOUR });
    await store.put(added);
    await ring.reload(T0);
    expect(kids(ring)).not.toContain(old.kid);
    expect(kids(ring)).toContain(added.kid);
    expect(ring.current().kid).toBe(current.kid);
  });

  it('when a new record does not open, reload throws KeyDecryptError naming the kid and the ring stays as it was', async () => {
    const { store, ring } = await busyRing();
    const before = kids(ring);
    const foreign = await mint(
      { activatesAt: T0 + HOUR },
      deriveKek('some-other-secret-0123456789abcdef012345'),
    );
    await store.put(foreign);
    await expect(ring.reload(T0)).rejects.toThrow(KeyDecryptError);
    await expect(ring.reload(T0)).rejects.toThrow(foreign.kid);
    expect(kids(ring)).toEqual(before);
  });

  it('when a record sealed with the previous secret is loaded with both KEKs, it opens', async () => {
    const previous = deriveKek('previous-secret-0123456789abcdef0123456789');
    const store = new MemoryKeyRecordStore();
    const record = await mint({ activatesAt: T0 }, previous);
    await store.put(record);
    const ring = await KeyRing.open({ store, keks: [testKek, previous], jwksMaxAgeSec: 300, now: () => T0 });
    expect(ring.current().kid).toBe(record.kid);
  });

  it('when a record holds another key than its kid says, it never signs', async () => {
    const store = new MemoryKeyRecordStore();
    const [one, two] = [await mint({ activatesAt: T0 }), await mint({ activatesAt: T0 })];
    await store.put({ ...one, sealed: two.sealed });
    const opening = KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: () => T0 });
    await expect(opening).rejects.toThrow(new RegExp(`${one.kid} is damaged`));
  });

  it('when an existing configured key is adopted as the first record, the ring signs with it under the same kid', async () => {
    const configured = await createSigningKey('RS256');
    const store = new MemoryKeyRecordStore();
    await store.put(sealKeyRecord(configured, testKek, { createdAt: T0, activatesAt: T0 }));
    const ring = await KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: () => T0 });
    expect(ring.current().kid).toBe(configured.kid);
    expect(ring.current().publicJwk).toEqual(configured.publicJwk);
  });
});
