import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@toypetme/http-kit';
import type { AuthConfig } from './config.js';

/**
 * Reads a development secret from the local data folder, creating it once. The 'wx' flag never
 * overwrites what another process wrote meanwhile; both then read the same file.
 */
async function readOrCreate(
  dataDir: string,
  file: string,
  create: () => string,
  logger: Logger,
): Promise<string> {
  const path = join(dataDir, file);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, create(), { mode: 0o600, flag: 'wx' });
    logger.warn({ path }, 'generated a development secret; set it in the environment for production');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFile(path, 'utf8');
}

/** The pinned signing key (JWT_PRIVATE_KEY, or JWT_PRIVATE_KEY_FILE), if one is configured. */
export async function loadPinnedKey(config: AuthConfig): Promise<KeyObject | undefined> {
  const named = async (name: string, read: () => Promise<string>): Promise<KeyObject> => {
    try {
      return createPrivateKey(await read());
    } catch (err) {
      // OpenSSL's "DECODER routines::unsupported" says nothing of where the key came from.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`${name}: no such file`, { cause: err });
      throw new Error(`${name}: not an unencrypted PEM private key (${(err as Error).message})`, {
        cause: err,
      });
    }
  };
  if (config.privateKeyPem !== undefined) {
    const pem = config.privateKeyPem;
    return named('JWT_PRIVATE_KEY', () => Promise.resolve(pem));
  }
  if (config.privateKeyFile !== undefined) {
    const file = config.privateKeyFile;
    return named(`JWT_PRIVATE_KEY_FILE (${file})`, () => readFile(file, 'utf8'));
  }
  return undefined;
}

/** SESSION_KEYS, else (development only) keys generated once into the data folder. */
export async function loadSessionKeys(config: AuthConfig, logger: Logger): Promise<string[]> {
  if (config.sessionKeys !== undefined) return [...config.sessionKeys];
  logger.warn('SESSION_KEYS is not set: signing session cookies with a generated development key');
  const text = await readOrCreate(
    config.dataDir,
    'dev-session-keys',
    () => randomBytes(32).toString('base64url'),
    logger,
  );
  return text
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/** JWT_SECRET, else (development only) a secret generated once into the data folder. */
export async function loadJwtSecret(config: AuthConfig, logger: Logger): Promise<string> {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  logger.warn('JWT_SECRET is not set: sealing signing keys with a generated development secret');
  return (
    await readOrCreate(config.dataDir, 'dev-jwt-secret', () => randomBytes(32).toString('base64url'), logger)
  ).trim();
}
