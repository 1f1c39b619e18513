import { describe, expect, it } from 'vitest';
import { deriveKek, KeyDecryptError } from '../src/keys/key-crypto.js';
import { mintKeyRecord } from '../src/keys/key-record.js';
import { KeyRing } from '../src/keys/key-ring.js';
import { MemoryKeyRecordStore } from '../src/keys/memory-key-record-store.js';
import { reencrypt } from '../src/keys/reencrypt.js';
import {
  retire,
  rotate,
  rotateNow,
  type AppliedAction,
  type RotationDeps,
} from '../src/keys/rotation-applier.js';
import { MINUTE, T0, testKek, TestClock, testPolicy } from './key-fixtures.js';

/** The kid of the key an applier run created. */
function createdKid(applied: AppliedAction[] | undefined): string {
  const created = applied?.find((action) => action.type === 'create');
  if (created?.type !== 'create') throw new Error('no key was created');
  return created.kid;
}

function setup() {
  const clock = new TestClock();
  const store = new MemoryKeyRecordStore(clock.now);
  const deps: RotationDeps = { store, kek: testKek, policy: testPolicy('EdDSA') };
  const ring = new KeyRing({ store, keks: [testKek], jwksMaxAgeSec: 300, now: clock.now });
  return { clock, store, deps, ring };
}

describe('rotation applier', () => {
  it('when the store is empty, rotate stores a first key, sealed with the KEK, and a second run does nothing', async () => {
    const { store, deps, ring } = setup();
    const applied = await rotate(deps, T0);
    expect(applied).toEqual([{ type: 'create', activatesAt: T0, reason: 'first', kid: expect.any(String) }]);
    expect(await rotate(deps, T0 + MINUTE)).toEqual([]);
    const [record] = await store.list();
    expect(record).toMatchObject({
      createdAt: T0,
      activatesAt: T0,
      alg: 'EdDSA',
      sealedWith: testKek.fingerprint,
    });
    await ring.reload(T0);
    expect(ring.current().kid).toBe(createdKid(applied));
  });

  it('when another replica holds the lock, rotate answers undefined and writes nothing', async () => {
    const { store, deps } = setup();
    let inner: unknown = 'not run';
    await store.withLock(10_000, async () => {
      inner = await rotate(deps, T0);
    });
    expect(inner).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('when an operator rotates now, the next key is published at once and signs after propagation', async () => {
    const { clock, deps, ring } = setup();
    await rotate(deps, T0);
    const applied = await rotateNow(deps, T0 + MINUTE);
    expect(applied).toMatchObject([{ type: 'create', activatesAt: T0 + MINUTE + deps.policy.propagationMs }]);
    expect(await rotateNow(deps, T0 + 2 * MINUTE)).toEqual([]);
    await ring.reload(T0 + MINUTE);
    expect(ring.published()).toHaveLength(2);
    expect(ring.current().kid).not.toBe(createdKid(applied));
    clock.t = T0 + MINUTE + deps.policy.propagationMs;
    expect(ring.current().kid).toBe(createdKid(applied));
  });

  it('when an operator retires the only signing key, a replacement signs at once and the old key is gone', async () => {
    const { clock, deps, ring } = setup();
    const firstKid = createdKid(await rotate(deps, T0));
    clock.t = T0 + MINUTE;
    const applied = await retire(deps, firstKid, clock.t);
    expect(applied?.map((action) => action.type)).toEqual(['create', 'remove']);
    await ring.reload();
    expect(ring.published().map((key) => key.kid)).not.toContain(firstKid);
    expect(ring.current().kid).toBe(createdKid(applied));
    await expect(retire(deps, 'no-such-kid', clock.t)).rejects.toThrow(/no-such-kid/);
  });
});

describe('reencrypt', () => {
  const oldKek = deriveKek('old-secret-0123456789abcdef0123456789abcd');

  it('when records are sealed with the previous secret, re-seals them all; the new secret alone then opens them', async () => {
    const { store, deps } = setup();
    await rotate({ ...deps, kek: oldKek }, T0);
    await rotateNow({ ...deps, kek: oldKek }, T0 + MINUTE);
    const before = (await store.list()).map((record) => record.kid).sort();
    expect((await reencrypt(store, oldKek, testKek))?.sort()).toEqual(before);
    expect((await store.list()).every((record) => record.sealedWith === testKek.fingerprint)).toBe(true);
    const ring = await KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: () => T0 });
    expect(
      ring
        .published()
        .map((key) => key.kid)
        .sort(),
    ).toEqual(before);
    expect(await reencrypt(store, oldKek, testKek)).toEqual([]);
  });

  it('when a record is sealed with neither secret, throws naming its kid and changes nothing', async () => {
    const { store } = setup();
    const stranger = deriveKek('stranger-secret-0123456789abcdef01234567');
    const { record: mine } = await mintKeyRecord('EdDSA', oldKek, { createdAt: T0, activatesAt: T0 });
    const { record: theirs } = await mintKeyRecord('EdDSA', stranger, { createdAt: T0, activatesAt: T0 });
    await store.put(mine);
    await store.put(theirs);
    const attempt = reencrypt(store, oldKek, testKek);
    await expect(attempt).rejects.toThrow(KeyDecryptError);
    await expect(reencrypt(store, oldKek, testKek)).rejects.toThrow(theirs.kid);
    expect(await store.list()).toEqual([mine, theirs]);
  });
});
