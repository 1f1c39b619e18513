import { describe, expect, it } from 'vitest';
import { hashSlot, hashTag } from '@toypetme/test-kit';
import { newFamilyId, newRefreshToken, digest } from '../src/domain/refresh-token.js';
import { authKeys } from '../src/stores/keys.js';

const keys = authKeys('tpm:auth:');
const familyId = newFamilyId();
const [tokenHash, successorHash] = [digest(newRefreshToken(familyId)), digest(newRefreshToken(familyId))];

/** Sample arguments for every key set in `keys.together`, the way the stores call them. */
const SETS: Record<keyof typeof keys.together, readonly string[]> = {
  session: keys.together.session('Yq3b1Uq0zJ6cN3m9hW2s0aV8rT5kL1xQ7eF4dG6hJ2c'),
  newFamily: keys.together.newFamily(familyId, tokenHash),
  spend: keys.together.spend(familyId, tokenHash, successorHash),
  sessionFamilies: keys.together.sessionFamilies('p0Zr8yS3nK1wQ5vB7cX2dA'),
};

describe('Redis Cluster hash slots of the auth stores', () => {
  it('when a key set is named in keys.together, this test checks it too', () => {
    expect(Object.keys(SETS).sort()).toEqual(Object.keys(keys.together).sort());
  });

  it.each(Object.entries(SETS))(
    'when the %s operation runs, all its keys share one non-empty hash tag and so one slot',
    (_name, set) => {
      expect(set.length).toBeGreaterThan(1);
      const tags = new Set(set.map(hashTag));
      expect(tags.size).toBe(1);
      expect([...tags][0]).toBeTruthy();
      expect(new Set(set.map(hashSlot)).size).toBe(1);
    },
  );

  it('when ids differ, the sets land in different slots (the tag is the id, not a constant)', () => {
    const slots = new Set(
      Array.from({ length: 20 }, () => hashSlot(keys.together.spend(newFamilyId(), 'a', 'b')[0])),
    );
    expect(slots.size).toBeGreaterThan(10);
  });

  it('when a hash slot is computed, it matches the values Redis itself gives', () => {
    // CLUSTER KEYSLOT answers of a real Redis 7 server.
    expect(hashSlot('foo')).toBe(12182);
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('user1000'));
    expect(hashTag('a{}b{c}')).toBeUndefined();
  });
});
