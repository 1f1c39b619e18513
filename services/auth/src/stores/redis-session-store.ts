import type { Redis } from '@toypetme/http-kit';
import type { AuthKeys } from './keys.js';
import type { SessionData, SessionStore } from './session-store.js';

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
    // CONTRACT F15: a stored session always has a finite TTL.
    await this.redis.set(this.keys.session(id), JSON.stringify(data), 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.keys.session(id));
  }
}
