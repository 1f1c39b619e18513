import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@toypetme/http-kit';
import { testRedis, type TestRedis } from '@toypetme/test-kit';
import { loadConfig, rotationPolicy } from '../src/config.js';
import { loadJwtSecret, loadPinnedKey, loadSessionKeys } from '../src/dev-secrets.js';
import { keyRecordStore, openKeySource } from '../src/key-source.js';
import { deriveKek, retire, rotateNow } from '../src/keys/index.js';

const logger = createLogger({ name: 'key-source-test', level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tpm-auth-'));
  dirs.push(dir);
  return join(dir, 'data');
}

const pem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const SECRET = 'a-jwt-secret-of-at-least-32-characters!';

describe('development secrets', () => {
  it('when JWT_SECRET and SESSION_KEYS are unset, they are generated once (mode 600) and read again after a restart', async () => {
    const config = loadConfig({ DATA_DIR: await dataDir() });
    const secret = await loadJwtSecret(config, logger);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await loadJwtSecret(config, logger)).toBe(secret);
    expect((await stat(join(config.dataDir, 'dev-jwt-secret'))).mode & 0o777).toBe(0o600);
    const keys = await loadSessionKeys(config, logger);
    expect(await loadSessionKeys(config, logger)).toEqual(keys);
    expect(await loadSessionKeys(loadConfig({ SESSION_KEYS: 'a,b' }), logger)).toEqual(['a', 'b']);
  });

  it('when JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is set, that key is pinned; otherwise none is', async () => {
    const text = pem();
    const fromEnv = await loadPinnedKey(loadConfig({ JWT_PRIVATE_KEY: text.replace(/\n/g, '\\n') }));
    expect(fromEnv?.export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(text);
    const file = join(await dataDir(), '..', 'key.pem');
    await writeFile(file, text);
    expect((await loadPinnedKey(loadConfig({ JWT_PRIVATE_KEY_FILE: file })))?.asymmetricKeyType).toBe('rsa');
    expect(await loadPinnedKey(loadConfig({}))).toBeUndefined();
  });

  it('when the pinned key is missing, garbage or a public key, the error names the variable', async () => {
    const dir = await dataDir();
    await expect(loadPinnedKey(loadConfig({ JWT_PRIVATE_KEY_FILE: join(dir, 'nope.pem') }))).rejects.toThrow(
      /^JWT_PRIVATE_KEY_FILE \(.*nope\.pem\): no such file$/,
    );
    await expect(loadPinnedKey(loadConfig({ JWT_PRIVATE_KEY: 'garbage' }))).rejects.toThrow(
      /^JWT_PRIVATE_KEY: not an unencrypted PEM private key/,
    );
    const publicPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    await expect(loadPinnedKey(loadConfig({ JWT_PRIVATE_KEY: publicPem }))).rejects.toThrow(
      /^JWT_PRIVATE_KEY: not an unencrypted PEM private key/,
    );
  });
});

describe('managed keys in the data folder', () => {
  it('when auth restarts, it signs with the same key it published before', async () => {
    const config = loadConfig({ DATA_DIR: await dataDir(), JWT_SECRET: SECRET });
    const first = await openKeySource(config, undefined, logger);
    const second = await openKeySource(config, undefined, logger);
    first.stop();
    second.stop();
    expect(second.keys.current().kid).toBe(first.keys.current().kid);
    expect(second.keys.published().map((key) => key.kid)).toContain(first.keys.current().kid);
  });

  it('when JWT_SECRET changes with JWT_SECRET_PREVIOUS set, every key is kept; with a wrong secret, start-up fails clearly', async () => {
    const dir = await dataDir();
    const before = await openKeySource(loadConfig({ DATA_DIR: dir, JWT_SECRET: SECRET }), undefined, logger);
    before.stop();
    const changed = loadConfig({ DATA_DIR: dir, JWT_SECRET: `${SECRET}-new`, JWT_SECRET_PREVIOUS: SECRET });
    const after = await openKeySource(changed, undefined, logger);
    after.stop();
    expect(after.keys.current().kid).toBe(before.keys.current().kid);
    const onlyNew = await openKeySource(
      loadConfig({ DATA_DIR: dir, JWT_SECRET: `${SECRET}-new` }),
      undefined,
      logger,
    );
    onlyNew.stop();
    expect(onlyNew.keys.current().kid).toBe(before.keys.current().kid);
    await expect(
      openKeySource(
        loadConfig({ DATA_DIR: dir, JWT_SECRET: 'the-wrong-secret-of-32-characters!!' }),
        undefined,
        logger,
      ),
    ).rejects.toThrow(/secret|decrypt|seal/i);
  });

  it('when a PEM is configured, it pins the key and nothing is written', async () => {
    const dir = await dataDir();
    const pinned = await openKeySource(
      loadConfig({ DATA_DIR: dir, JWT_PRIVATE_KEY: pem().replace(/\n/g, '\\n') }),
      undefined,
      logger,
    );
    pinned.stop();
    expect(pinned.keys.published()).toHaveLength(1);
    await expect(stat(dir)).rejects.toThrow();
  });
});

describe('managed keys in Redis', () => {
  let t: TestRedis;
  beforeAll(async () => {
    t = await testRedis('test-auth-keys');
  });
  afterAll(() => t.cleanup());

  it('when two replicas start at once, both sign with the same key and Redis holds no private key in clear', async () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: t.prefix,
      JWT_SECRET: SECRET,
    });
    const [a, b] = await Promise.all([
      openKeySource(config, t.redis, logger),
      openKeySource(config, t.redis, logger),
    ]);
    a.stop();
    b.stop();
    expect(a.keys.current().kid).toBe(b.keys.current().kid);
    const stored = JSON.stringify(await t.redis.hgetall(`${config.redisKeyPrefix}signing-keys`));
    expect(stored).toContain(a.keys.current().kid);
    expect(stored).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it('when a replica died holding the key lock on an empty store, the next start waits the lock out and signs', async () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `${t.prefix}stale-lock:`,
      JWT_SECRET: SECRET,
    });
    // Longer than the 10 s a start used to wait; shorter than the lock's 30 s TTL plus margin.
    await t.redis.set(`${config.redisKeyPrefix}signing-keys:lock`, 'dead-replica', 'PX', 12_000);
    const started = await openKeySource(config, t.redis, logger);
    started.stop();
    expect(started.keys.current().kid).toMatch(/^[\w-]{43}$/);
  }, 30_000);

  const RENEWED = 'a-second-jwt-secret-of-at-least-32-chars';

  /** Replica `stale` on SECRET; then replica `fresh` starts on RENEWED with SECRET as previous (re-seals). */
  async function acrossSecretChange(name: string) {
    const settings = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `${t.prefix}${name}:` };
    const stale = await openKeySource(loadConfig({ ...settings, JWT_SECRET: SECRET }), t.redis, logger);
    const fresh = await openKeySource(
      loadConfig({ ...settings, JWT_SECRET: RENEWED, JWT_SECRET_PREVIOUS: SECRET }),
      t.redis,
      logger,
    );
    const freshConfig = loadConfig({ ...settings, JWT_SECRET: RENEWED });
    return {
      stale,
      fresh,
      freshDeps: {
        store: keyRecordStore(freshConfig, t.redis),
        kek: deriveKek(RENEWED),
        policy: rotationPolicy(freshConfig),
      },
      stop: () => {
        stale.stop();
        fresh.stop();
      },
    };
  }

  const untilNotReady = (source: { ready(): Promise<void> }) =>
    vi.waitUntil(
      () =>
        source.ready().then(
          () => false,
          () => true,
        ),
      { timeout: 10_000, interval: 100 },
    );

  it('when another replica re-seals the keys under a new JWT_SECRET, a replica still on the old secret reports not ready, and keeps signing', async () => {
    const { stale, fresh, stop } = await acrossSecretChange('reseal-only');
    try {
      await untilNotReady(stale);
      await expect(stale.ready()).rejects.toThrow(/not with any configured secret/);
      expect(stale.keys.current().kid).toBe(fresh.keys.current().kid);
    } finally {
      stop();
    }
  });

  it('when another replica re-seals the keys under a new JWT_SECRET and a key is minted, a replica still on the old secret reports not ready', async () => {
    const { stale, fresh, freshDeps, stop } = await acrossSecretChange('reseal');
    try {
      await expect(fresh.ready()).resolves.toBeUndefined();
      // The next key, sealed under the new secret, is one the stale replica cannot open.
      await rotateNow(freshDeps, Date.now());
      await untilNotReady(stale);
      await expect(stale.ready()).rejects.toThrow(/signing key/);
    } finally {
      stop();
    }
  });

  it('when an operator retires the signing key, every running replica stops signing with it and stops publishing it within seconds', async () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `${t.prefix}retire:`,
      JWT_SECRET: SECRET,
    });
    // The default schedule runs maintenance once a minute: only the frequent re-read brings the
    // retire to the replicas in time.
    const replicas = await Promise.all([
      openKeySource(config, t.redis, logger),
      openKeySource(config, t.redis, logger),
    ]);
    try {
      const compromised = replicas[0].keys.current().kid;
      const store = keyRecordStore(config, t.redis);
      const deps = { store, kek: deriveKek(SECRET), policy: rotationPolicy(config) };
      await retire(deps, compromised, Date.now());
      const moved = () =>
        replicas.every(
          ({ keys }) =>
            keys.current().kid !== compromised && keys.published().every((key) => key.kid !== compromised),
        );
      await vi.waitUntil(moved, { timeout: 10_000, interval: 100 });
      expect(replicas[0].keys.current().kid).toBe(replicas[1].keys.current().kid);
    } finally {
      for (const replica of replicas) replica.stop();
    }
  });
});
