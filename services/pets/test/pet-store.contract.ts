import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Pet, PetStore } from '../src/index.js';

let clock = Date.parse('2030-01-01T00:00:00Z');

/** A pet created one second after the previous one, so listing order is well defined. */
export function newPet(overrides: Partial<Pet> = {}): Pet {
  clock += 1000;
  const at = new Date(clock).toISOString();
  return { id: randomUUID(), name: 'Rex', species: 'dog', createdAt: at, updatedAt: at, ...overrides };
}

/**
 * The observable behaviour every PetStore must share (STYLE 6). Each test uses fresh owner ids,
 * so implementations may share one backing store across tests.
 */
export function describePetStoreContract(name: string, makeStore: () => PetStore): void {
  describe(`PetStore contract: ${name}`, () => {
    const owner = (): string => `owner-${randomUUID()}`;

    it('when a pet is created, its owner gets it back unchanged', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      expect(await store.get(alice, pet.id)).toEqual(pet);
    });

    it('when another owner asks for the pet, it is not there', async () => {
      const store = makeStore();
      const pet = newPet();
      await store.create(owner(), pet);
      expect(await store.get(owner(), pet.id)).toBeUndefined();
    });

    it('when an id never existed, get answers undefined', async () => {
      expect(await makeStore().get(owner(), randomUUID())).toBeUndefined();
    });

    it('when an owner has several pets, listByOwner returns only theirs, oldest first', async () => {
      const store = makeStore();
      const [alice, bob] = [owner(), owner()];
      const [first, second, third] = [newPet(), newPet(), newPet()];
      await store.create(alice, second);
      await store.create(bob, newPet());
      await store.create(alice, third);
      await store.create(alice, first);
      const listed = await store.listByOwner(alice);
      expect(listed).toEqual([first, second, third]);
    });

    it('when an owner has no pets, listByOwner is empty', async () => {
      expect(await makeStore().listByOwner(owner())).toEqual([]);
    });

    it('when a pet is updated, only the given fields and updatedAt change', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      const updatedAt = new Date(clock + 5000).toISOString();
      const updated = await store.update(alice, pet.id, { name: 'Max' }, updatedAt);
      expect(updated).toEqual({ ...pet, name: 'Max', updatedAt });
      expect(await store.get(alice, pet.id)).toEqual(updated);
    });

    it('when two updates change different fields at once, both changes survive', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      await Promise.all([
        store.update(alice, pet.id, { name: 'Max' }, pet.updatedAt),
        store.update(alice, pet.id, { species: 'cat' }, pet.updatedAt),
      ]);
      expect(await store.get(alice, pet.id)).toMatchObject({ name: 'Max', species: 'cat' });
    });

    it('when the update names another owner or a missing id, it answers undefined and changes nothing', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      expect(await store.update(owner(), pet.id, { name: 'Stolen' }, pet.updatedAt)).toBeUndefined();
      expect(await store.update(alice, randomUUID(), { name: 'Ghost' }, pet.updatedAt)).toBeUndefined();
      expect(await store.get(alice, pet.id)).toEqual(pet);
      expect(await store.listByOwner(alice)).toEqual([pet]);
    });

    it('when a pet is deleted, it is gone from get and list, and a second delete answers false', async () => {
      const store = makeStore();
      const [alice, pet, kept] = [owner(), newPet(), newPet()];
      await store.create(alice, pet);
      await store.create(alice, kept);
      expect(await store.delete(alice, pet.id)).toBe(true);
      expect(await store.get(alice, pet.id)).toBeUndefined();
      expect(await store.listByOwner(alice)).toEqual([kept]);
      expect(await store.delete(alice, pet.id)).toBe(false);
    });

    it('when another owner deletes the pet, it answers false and the pet survives', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      expect(await store.delete(owner(), pet.id)).toBe(false);
      expect(await store.get(alice, pet.id)).toEqual(pet);
    });

    it('when a pet is updated after being deleted, it is not revived', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      await store.delete(alice, pet.id);
      expect(await store.update(alice, pet.id, { name: 'Zombie' }, pet.updatedAt)).toBeUndefined();
      expect(await store.get(alice, pet.id)).toBeUndefined();
      expect(await store.listByOwner(alice)).toEqual([]);
    });

    it('when names hold multi-byte text, they round-trip exactly', async () => {
      const store = makeStore();
      const alice = owner();
      const pet = newPet({ name: 'Zoë 🐕‍🦺 小狗 "/\\', species: 'chien / 犬' });
      await store.create(alice, pet);
      expect(await store.get(alice, pet.id)).toEqual(pet);
      const updated = await store.update(alice, pet.id, { name: '👩‍👩‍👧 Ünïcødé' }, pet.updatedAt);
      expect(updated?.name).toBe('👩‍👩‍👧 Ünïcødé');
      expect((await store.listByOwner(alice))[0]?.name).toBe('👩‍👩‍👧 Ünïcødé');
    });

    it('when a returned pet is changed by the caller, the stored pet is not', async () => {
      const store = makeStore();
      const [alice, pet] = [owner(), newPet()];
      await store.create(alice, pet);
      const copy = (await store.get(alice, pet.id)) as { name: string };
      copy.name = 'Mutated';
      expect(await store.get(alice, pet.id)).toEqual(pet);
    });
  });
}
