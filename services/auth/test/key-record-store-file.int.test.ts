import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileKeyRecordStore } from '../src/keys/file-key-record-store.js';
import { fakeRecord, TestClock } from './key-fixtures.js';
import { contend, describeKeyRecordStore } from './key-record-store.contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tpm-key-store-'));
  dirs.push(dir);
  return join(dir, 'data');
}
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describeKeyRecordStore('file', async () => {
  const dir = await tempDir();
  // Two stores on one folder stand for two processes; they share the clock that lapses locks.
  const clock = new TestClock(Date.now());
  return {
    a: new FileKeyRecordStore(dir, { now: clock.now }),
    b: new FileKeyRecordStore(dir, { now: clock.now }),
    expireLock: () => {
      clock.advance(10_001);
      return Promise.resolve();
    },
  };
});

describe('FileKeyRecordStore', () => {
  it('when records are written, the file is mode 0600 and no temp file is left behind', async () => {
    const dir = await tempDir();
    const store = new FileKeyRecordStore(dir);
    await store.put(fakeRecord('k1'));
    await store.put(fakeRecord('k2'));
    await store.remove('k1');
    expect(await readdir(dir)).toEqual(['signing-keys.json']);
    expect((await stat(join(dir, 'signing-keys.json'))).mode & 0o777).toBe(0o600);
  });

  it('when the file is not a record file, list throws naming the file', async () => {
    const dir = await tempDir();
    const store = new FileKeyRecordStore(dir);
    await store.put(fakeRecord('k1'));
    await writeFile(join(dir, 'signing-keys.json'), '{"records": [{"kid": "k1"}]}');
    await expect(store.list()).rejects.toThrow(/signing-keys\.json#0 is invalid/);
    await writeFile(join(dir, 'signing-keys.json'), 'not json');
    await expect(store.list()).rejects.toThrow(/signing-keys\.json/);
  });

  it('when a lock file is caught half-written, it counts as held until its ttl has passed since it was made', async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'signing-keys.json.lock'), '', { flag: 'wx' });
    // The clock starts at the file's own mtime, so "ttl since it was made" is exact.
    const clock = new TestClock(Math.ceil((await stat(join(dir, 'signing-keys.json.lock'))).mtimeMs));
    const store = new FileKeyRecordStore(dir, { now: clock.now });
    expect(await store.withLock(5_000, () => Promise.resolve('ran'))).toBeUndefined();
    clock.advance(5_001);
    expect(await store.withLock(5_000, () => Promise.resolve('ran'))).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('when many processes find a stale lock at once, exactly one takes it over', async () => {
    const dir = await tempDir();
    const clock = new TestClock(Date.now());
    const stores = Array.from({ length: 10 }, () => new FileKeyRecordStore(dir, { now: clock.now }));
    await mkdir(dir, { recursive: true });
    const stale = JSON.stringify({ token: 'crashed-holder', expiresAt: clock.t - 1 });
    await writeFile(join(dir, 'signing-keys.json.lock'), stale, { flag: 'wx' });
    expect(await contend(stores, 5_000)).toEqual({ runs: 1, ran: 1, refused: 9 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('when another process takes over the stale lock first, this caller backs off and leaves their lock', async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    const lockPath = join(dir, 'signing-keys.json.lock');
    await writeFile(lockPath, JSON.stringify({ token: 'crashed-holder', expiresAt: 1 }), { flag: 'wx' });
    const theirs = JSON.stringify({ token: 'other-process', expiresAt: Date.now() + 60_000 });
    let reads = 0;
    // The second clock read is the staleness check: just then, the other process swaps the lock.
    const now = (): number => {
      reads += 1;
      if (reads === 2) {
        unlinkSync(lockPath);
        writeFileSync(lockPath, theirs, { flag: 'wx' });
      }
      return Date.now();
    };
    const store = new FileKeyRecordStore(dir, { now });
    expect(await store.withLock(5_000, () => Promise.resolve('ran'))).toBeUndefined();
    expect(readFileSync(lockPath, 'utf8')).toBe(theirs);
    expect(await readdir(dir)).toEqual(['signing-keys.json.lock']);
  });
});
