import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@toypetme/http-kit';
import { loadConfig } from '../src/config.js';
import { loadPrivateKey, loadSessionKeys } from '../src/dev-secrets.js';
import { toSigningKey } from '../src/domain/signing-key.js';

const logger = createLogger({ name: 'dev-secrets-test', level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tpm-auth-'));
  dirs.push(dir);
  return join(dir, 'data');
}

describe('development secrets', () => {
  it('when no key is configured, generates one once (mode 600) and a restart reads the same key', async () => {
    const config = loadConfig({ DATA_DIR: await dataDir() });
    const first = await toSigningKey(await loadPrivateKey(config, logger));
    const second = await toSigningKey(await loadPrivateKey(config, logger));
    expect(second.kid).toBe(first.kid);
    const mode = (await stat(join(config.dataDir, 'dev-signing-key.pem'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('when two processes start at once, both end up with the same key', async () => {
    const config = loadConfig({ DATA_DIR: await dataDir() });
    const [a, b] = await Promise.all([loadPrivateKey(config, logger), loadPrivateKey(config, logger)]);
    expect((await toSigningKey(a)).kid).toBe((await toSigningKey(b)).kid);
  });

  it('when JWT_PRIVATE_KEY is set, it is used and nothing is written', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const config = loadConfig({ DATA_DIR: await dataDir(), JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    const key = await loadPrivateKey(config, logger);
    expect(key.export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(pem);
    await expect(stat(config.dataDir)).rejects.toThrow();
  });

  it('when the configured key is too small or not RSA, refuses it', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await expect(toSigningKey(small)).rejects.toThrow(/2048/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expect(toSigningKey(ec)).rejects.toThrow(/RSA/);
  });

  it('when SESSION_KEYS is unset, generated keys persist across restarts', async () => {
    const config = loadConfig({ DATA_DIR: await dataDir() });
    const first = await loadSessionKeys(config, logger);
    expect(first).toHaveLength(1);
    expect(first[0]?.length).toBeGreaterThanOrEqual(32);
    expect(await loadSessionKeys(config, logger)).toEqual(first);
    expect(await loadSessionKeys(loadConfig({ SESSION_KEYS: 'a,b' }), logger)).toEqual(['a', 'b']);
  });
});
