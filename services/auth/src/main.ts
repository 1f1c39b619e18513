import { randomBytes } from 'node:crypto';
import { createLogger, runMain, serveService } from '@toypetme/http-kit';
import { createApp } from './app.js';
import { loadConfig, type AuthConfig } from './config.js';
import { loadSessionKeys } from './dev-secrets.js';
import { argon2Hasher, boundedHasher } from './domain/password-hasher.js';
import { openKeySource } from './key-source.js';
import { openStores } from './stores/index.js';

async function start(config: AuthConfig): Promise<void> {
  const logger = createLogger({ name: 'auth', level: config.logLevel, pretty: config.logPretty });
  const sessionKeys = await loadSessionKeys(config, logger);
  const stores = await openStores(config.redis, config.redisKeyPrefix, logger, config.throttle);
  const signing = await openKeySource(config, stores.redis, logger);
  const hasher = boundedHasher(argon2Hasher(), config.hashing);
  const app = createApp({
    logger,
    readiness: { ...stores.readiness, keys: () => signing.ready() },
    trustedProxies: config.trustedProxies,
    users: stores.users,
    sessions: stores.sessions,
    families: stores.families,
    throttles: stores.throttles,
    sessionKeys,
    sessionCookieName: config.sessionCookieName,
    sessionMaxAgeSec: config.sessionMaxAgeSec,
    hasher,
    decoyHash: await hasher.hash(randomBytes(16).toString('hex')),
    now: () => new Date(),
    keys: signing.keys,
    tokens: { issuer: config.issuer, audience: config.audience, ttlSec: config.accessTokenTtlSec },
    refreshTtlSec: config.refreshTokenTtlSec,
    reuseGraceMs: config.refreshReuseGraceMs,
  });
  const running = await serveService(app, config, logger, () => {
    signing.stop();
    return stores.close();
  });
  logger.info({ url: running.url }, 'auth service listening');
}

runMain('auth', () => start(loadConfig(process.env)));
