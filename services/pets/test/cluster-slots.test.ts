import { describe, expect, it } from 'vitest';
import { hashSlot, hashTag } from '@toypetme/test-kit';
import { ownerPetsKey, petKey } from '../src/index.js';

const prefix = 'tpm:pets:';

describe('Redis Cluster hash slots of the pet store', () => {
  it.each(['user-1', '8c1f3e1e-5b7a-4f7e-9d55-0c1f3a7e9b21', 'odd}{owner:x', ''])(
    'when owner %j creates, deletes or lists pets, the pet keys and the index share one slot',
    (owner) => {
      // create and delete are one MULTI over a pet and the index; a listing is one MGET of pets.
      const set = [ownerPetsKey(prefix, owner), petKey(prefix, owner, 'p1'), petKey(prefix, owner, 'p}2')];
      const tags = new Set(set.map(hashTag));
      expect(tags.size).toBe(1);
      expect([...tags][0]).toBeTruthy();
      expect(new Set(set.map(hashSlot)).size).toBe(1);
    },
  );

  it('when owners differ, their keys spread over slots', () => {
    const slots = new Set(Array.from({ length: 20 }, (_, i) => hashSlot(ownerPetsKey(prefix, `owner-${i}`))));
    expect(slots.size).toBeGreaterThan(10);
  });
});
