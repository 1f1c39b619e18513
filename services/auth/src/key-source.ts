import { randomBytes } from 'node:crypto';
import type { Logger, RedisClient } from '@toypetme/http-kit';
import { rotationPolicy, type AuthConfig } from './config.js';
import { loadJwtSecret, loadPinnedKey } from './dev-secrets.js';
import { staticKeySource, toSigningKey, type KeySource } from './domain/signing-key.js';
import {
  DEFAULT_KEY_LOCK_TTL_MS,
  deriveKek,
  KeyDecryptError,
  FileKeyRecordStore,
  KeyRing,
  reencrypt,
  RedisKeyRecordStore,
  rotate,
  type KeyRecordStore,
  type RotationDeps,
} from './keys/index.js';
import { authKeys } from './stores/keys.js';

export interface RunningKeySource {
  keys: KeySource;
  /**
   * A readiness check: rejects while the stored keys cannot be opened (another replica re-sealed
   * them under a new JWT_SECRET): this replica then signs with what it last loaded and is stale.
   */
  ready(): Promise<void>;
  stop(): void;
}

/** How often each replica re-reads the signing keys from the store. */
const RING_RELOAD_MS = 2000;

/** How often each replica runs the rotation schedule and reloads the ring: well inside propagation. */
function maintenanceEveryMs(config: AuthConfig): number {
  return Math.max(1000, Math.min(60_000, Math.floor(config.keyPropagationMs / 4)));
}

function hasSigningKey(ring: KeyRing): boolean {
  try {
    ring.current();
    return true;
  } catch {
    return false;
  }
}

/** Between two tries at a first signing key. */
const FIRST_KEY_RETRY_MS = 200;

/**
 * Runs the schedule and loads the ring until a key can sign. A replica that lost the mint lock to
 * another starting at the same moment waits here for that one's key instead of failing; a lock
 * left by a replica that died holding it expires within its TTL, so the wait outlasts that.
 */
async function untilSigning(deps: RotationDeps, ring: KeyRing): Promise<void> {
  const attempts = Math.ceil(((deps.lockTtlMs ?? DEFAULT_KEY_LOCK_TTL_MS) + 5_000) / FIRST_KEY_RETRY_MS);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    await rotate(deps, Date.now());
    await ring.reload();
    if (hasSigningKey(ring)) return;
    await new Promise((resolve) => setTimeout(resolve, FIRST_KEY_RETRY_MS));
  }
  throw new Error('no signing key became available (is another replica holding the key lock?)');
}

export function keyRecordStore(config: AuthConfig, redis: RedisClient | undefined): KeyRecordStore {
  return redis === undefined
    ? new FileKeyRecordStore(config.dataDir)
    : new RedisKeyRecordStore(redis, authKeys(config.redisKeyPrefix));
}

/**
 * The keys the issuer signs with. A configured PEM pins one key. Otherwise keys live in the store
 * (Redis, or the data folder), sealed under JWT_SECRET, and rotate on schedule: every replica runs
 * the same maintenance, and the store's lock lets only one of them mint at a time.
 */
export async function openKeySource(
  config: AuthConfig,
  redis: RedisClient | undefined,
  logger: Logger,
): Promise<RunningKeySource> {
  const pinned = await loadPinnedKey(config);
  if (pinned !== undefined) {
    const key = await toSigningKey(pinned, config.signingAlg);
    logger.info({ kid: key.kid }, 'signing with the configured key (no rotation)');
    return {
      keys: staticKeySource(key, config.jwksMaxAgeSec),
      ready: () => Promise.resolve(),
      stop: () => undefined,
    };
  }
  const store = keyRecordStore(config, redis);
  const kek = deriveKek(await loadJwtSecret(config, logger));
  const previous = config.jwtSecretPrevious === undefined ? undefined : deriveKek(config.jwtSecretPrevious);
  if (previous !== undefined) {
    const resealed = await reencrypt(store, previous, kek);
    if (resealed !== undefined && resealed.length > 0)
      logger.info({ kids: resealed }, 're-sealed signing keys under JWT_SECRET');
  }
  const deps: RotationDeps = { store, kek, policy: rotationPolicy(config) };
  const ring = new KeyRing({
    store,
    keks: previous ? [kek, previous] : [kek],
    jwksMaxAgeSec: config.jwksMaxAgeSec,
    schedule: deps.policy,
  });
  await untilSigning(deps, ring);
  let failing = false;
  let unopenable: Error | undefined;
  const attempt = (work: () => Promise<unknown>): void => {
    work().then(
      () => {
        if (failing) logger.info('signing-key maintenance works again');
        failing = false;
        unopenable = undefined;
      },
      (err: unknown) => {
        if (!failing)
          logger.warn({ err: (err as Error).message }, 'signing-key maintenance failed; will retry');
        failing = true;
        // A store outage is the store's readiness check's to report; keys it cannot open are ours.
        if (err instanceof KeyDecryptError) unopenable = err;
      },
    );
  };
  const maintenance = setInterval(
    () => attempt(() => rotate(deps, Date.now()).then(() => ring.reload())),
    maintenanceEveryMs(config) + randomBytes(1)[0]!,
  );
  // Re-reading the store is cheap (only new kids or sealings are decrypted): doing it often makes an
  // operator's `retire`, or a key another replica minted, reach this replica within seconds.
  const reloading = setInterval(() => attempt(() => ring.reload()), RING_RELOAD_MS);
  maintenance.unref();
  reloading.unref();
  const current = ring.current();
  logger.info({ kid: current.kid, alg: current.alg }, 'signing with managed keys');
  return {
    keys: ring,
    ready: () => (unopenable === undefined ? Promise.resolve() : Promise.reject(unopenable)),
    stop: () => {
      clearInterval(maintenance);
      clearInterval(reloading);
    },
  };
}
