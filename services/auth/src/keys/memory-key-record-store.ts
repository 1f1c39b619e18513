import type { KeyRecord } from './key-record.js';
import type { KeyRecordStore } from './key-record-store.js';

/** One process only (tests, development without Redis); the lock still guards overlapping runs. */
export class MemoryKeyRecordStore implements KeyRecordStore {
  private readonly records = new Map<string, KeyRecord>();
  private lockExpiresAt = Number.NEGATIVE_INFINITY;
  private lockToken: symbol | undefined;
  constructor(private readonly now: () => number = Date.now) {}

  list(): Promise<KeyRecord[]> {
    return Promise.resolve([...this.records.values()].map((record) => ({ ...record })));
  }

  put(record: KeyRecord): Promise<void> {
    this.records.set(record.kid, { ...record });
    return Promise.resolve();
  }

  remove(kid: string): Promise<void> {
    this.records.delete(kid);
    return Promise.resolve();
  }

  async withLock<T>(ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.lockToken !== undefined && this.lockExpiresAt > this.now()) return undefined;
    const token = Symbol('lock');
    this.lockToken = token;
    this.lockExpiresAt = this.now() + ttlMs;
    try {
      return await fn();
    } finally {
      // A holder whose lock lapsed and was taken over must not release the new holder's lock.
      if (this.lockToken === token) this.lockToken = undefined;
    }
  }
}
