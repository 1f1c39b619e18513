import type { KeyRecord } from './key-record.js';

/**
 * Where signing-key records live, shared by every replica. Writers in different processes must
 * hold `withLock` (every rotation step does): replicas never mint or retire keys at the same
 * time, and the file store, which rewrites its whole file, never loses an update.
 */
export interface KeyRecordStore {
  list(): Promise<KeyRecord[]>;
  /** Adds the record, or replaces the one with the same kid. */
  put(record: KeyRecord): Promise<void>;
  /** Harmless when the kid is unknown. */
  remove(kid: string): Promise<void>;
  /**
   * Runs `fn` only if this caller got the lock, answering undefined otherwise. The lock lapses
   * after `ttlMs` even if never released (a crashed holder), so keep `fn` well inside it.
   */
  withLock<T>(ttlMs: number, fn: () => Promise<T>): Promise<T | undefined>;
}

/** Comfortably above the slowest holder (an RSA key generation or a few store writes). */
export const DEFAULT_KEY_LOCK_TTL_MS = 30_000;
