import { randomUUID } from 'node:crypto';
import { createLogger } from '@toypetme/http-kit';
import { testRedis, type TestRedis } from '@toypetme/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutKey, migrateLegacyPetKeys, RedisPetStore } from '../src/index.js';
import { newPet } from './pet-store.contract.js';

const logger = createLogger({ name: 'legacy-keys-test', level: 'silent' });
let t: TestRedis;
beforeAll(async () => {
  t = await testRedis('test-pets-legacy');
});
afterAll(() => t.cleanup());

describe('pets stored before the hash-tagged key layout', () => {
  it('when pets start on a store of the old layout, every pet is found again and the move runs once', async () => {
    const prefix = `${t.prefix}${randomUUID()}:pets:`;
    const owner = 'user:with/odd chars';
    const [rex, tom] = [newPet({ name: 'Rex' }), newPet({ name: 'Tom', species: 'cat' })];
    const enc = encodeURIComponent;
    // Exactly what the first layout wrote: owner:<id>:pet:<petId> and owner:<id>:pets.
    for (const pet of [rex, tom]) {
      await t.redis.set(`${prefix}owner:${enc(owner)}:pet:${enc(pet.id)}`, JSON.stringify(pet));
      await t.redis.zadd(`${prefix}owner:${enc(owner)}:pets`, Date.parse(pet.createdAt), pet.id);
    }
    const store = new RedisPetStore(t.redis, prefix);
    const added = newPet({ name: 'New' });
    await store.create(owner, added); // written by the new layout before the move: merged, not lost

    expect(await migrateLegacyPetKeys(t.redis, prefix, logger)).toBe(3);
    expect((await store.listByOwner(owner)).map((pet) => pet.name)).toEqual(['Rex', 'Tom', 'New']);
    expect(await t.redis.keys(`${prefix}owner:*`)).toEqual([]);
    expect(await t.redis.get(layoutKey(prefix))).toBe('2');

    await t.redis.set(`${prefix}owner:late:pets`, 'x');
    expect(await migrateLegacyPetKeys(t.redis, prefix, logger)).toBe(0);
  });
});
