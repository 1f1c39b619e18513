import type { StoredUser } from '../domain/user.js';

export interface UserStore {
  /** Adds the user unless the (normalized) email is taken; atomic. Returns false when taken. */
  create(user: StoredUser): Promise<boolean>;
  findById(id: string): Promise<StoredUser | undefined>;
  findByEmail(email: string): Promise<StoredUser | undefined>;
}
