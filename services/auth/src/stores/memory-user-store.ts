import type { StoredUser } from '../domain/user.js';
import type { UserStore } from './user-store.js';

export class MemoryUserStore implements UserStore {
  private readonly byId = new Map<string, StoredUser>();
  private readonly idByEmail = new Map<string, string>();

  create(user: StoredUser): Promise<boolean> {
    if (this.idByEmail.has(user.email)) return Promise.resolve(false);
    this.idByEmail.set(user.email, user.id);
    this.byId.set(user.id, { ...user });
    return Promise.resolve(true);
  }

  findById(id: string): Promise<StoredUser | undefined> {
    const user = this.byId.get(id);
    return Promise.resolve(user === undefined ? undefined : { ...user });
  }

  findByEmail(email: string): Promise<StoredUser | undefined> {
    const id = this.idByEmail.get(email);
    return id === undefined ? Promise.resolve(undefined) : this.findById(id);
  }
}
