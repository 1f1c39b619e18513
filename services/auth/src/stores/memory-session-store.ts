import { TOMBSTONE_MS } from './tombstones.js';
import { handleOf, userIdOf, type SessionData, type SessionStore } from './session-store.js';

interface Entry {
  data: SessionData;
  expiresAt: number;
}

export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  /** Ended ids and until when a late save must still be refused. */
  private readonly ended = new Map<string, number>();
  private lastSweep = 0;
  constructor(private readonly now: () => number = Date.now) {}

  get(id: string): Promise<SessionData | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(structuredClone(entry.data));
  }

  set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    this.sweep();
    if ((this.ended.get(id) ?? 0) <= this.now()) {
      this.entries.set(id, { data: structuredClone(data), expiresAt: this.now() + ttlMs });
    }
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.end(id);
    return Promise.resolve();
  }

  destroyByUser(userId: string): Promise<string[]> {
    const handles: string[] = [];
    for (const [id, entry] of this.entries) {
      if (userIdOf(entry.data) !== userId) continue;
      const handle = handleOf(entry.data);
      if (handle !== undefined) handles.push(handle);
      this.end(id);
    }
    return Promise.resolve(handles);
  }

  private end(id: string): void {
    this.entries.delete(id);
    this.ended.set(id, this.now() + TOMBSTONE_MS);
  }

  /** Drops expired entries and marks (at most once a minute) so they do not pile up. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    for (const [id, until] of this.ended) if (until <= now) this.ended.delete(id);
  }
}
