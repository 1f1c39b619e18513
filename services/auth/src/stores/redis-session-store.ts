import type { Redis } from '@toypetme/http-kit';
import type { AuthKeys } from './keys.js';
import { addToIndex } from './redis-index.js';
import { userIdOf, type SessionData, type SessionStore } from './session-store.js';

export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: AuthKeys,
  ) {}

  async get(id: string): Promise<SessionData | undefined> {
    const json = await this.redis.get(this.keys.session(id));
    return json === null ? undefined : (JSON.parse(json) as SessionData);
  }

  async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    // CONTRACT F15: a stored session always has a finite TTL.
    await this.redis.set(this.keys.session(id), JSON.stringify(data), 'PX', ttl);
    const userId = userIdOf(data);
    if (userId !== undefined)
      await addToIndex(this.redis, this.keys.userSessions(userId), id, Date.now() + ttl);
  }

  async destroy(id: string): Promise<void> {
    const userId = userIdOf(await this.get(id));
    await this.redis.del(this.keys.session(id));
    if (userId !== undefined) await this.redis.srem(this.keys.userSessions(userId), id);
  }

  async destroyByUser(userId: string): Promise<number> {
    const index = this.keys.userSessions(userId);
    const ids = await this.redis.smembers(index);
    const deleted = await Promise.all(ids.map((id) => this.redis.del(this.keys.session(id))));
    await this.redis.del(index);
    return deleted.reduce((sum, count) => sum + count, 0);
  }
}
