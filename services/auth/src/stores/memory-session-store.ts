import { userIdOf, type SessionData, type SessionStore } from './session-store.js';

interface Entry {
  json: string;
  expiresAt: number;
}

export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  private lastSweep = 0;
  constructor(private readonly now: () => number = Date.now) {}

  get(id: string): Promise<SessionData | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.remove(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(entry.json) as SessionData);
  }

  set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    this.sweep();
    this.entries.set(id, { json: JSON.stringify(data), expiresAt: this.now() + ttlMs });
    const userId = userIdOf(data);
    if (userId !== undefined) this.byUser.set(userId, (this.byUser.get(userId) ?? new Set()).add(id));
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.remove(id);
    return Promise.resolve();
  }

  destroyByUser(userId: string): Promise<number> {
    const ids = [...(this.byUser.get(userId) ?? [])].filter((id) => this.entries.has(id));
    for (const id of ids) this.remove(id);
    this.byUser.delete(userId);
    return Promise.resolve(ids.length);
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    const userId = userIdOf(JSON.parse(entry.json) as SessionData);
    const ids = userId === undefined ? undefined : this.byUser.get(userId);
    ids?.delete(id);
    if (userId !== undefined && ids?.size === 0) this.byUser.delete(userId);
  }

  /** Drops expired entries (at most once a minute) so dead sessions do not pile up. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.remove(id);
  }
}
