import type { RedisClient } from '@toypetme/http-kit';
import type { AuthKeys } from './keys.js';
import { addToIndex, liveMembers } from './redis-index.js';
import { handleOf, userIdOf, type SessionData, type SessionStore } from './session-store.js';
import { TOMBSTONE_MS } from './tombstones.js';

/** Saves unless the session was ended meanwhile (KEYS: session, ended mark). */
const SAVE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: AuthKeys,
  ) {}

  async get(id: string): Promise<SessionData | undefined> {
    const json = await this.redis.get(this.keys.session(id));
    return json === null ? undefined : (JSON.parse(json) as SessionData);
  }

  async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    // CONTRACT F15: a stored session always has a finite TTL.
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const saved = await this.redis.eval(
      SAVE,
      2,
      ...this.keys.together.session(id),
      JSON.stringify(data),
      ttl,
    );
    const userId = userIdOf(data);
    if (saved === 1 && userId !== undefined) {
      await addToIndex(this.redis, this.keys.userSessions(userId), id, Date.now() + ttl);
    }
  }

  async destroy(id: string): Promise<void> {
    const data = await this.get(id);
    await this.end(id);
    const userId = userIdOf(data);
    if (userId !== undefined) await this.redis.zrem(this.keys.userSessions(userId), id);
  }

  async destroyByUser(userId: string): Promise<string[]> {
    const index = this.keys.userSessions(userId);
    const ids = await liveMembers(this.redis, index);
    const handles = await Promise.all(
      ids.map(async (id) => {
        const handle = handleOf(await this.get(id));
        await this.end(id);
        return handle;
      }),
    );
    await this.redis.del(index);
    return handles.filter((handle): handle is string => handle !== undefined);
  }

  private async end(id: string): Promise<void> {
    const [session, ended] = this.keys.together.session(id);
    await this.redis.multi().del(session).set(ended, '1', 'PX', TOMBSTONE_MS).exec();
  }
}
