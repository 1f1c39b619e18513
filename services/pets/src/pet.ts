import { AppError } from '@toypetme/http-kit';

/** A pet as the contract shows it; times are ISO strings. */
export interface Pet {
  readonly id: string;
  readonly name: string;
  readonly species: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewPet {
  readonly name: string;
  readonly species: string;
}

export interface PetChanges {
  readonly name?: string;
  readonly species?: string;
}

/** Listing order every store follows: oldest first, ties by id. */
export function byCreation(a: Pet, b: Pet): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Copies exactly the contract's fields, so nothing else stored or sent can leak out. */
export function toPet(value: Pet): Pet {
  const { id, name, species, createdAt, updatedAt } = value;
  return { id, name, species, createdAt, updatedAt };
}

/**
 * One answer for a malformed id, a missing pet and another user's pet (SECURITY-CHECKS
 * "Authorization"): nothing in the response tells them apart.
 */
export function petNotFound(): AppError {
  return new AppError('not_found', 'No such pet.');
}
