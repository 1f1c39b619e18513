import type { SessionData, SessionStore } from './session-store.js';

interface Entry {
  json: string;
  expiresAt: number;
}

export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;
  constructor(private readonly now: () => number = Date.now) {}

  get(id: string): Promise<SessionData | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(entry.json) as SessionData);
  }

  set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    this.sweep();
    this.entries.set(id, { json: JSON.stringify(data), expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.entries.delete(id);
    return Promise.resolve();
  }

  /** Drops expired entries (at most once a minute) so dead sessions do not pile up. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}
