import type { Redis } from '@toypetme/http-kit';
import type { StoredUser } from '../domain/user.js';
import type { AuthKeys } from './keys.js';
import type { UserStore } from './user-store.js';

/** Claims the email index and writes the record in one step, so two registrations cannot both win. */
const CREATE_USER = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0`;

function parseUser(json: string | null): StoredUser | undefined {
  return json === null ? undefined : (JSON.parse(json) as StoredUser);
}

/** Accounts do not expire, so these are the only auth keys without a TTL. */
export class RedisUserStore implements UserStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: AuthKeys,
  ) {}

  async create(user: StoredUser): Promise<boolean> {
    const keys = [this.keys.userByEmail(user.email), this.keys.user(user.id)];
    const created = await this.redis.eval(CREATE_USER, 2, ...keys, user.id, JSON.stringify(user));
    return created === 1;
  }

  async findById(id: string): Promise<StoredUser | undefined> {
    return parseUser(await this.redis.get(this.keys.user(id)));
  }

  async findByEmail(email: string): Promise<StoredUser | undefined> {
    const id = await this.redis.get(this.keys.userByEmail(email));
    return id === null ? undefined : this.findById(id);
  }
}
