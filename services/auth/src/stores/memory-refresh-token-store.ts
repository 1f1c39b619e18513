import { TOMBSTONE_MS } from './tombstones.js';
import type { Family, RefreshTokenStore, SpendInput, SpendResult } from './refresh-token-store.js';

interface TokenEntry {
  familyId: string;
  state: 'live' | 'spent';
  spentAt?: number;
  successor?: string;
}

interface FamilyEntry extends Family {
  current: string;
}

/**
 * In-memory twin of the Redis store. Every method runs to completion without awaiting, so each is
 * as atomic as the Redis scripts. Expired families are dropped when touched and on every create.
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly families = new Map<string, FamilyEntry>();
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly tokensOf = new Map<string, Set<string>>();
  /** Sessions closed to new families, until when. */
  private readonly closed = new Map<string, number>();
  private readonly sealed = new Map<string, { value: string; expiresAt: number }>();

  createFamily(family: Family, firstTokenHash: string): Promise<boolean> {
    this.sweep(family.createdAt);
    if ((this.closed.get(family.sessionHandle) ?? 0) > Date.now()) return Promise.resolve(false);
    this.families.set(family.id, { ...family, current: firstTokenHash });
    this.tokensOf.set(family.id, new Set());
    this.addToken(firstTokenHash, family.id);
    return Promise.resolve(true);
  }

  getFamily(familyId: string, now: number): Promise<Family | undefined> {
    return Promise.resolve(this.publicView(this.live(familyId, now)));
  }

  spend({ familyId, tokenHash, successorHash, sealedPair, now, graceMs }: SpendInput): Promise<SpendResult> {
    const family = this.live(familyId, now);
    const token = this.tokens.get(tokenHash);
    if (family === undefined || token === undefined || token.familyId !== familyId)
      return this.answer('invalid');
    if (token.state === 'live' && family.current === tokenHash) {
      Object.assign(token, { state: 'spent', spentAt: now, successor: successorHash });
      this.addToken(successorHash, familyId);
      this.families.set(familyId, { ...family, current: successorHash, lastUsedAt: now });
      if (graceMs > 0) this.sealed.set(tokenHash, { value: sealedPair, expiresAt: now + graceMs });
      return this.answer('rotated');
    }
    const replay = this.sealed.get(tokenHash);
    const inGrace =
      graceMs > 0 && now - (token.spentAt ?? 0) <= graceMs && family.current === token.successor;
    if (inGrace && replay !== undefined && replay.expiresAt > now) {
      return Promise.resolve({ kind: 'replay', sealedPair: replay.value });
    }
    this.drop(familyId);
    return this.answer('reuse');
  }

  revokeFamily(familyId: string): Promise<void> {
    this.drop(familyId);
    return Promise.resolve();
  }

  revokeBySession(sessionHandle: string): Promise<number> {
    this.closed.set(sessionHandle, Date.now() + TOMBSTONE_MS);
    return Promise.resolve(this.dropWhere((family) => family.sessionHandle === sessionHandle));
  }

  revokeByUser(userId: string): Promise<number> {
    return Promise.resolve(this.dropWhere((family) => family.userId === userId));
  }

  listByUser(userId: string, now: number): Promise<Family[]> {
    const found = [...this.families.keys()]
      .map((id) => this.publicView(this.live(id, now)))
      .filter((family): family is Family => family !== undefined && family.userId === userId);
    return Promise.resolve(found.sort((a, b) => b.createdAt - a.createdAt));
  }

  private addToken(hash: string, familyId: string): void {
    this.tokens.set(hash, { familyId, state: 'live' });
    this.tokensOf.get(familyId)?.add(hash);
  }

  private answer(kind: 'rotated' | 'reuse' | 'invalid'): Promise<SpendResult> {
    return Promise.resolve({ kind });
  }

  private live(familyId: string, now: number): FamilyEntry | undefined {
    const entry = this.families.get(familyId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.drop(familyId);
      return undefined;
    }
    return entry;
  }

  private publicView(entry: FamilyEntry | undefined): Family | undefined {
    if (entry === undefined) return undefined;
    const { current: _current, ...family } = entry;
    return family;
  }

  private dropWhere(matches: (family: Family) => boolean): number {
    const ids = [...this.families.values()].filter(matches).map((family) => family.id);
    for (const id of ids) this.drop(id);
    return ids.length;
  }

  /** Revocation deletes the family and every token entry of it, spent ones included. */
  private drop(familyId: string): void {
    this.families.delete(familyId);
    for (const hash of this.tokensOf.get(familyId) ?? []) {
      this.tokens.delete(hash);
      this.sealed.delete(hash);
    }
    this.tokensOf.delete(familyId);
  }

  private sweep(now: number): void {
    for (const [id, family] of this.families) if (family.expiresAt <= now) this.drop(id);
    for (const [hash, entry] of this.sealed) if (entry.expiresAt <= now) this.sealed.delete(hash);
    for (const [handle, until] of this.closed) if (until <= Date.now()) this.closed.delete(handle);
  }
}
