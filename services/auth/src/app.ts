import type Koa from 'koa';
import { createBaseApp, type Logger, type ReadinessChecks } from '@toypetme/http-kit';
import { handlers, type HandlerDeps } from './http/handlers.js';
import { sessionMiddleware } from './http/session.js';
import { authRoutes } from './routes.js';
import type { SessionStore } from './stores/session-store.js';

export interface AuthAppDeps extends HandlerDeps {
  logger: Logger;
  readiness: ReadinessChecks;
  trustedProxies: readonly string[];
  sessions: SessionStore;
  sessionKeys: readonly string[];
  sessionCookieName: string;
  sessionMaxAgeSec: number;
}

/** Wires the auth service; no I/O, no environment (STYLE 1). */
export function createApp(deps: AuthAppDeps): Koa {
  const app = createBaseApp({
    logger: deps.logger,
    readiness: deps.readiness,
    trustedProxies: deps.trustedProxies,
  });
  app.keys = [...deps.sessionKeys];
  const session = sessionMiddleware(app, {
    cookieName: deps.sessionCookieName,
    maxAgeSec: deps.sessionMaxAgeSec,
    store: deps.sessions,
  });
  const router = authRoutes(handlers(deps), session);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
