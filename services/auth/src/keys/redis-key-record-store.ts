import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@toypetme/http-kit';
import type { AuthKeys } from '../stores/keys.js';
import { parseKeyRecordJson, type KeyRecord } from './key-record.js';
import type { KeyRecordStore } from './key-record-store.js';

/** Deletes the lock only while it still holds our token: a lapsed holder never frees a successor's lock. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Records as JSON in one hash, a field per kid; the lock is a token set with NX and a PX expiry. */
export class RedisKeyRecordStore implements KeyRecordStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<AuthKeys, 'signingKeys' | 'signingKeysLock'>,
  ) {}

  async list(): Promise<KeyRecord[]> {
    const fields = await this.redis.hgetall(this.keys.signingKeys());
    return Object.entries(fields).map(([kid, json]) => parseKeyRecordJson(json, kid));
  }

  async put(record: KeyRecord): Promise<void> {
    await this.redis.hset(this.keys.signingKeys(), record.kid, JSON.stringify(record));
  }

  async remove(kid: string): Promise<void> {
    await this.redis.hdel(this.keys.signingKeys(), kid);
  }

  async withLock<T>(ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    const lockKey = this.keys.signingKeysLock();
    const token = randomBytes(16).toString('base64url');
    const ttl = Math.max(1, Math.ceil(ttlMs));
    if ((await this.redis.set(lockKey, token, 'PX', ttl, 'NX')) !== 'OK') return undefined;
    try {
      return await fn();
    } finally {
      // A failed release must not hide fn's outcome; the lock lapses by its PX expiry anyway.
      await this.redis.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    }
  }
}
