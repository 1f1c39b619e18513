import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink, writeFile } from 'node:fs/promises';

/** What a lock file held when looked at: its text and inode, to recognise the same file later. */
interface Seen {
  raw: string;
  ino: number;
  mtimeMs: number;
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

async function create(path: string, token: string, expiresAt: number): Promise<boolean> {
  try {
    await writeFile(path, JSON.stringify({ token, expiresAt }), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if (errCode(err) === 'EEXIST') return false;
    throw err;
  }
}

async function look(path: string): Promise<Seen | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  // Read and stat through one handle: the path may be swapped for another lock in between.
  try {
    const info = await file.stat();
    return { raw: await file.readFile('utf8'), ino: info.ino, mtimeMs: info.mtimeMs };
  } finally {
    await file.close();
  }
}

/** The lock's content, or nothing while it is still being written. */
function parseLock(raw: string): { token?: unknown; expiresAt?: unknown } {
  try {
    return JSON.parse(raw) as { token?: unknown; expiresAt?: unknown };
  } catch {
    return {};
  }
}

/**
 * A lock file is created with 'wx' and then written, so a reader can catch it empty: such a lock
 * counts as held for one `ttlMs` from its modification time, so a holder that crashed mid-write
 * does not block forever.
 */
function expiryOf(seen: Seen, ttlMs: number): number {
  const { expiresAt } = parseLock(seen.raw);
  return typeof expiresAt === 'number' ? expiresAt : seen.mtimeMs + ttlMs;
}

/**
 * Deletes the lock file only if it is still the one we saw. There is no compare-and-delete on a
 * file system, so the file is first renamed aside (atomic: only one caller gets it), checked, and
 * linked back if it turns out to be a newer holder's lock.
 */
async function removeIfSame(path: string, expected: Seen): Promise<boolean> {
  const aside = `${path}.${randomBytes(6).toString('base64url')}.aside`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return false;
    throw err;
  }
  try {
    const moved = await look(aside);
    if (moved?.raw === expected.raw && moved.ino === expected.ino) return true;
    await link(aside, path).catch((err: unknown) => {
      // EEXIST: yet another caller created a lock meanwhile; theirs stands.
      if (errCode(err) !== 'EEXIST') throw err;
    });
    return false;
  } finally {
    await unlink(aside);
  }
}

/** Takes the lock file, or a stale one past its expiry; answers the holder's token, or undefined. */
export async function acquireFileLock(
  path: string,
  ttlMs: number,
  now: () => number,
): Promise<string | undefined> {
  const token = randomBytes(16).toString('base64url');
  // Two rounds: the second runs only after a stale lock was removed or the holder just let go.
  for (let round = 0; round < 2; round += 1) {
    if (await create(path, token, now() + ttlMs)) return token;
    const held = await look(path);
    if (held !== undefined && (expiryOf(held, ttlMs) > now() || !(await removeIfSame(path, held))))
      return undefined;
  }
  return undefined;
}

/** Releases our lock; a lock that lapsed and was taken over by another holder stays theirs. */
export async function releaseFileLock(path: string, token: string): Promise<void> {
  const held = await look(path);
  if (held !== undefined && parseLock(held.raw).token === token) await removeIfSame(path, held);
}
