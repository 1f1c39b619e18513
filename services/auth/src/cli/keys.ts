/**
 * `npm run keys -- list | rotate | retire <kid>`: the operator's view of the managed signing keys,
 * in the same store and with the same environment as the auth service. Running auth replicas pick
 * a change up at their next re-read of the store (every 2 s).
 */
import { join, resolve } from 'node:path';
import {
  closeRedis,
  connectRedis,
  createLogger,
  createRedis,
  describeRedisTarget,
  runMain,
  type RedisClient,
} from '@toypetme/http-kit';
import { loadConfig, rotationPolicy, type AuthConfig } from '../config.js';
import { loadJwtSecret } from '../dev-secrets.js';
import { keyRecordStore } from '../key-source.js';
import {
  deriveKek,
  openKeyRecord,
  retire,
  rotateNow,
  type AppliedAction,
  type Kek,
  type KeyRecord,
  type KeyRecordStore,
  type RotationDeps,
} from '../keys/index.js';

const USAGE = 'usage: npm run keys -- list | rotate | retire <kid>';
const iso = (at: number | undefined) => (at === undefined ? '-' : new Date(at).toISOString());

function stateOf(record: KeyRecord, now: number): string {
  if (record.expiresAt !== undefined && record.expiresAt <= now)
    return 'expired (not published; removed at the next maintenance)';
  if (record.retiredAt !== undefined) return 'retired (still published)';
  return record.activatesAt > now ? 'published, not signing yet' : 'signing';
}

function printRecords(records: readonly KeyRecord[], now: number): void {
  if (records.length === 0) console.log('no managed keys yet (the auth service creates the first at start)');
  for (const record of [...records].sort((a, b) => a.activatesAt - b.activatesAt)) {
    console.log(
      `${record.kid}  ${record.alg}  ${stateOf(record, now)}\n    created ${iso(record.createdAt)}  signs from ${iso(record.activatesAt)}  retired ${iso(record.retiredAt)}  leaves the JWKS ${iso(record.expiresAt)}`,
    );
  }
}

function printApplied(applied: AppliedAction[] | undefined): void {
  if (applied === undefined)
    throw new Error('another auth replica holds the key lock; try again in a moment');
  if (applied.length === 0) console.log('nothing to do');
  for (const action of applied) console.log(`${action.type} ${'kid' in action ? action.kid : ''}`.trim());
}

/**
 * A key sealed under another secret would stop every auth replica from starting (and their
 * rotation from running): before writing, the secret must open every key already stored.
 */
async function checkSecret(store: KeyRecordStore, kek: Kek, except?: string): Promise<void> {
  for (const record of await store.list()) {
    if (record.kid === except) continue;
    await openKeyRecord(record, [kek]).catch(() => {
      throw new Error(
        `JWT_SECRET does not open signing key ${record.kid}: run this with the auth service's JWT_SECRET (and DATA_DIR); nothing was changed`,
      );
    });
  }
}

function storeName(config: AuthConfig): string {
  return config.redis === undefined
    ? join(resolve(config.dataDir), 'signing-keys.json')
    : `Redis at ${describeRedisTarget(config.redis)}, prefix ${config.redisKeyPrefix}`;
}

async function run(config: AuthConfig, args: readonly string[]): Promise<void> {
  if (config.privateKeyPem !== undefined || config.privateKeyFile !== undefined) {
    throw new Error('JWT_PRIVATE_KEY[_FILE] pins one key: there are no managed keys to list or rotate');
  }
  const logger = createLogger({ name: 'keys', level: 'warn' });
  const redis: RedisClient | undefined =
    config.redis === undefined ? undefined : createRedis({ target: config.redis, logger });
  if (redis !== undefined) await connectRedis(redis, logger);
  try {
    const store = keyRecordStore(config, redis);
    const [command, kid] = args;
    // Which store this is, so an operator who forgot REDIS_URL or mistyped the prefix sees it;
    // an empty one is refused before anything (a development secret included) is written.
    const where = storeName(config);
    process.stdout.write(`store: ${where}\n`);
    if ((command === 'rotate' || command === 'retire') && (await store.list()).length === 0) {
      throw new Error(
        `no managed keys in ${where}: not the auth service's store (check REDIS_URL, REDIS_KEY_PREFIX, DATA_DIR); nothing was changed`,
      );
    }
    const deps: RotationDeps = {
      store,
      kek: deriveKek(await loadJwtSecret(config, logger)),
      policy: rotationPolicy(config),
    };
    if (command === 'list') {
      printRecords(await store.list(), Date.now());
    } else if (command === 'rotate') {
      await checkSecret(store, deps.kek);
      printApplied(await rotateNow(deps, Date.now()));
    } else if (command === 'retire' && kid !== undefined) {
      // The key being removed may be the one that does not open (sealed under a wrong secret).
      await checkSecret(store, deps.kek, kid);
      printApplied(await retire(deps, kid, Date.now()));
    } else {
      throw new Error(USAGE);
    }
  } finally {
    if (redis !== undefined) await closeRedis(redis);
  }
}

runMain('keys', () => run(loadConfig(process.env), process.argv.slice(2)));
