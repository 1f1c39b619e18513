import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
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

/**
 * The signing key, in order: JWT_PRIVATE_KEY, JWT_PRIVATE_KEY_FILE, else (never in production,
 * which loadConfig refuses) a key generated once into the data folder, so a restart keeps issued
 * tokens valid.
 */
export async function loadPrivateKey(config: AuthConfig, logger: Logger): Promise<KeyObject> {
  if (config.privateKeyPem !== undefined) return createPrivateKey(config.privateKeyPem);
  if (config.privateKeyFile !== undefined)
    return createPrivateKey(await readFile(config.privateKeyFile, 'utf8'));
  logger.warn('JWT_PRIVATE_KEY is not set: signing with a generated development key');
  const generate = (): string =>
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
  return createPrivateKey(await readOrCreate(config.dataDir, 'dev-signing-key.pem', generate, logger));
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
