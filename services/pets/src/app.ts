import { randomUUID } from 'node:crypto';
import {
  createBaseApp,
  pingRedis,
  type Logger,
  type ReadinessChecks,
  type RedisClient,
} from '@toypetme/http-kit';
import type { JwtVerifier } from '@toypetme/jwt-verifier';
import type Koa from 'koa';
import type { PetStore } from './pet-store.js';
import { usePetRoutes } from './routes.js';

export interface AppDeps {
  logger: Logger;
  store: PetStore;
  verifier: JwtVerifier;
  /** The client behind a Redis store, pinged by /readyz; omit with a memory store. */
  redis?: RedisClient;
  /** Peers whose X-Forwarded-* headers are believed (the gateway). */
  trustedProxies?: readonly string[];
  now?: () => Date;
  newId?: () => string;
}

/** The pets app: no I/O, no env. `main.ts` or a test supplies every dependency. */
export function createApp({ logger, store, verifier, redis, trustedProxies, now, newId }: AppDeps): Koa {
  const readiness: ReadinessChecks = {
    ...(redis && { redis: () => pingRedis(redis) }),
    jwks: () => verifier.ready(),
  };
  const app = createBaseApp({ logger, readiness, trustedProxies });
  const deps = { store, now: now ?? (() => new Date()), newId: newId ?? randomUUID };
  usePetRoutes(app, verifier, deps);
  return app;
}
