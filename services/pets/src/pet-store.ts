import type { NewPet, Pet, PetChanges } from './pet.js';

export type { NewPet, Pet, PetChanges };

/**
 * Where pets live. Every operation is scoped to an owner: a pet is only reachable through the
 * user who created it, so another user's pet is simply not there.
 */
export interface PetStore {
  create(ownerId: string, pet: Pet): Promise<void>;
  get(ownerId: string, id: string): Promise<Pet | undefined>;
  /** The owner's pets, oldest first (ties by id). */
  listByOwner(ownerId: string): Promise<Pet[]>;
  /** Applies the changes and `updatedAt` in one step; undefined when the owner has no such pet. */
  update(ownerId: string, id: string, changes: PetChanges, updatedAt: string): Promise<Pet | undefined>;
  /** False when the owner has no such pet. */
  delete(ownerId: string, id: string): Promise<boolean>;
}
