import { byCreation, toPet, type Pet, type PetChanges } from './pet.js';
import type { PetStore } from './pet-store.js';

/** For development and tests: lost on restart. Hands out copies, so callers cannot edit it. */
export class MemoryPetStore implements PetStore {
  private readonly owners = new Map<string, Map<string, Pet>>();

  create(ownerId: string, pet: Pet): Promise<void> {
    const pets = this.owners.get(ownerId) ?? new Map<string, Pet>();
    pets.set(pet.id, toPet(pet));
    this.owners.set(ownerId, pets);
    return Promise.resolve();
  }

  get(ownerId: string, id: string): Promise<Pet | undefined> {
    const pet = this.owners.get(ownerId)?.get(id);
    return Promise.resolve(pet && toPet(pet));
  }

  listByOwner(ownerId: string): Promise<Pet[]> {
    const pets = [...(this.owners.get(ownerId)?.values() ?? [])];
    return Promise.resolve(pets.sort(byCreation).map(toPet));
  }

  update(ownerId: string, id: string, changes: PetChanges, updatedAt: string): Promise<Pet | undefined> {
    const pets = this.owners.get(ownerId);
    const current = pets?.get(id);
    if (pets === undefined || current === undefined) return Promise.resolve(undefined);
    const { name = current.name, species = current.species } = changes;
    const updated = toPet({ ...current, name, species, updatedAt });
    pets.set(id, updated);
    return Promise.resolve(toPet(updated));
  }

  delete(ownerId: string, id: string): Promise<boolean> {
    const pets = this.owners.get(ownerId);
    const deleted = pets?.delete(id) ?? false;
    if (pets?.size === 0) this.owners.delete(ownerId);
    return Promise.resolve(deleted);
  }
}
