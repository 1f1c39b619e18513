import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Family, RefreshTokenStore, SpendInput } from '../src/stores/refresh-token-store.js';

const GRACE = 10_000;
const hash = () => randomBytes(32).toString('base64url');

function aFamily(overrides: Partial<Family> = {}): Family {
  const now = Date.now();
  return {
    id: randomBytes(16).toString('base64url'),
    userId: `user-${randomBytes(4).toString('hex')}`,
    sessionHandle: `sess-${randomBytes(4).toString('hex')}`,
    userAgent: 'ToyPetMe/1.0 (test)',
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 3_600_000,
    ...overrides,
  };
}

async function started(store: RefreshTokenStore, overrides: Partial<Family> = {}) {
  const family = aFamily(overrides);
  const first = hash();
  await store.createFamily(family, first);
  return { family, first };
}

function spendOf(family: Family, tokenHash: string, now: number, graceMs = GRACE): SpendInput {
  return {
    familyId: family.id,
    tokenHash,
    successorHash: hash(),
    sealedPair: `sealed-${hash()}`,
    now,
    graceMs,
  };
}

/** The behaviour every RefreshTokenStore must show (STYLE 6): run against memory and Redis. */
export function describeRefreshTokenStore(name: string, makeStore: () => RefreshTokenStore): void {
  describe(`RefreshTokenStore contract: ${name}`, () => {
    it('when a live token is spent, it rotates and the successor is live', async () => {
      const store = makeStore();
      const { family, first } = await started(store);
      const spend = spendOf(family, first, Date.now());
      expect(await store.spend(spend)).toEqual({ kind: 'rotated' });
      expect((await store.spend(spendOf(family, spend.successorHash, Date.now()))).kind).toBe('rotated');
    });

    it('when the spent token comes back within the grace and its successor is unused, answers its sealed pair', async () => {
      const store = makeStore();
      const { family, first } = await started(store);
      const now = Date.now();
      const spend = spendOf(family, first, now);
      await store.spend(spend);
      expect(await store.spend(spendOf(family, first, now + 1000))).toEqual({
        kind: 'replay',
        sealedPair: spend.sealedPair,
      });
    });

    it('when the successor was already used, the spent token is reuse and kills the family', async () => {
      const store = makeStore();
      const { family, first } = await started(store);
      const now = Date.now();
      const one = spendOf(family, first, now);
      await store.spend(one);
      const two = spendOf(family, one.successorHash, now + 10);
      await store.spend(two);
      expect((await store.spend(spendOf(family, first, now + 20))).kind).toBe('reuse');
      expect((await store.spend(spendOf(family, two.successorHash, now + 30))).kind).toBe('invalid');
      expect(await store.getFamily(family.id, Date.now())).toBeUndefined();
    });

    it('when the grace has passed, the spent token is reuse and its successor dies too', async () => {
      const store = makeStore();
      const { family, first } = await started(store);
      const now = Date.now();
      const one = spendOf(family, first, now);
      await store.spend(one);
      expect((await store.spend(spendOf(family, first, now + GRACE + 1))).kind).toBe('reuse');
      expect((await store.spend(spendOf(family, one.successorHash, now + GRACE + 2))).kind).toBe('invalid');
    });

    it('when the grace is 0, any second use is reuse', async () => {
      const store = makeStore();
      const { family, first } = await started(store);
      const now = Date.now();
      const one = spendOf(family, first, now, 0);
      await store.spend(one);
      expect((await store.spend(spendOf(family, first, now, 0))).kind).toBe('reuse');
      expect((await store.spend(spendOf(family, one.successorHash, now, 0))).kind).toBe('invalid');
    });

    it('when 20 spends of one token race, exactly one rotates and the rest replay the same pair', async () => {
      const store = makeStore();
      const { family, first } = await started(store);
      const now = Date.now();
      const spends = Array.from({ length: 20 }, () => spendOf(family, first, now));
      const results = await Promise.all(spends.map((spend) => store.spend(spend)));
      const rotated = results.flatMap((result, i) => (result.kind === 'rotated' ? [spends[i]] : []));
      expect(rotated).toHaveLength(1);
      for (const result of results.filter((r) => r.kind !== 'rotated')) {
        expect(result).toEqual({ kind: 'replay', sealedPair: rotated[0]?.sealedPair });
      }
    });

    it('when the family has expired, even a freshly rotated token is invalid', async () => {
      const store = makeStore();
      const now = Date.now();
      const { family, first } = await started(store, { expiresAt: now + 60_000 });
      const one = spendOf(family, first, now + 59_000);
      expect((await store.spend(one)).kind).toBe('rotated');
      expect((await store.spend(spendOf(family, one.successorHash, now + 60_000))).kind).toBe('invalid');
    });

    it('when a token is unknown or names another family, answers invalid', async () => {
      const store = makeStore();
      const a = await started(store);
      const b = await started(store);
      expect((await store.spend(spendOf(a.family, hash(), Date.now()))).kind).toBe('invalid');
      expect((await store.spend(spendOf(a.family, b.first, Date.now()))).kind).toBe('invalid');
    });

    it('when the parent session was closed, createFamily answers false and keeps nothing', async () => {
      const store = makeStore();
      const family = aFamily();
      await store.revokeBySession(family.sessionHandle);
      const first = hash();
      expect(await store.createFamily(family, first)).toBe(false);
      expect(await store.getFamily(family.id, Date.now())).toBeUndefined();
      expect((await store.spend(spendOf(family, first, Date.now()))).kind).toBe('invalid');
    });

    it('when createFamily races revokeBySession 30 times, no family outlives the revocation', async () => {
      const store = makeStore();
      for (let round = 0; round < 30; round += 1) {
        const family = aFamily();
        const [created] = await Promise.all([
          store.createFamily(family, hash()),
          store.revokeBySession(family.sessionHandle),
        ]);
        expect(typeof created).toBe('boolean');
        expect(await store.getFamily(family.id, Date.now())).toBeUndefined();
      }
    });

    it("when a session's families are revoked, the user's other families live on", async () => {
      const store = makeStore();
      const userId = `user-${hash()}`;
      const a1 = await started(store, { userId, sessionHandle: 'session-a' + userId });
      const a2 = await started(store, { userId, sessionHandle: 'session-a' + userId });
      const b = await started(store, { userId, sessionHandle: 'session-b' + userId });
      expect(await store.revokeBySession('session-a' + userId)).toBe(2);
      expect((await store.spend(spendOf(a1.family, a1.first, Date.now()))).kind).toBe('invalid');
      expect((await store.spend(spendOf(a2.family, a2.first, Date.now()))).kind).toBe('invalid');
      expect((await store.spend(spendOf(b.family, b.first, Date.now()))).kind).toBe('rotated');
    });

    it("when a user's families are listed, only live ones appear, newest first; revokeByUser ends all", async () => {
      const store = makeStore();
      const userId = `user-${hash()}`;
      const now = Date.now();
      const old = await started(store, { userId, createdAt: now - 1000 });
      const recent = await started(store, { userId, createdAt: now });
      const revoked = await started(store, { userId, createdAt: now - 500 });
      await started(store); // someone else's
      await store.revokeFamily(revoked.family.id);
      expect((await store.listByUser(userId, now)).map((f) => f.id)).toEqual([
        recent.family.id,
        old.family.id,
      ]);
      expect(await store.revokeByUser(userId)).toBe(2);
      expect(await store.listByUser(userId, now)).toEqual([]);
    });
  });
}
