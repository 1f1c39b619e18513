import { randomBytes } from 'node:crypto';
import { createLogger, exitOnSignals, runMain, serve } from '@toypetme/http-kit';
import { createApp } from './app.js';
import { loadConfig, type AuthConfig } from './config.js';
import { loadPrivateKey, loadSessionKeys } from './dev-secrets.js';
import { argon2Hasher } from './domain/password-hasher.js';
import { staticKeySource, toSigningKey } from './domain/signing-key.js';
import { openStores } from './stores/index.js';

async function start(config: AuthConfig): Promise<void> {
  const logger = createLogger({ name: 'auth', level: config.logLevel, pretty: config.logPretty });
  const signingKey = await toSigningKey(await loadPrivateKey(config, logger));
  const sessionKeys = await loadSessionKeys(config, logger);
  const stores = await openStores(config.redisUrl, config.redisKeyPrefix, logger);
  const hasher = argon2Hasher();
  const app = createApp({
    logger,
    readiness: stores.readiness,
    trustedProxies: config.trustedProxies,
    users: stores.users,
    sessions: stores.sessions,
    families: stores.families,
    sessionKeys,
    sessionCookieName: config.sessionCookieName,
    sessionMaxAgeSec: config.sessionMaxAgeSec,
    hasher,
    decoyHash: await hasher.hash(randomBytes(16).toString('hex')),
    now: () => new Date(),
    keys: staticKeySource(signingKey),
    tokens: { issuer: config.issuer, audience: config.audience, ttlSec: config.accessTokenTtlSec },
    refreshTtlSec: config.refreshTokenTtlSec,
    reuseGraceMs: config.refreshReuseGraceMs,
    jwksMaxAgeSec: config.jwksMaxAgeSec,
  });
  const running = await serve({
    app,
    host: config.host,
    port: config.port,
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    onClose: () => stores.close(),
  });
  exitOnSignals(running, logger);
  logger.info({ url: running.url, kid: signingKey.kid }, 'auth service listening');
}

runMain('auth', () => start(loadConfig(process.env)));
