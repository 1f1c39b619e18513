import { petNotFound, type NewPet, type Pet, type PetChanges } from './pet.js';
import { isPetId } from './pet-input.js';
import type { PetStore } from './pet-store.js';

export interface PetServiceDeps {
  readonly store: PetStore;
  readonly now: () => Date;
  readonly newId: () => string;
}

export function listPets({ store }: PetServiceDeps, ownerId: string): Promise<Pet[]> {
  return store.listByOwner(ownerId);
}

export async function createPet(
  { store, now, newId }: PetServiceDeps,
  ownerId: string,
  input: NewPet,
): Promise<Pet> {
  const at = now().toISOString();
  const pet: Pet = { id: newId(), name: input.name, species: input.species, createdAt: at, updatedAt: at };
  await store.create(ownerId, pet);
  return pet;
}

// A malformed id is answered like a missing pet without touching the store.
export async function getPet({ store }: PetServiceDeps, ownerId: string, id: string): Promise<Pet> {
  const pet = isPetId(id) ? await store.get(ownerId, id) : undefined;
  if (pet === undefined) throw petNotFound();
  return pet;
}

export async function updatePet(
  { store, now }: PetServiceDeps,
  ownerId: string,
  id: string,
  changes: PetChanges,
): Promise<Pet> {
  const pet = isPetId(id) ? await store.update(ownerId, id, changes, now().toISOString()) : undefined;
  if (pet === undefined) throw petNotFound();
  return pet;
}

export async function deletePet({ store }: PetServiceDeps, ownerId: string, id: string): Promise<void> {
  const deleted = isPetId(id) && (await store.delete(ownerId, id));
  if (!deleted) throw petNotFound();
}
