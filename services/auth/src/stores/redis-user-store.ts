import type { RedisClient } from '@toypetme/http-kit';
import type { StoredUser } from '../domain/user.js';
import type { AuthKeys } from './keys.js';
import type { UserStore } from './user-store.js';

function parseUser(json: string | null): StoredUser | undefined {
  return json === null ? undefined : (JSON.parse(json) as StoredUser);
}

/** Accounts do not expire, so these are the only auth keys without a TTL. */
export class RedisUserStore implements UserStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: AuthKeys,
  ) {}

  /**
   * The record first, under its new id that nobody knows yet, then the email claim (SET NX), so
   * two registrations cannot both win. The two keys are found by different things (id, email)
   * and so live in different Redis Cluster slots: there is no one atomic step over both. This
   * order needs none: a lost claim deletes the record again, and a crash in between leaves only
   * a record no email leads to, never a claimed email without its account.
   */
  async create(user: StoredUser): Promise<boolean> {
    const record = this.keys.user(user.id);
    await this.redis.set(record, JSON.stringify(user));
    if ((await this.redis.set(this.keys.userByEmail(user.email), user.id, 'NX')) === 'OK') return true;
    await this.redis.del(record);
    return false;
  }

  async findById(id: string): Promise<StoredUser | undefined> {
    return parseUser(await this.redis.get(this.keys.user(id)));
  }

  async findByEmail(email: string): Promise<StoredUser | undefined> {
    const id = await this.redis.get(this.keys.userByEmail(email));
    return id === null ? undefined : this.findById(id);
  }
}
