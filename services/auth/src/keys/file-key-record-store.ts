import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseKeyRecord, type KeyRecord } from './key-record.js';
import type { KeyRecordStore } from './key-record-store.js';
import { acquireFileLock, releaseFileLock } from './file-lock.js';

export interface FileKeyRecordStoreOptions {
  fileName?: string;
  /** The clock that lock expiries are compared against. */
  now?: () => number;
}

/**
 * Records in one JSON file of a local data folder (development, or a single host without Redis).
 * Writes replace the file atomically (temp file, fsync, rename), so a reader or a crash never
 * sees half a file; the file is mode 0600 as it holds sealed private keys.
 */
function parseFile(text: string): unknown {
  try {
    return (JSON.parse(text) as { records?: unknown }).records;
  } catch {
    return undefined;
  }
}

export class FileKeyRecordStore implements KeyRecordStore {
  private readonly path: string;
  private readonly lockPath: string;
  private readonly now: () => number;
  // Updates are read-modify-write: queued so one process never loses its own writes. Across
  // processes, writers hold withLock.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    { fileName = 'signing-keys.json', now = Date.now }: FileKeyRecordStoreOptions = {},
  ) {
    this.path = join(dir, fileName);
    this.lockPath = `${this.path}.lock`;
    this.now = now;
  }

  async list(): Promise<KeyRecord[]> {
    return [...(await this.read()).values()];
  }

  put(record: KeyRecord): Promise<void> {
    return this.update((records) => records.set(record.kid, { ...record }));
  }

  remove(kid: string): Promise<void> {
    return this.update((records) => records.delete(kid));
  }

  async withLock<T>(ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const token = await acquireFileLock(this.lockPath, ttlMs, this.now);
    if (token === undefined) return undefined;
    try {
      return await fn();
    } finally {
      // A failed release must not hide fn's outcome; the lock lapses at its expiry anyway.
      await releaseFileLock(this.lockPath, token).catch(() => undefined);
    }
  }

  private async read(): Promise<Map<string, KeyRecord>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw err;
    }
    const records = parseFile(text);
    if (!Array.isArray(records)) throw new Error(`${this.path} holds no signing-key records`);
    const parsed = records.map((record, index) => parseKeyRecord(record, `${this.path}#${index}`));
    return new Map(parsed.map((record) => [record.kid, record]));
  }

  private update(change: (records: Map<string, KeyRecord>) => void): Promise<void> {
    const next = this.queue.then(async () => {
      const records = await this.read();
      change(records);
      await this.write([...records.values()]);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(records: KeyRecord[]): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `.${randomBytes(6).toString('base64url')}.tmp`);
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify({ version: 1, records }, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}
