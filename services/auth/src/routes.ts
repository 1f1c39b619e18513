import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { jsonBody } from '@toypetme/http-kit';
import type { handlers } from './http/handlers.js';

/** Every auth endpoint and its middleware chain (CONTRACT "Web sessions" and "Tokens"). */
export function authRoutes(h: ReturnType<typeof handlers>, session: Middleware): Router {
  const router = new Router();
  const body = jsonBody();
  // Throttled per client address; login per address and per account, inside the handler.
  router.post('/auth/register', body, h.throttle('registerPerAddress'), h.register);
  router.post('/auth/login', body, session, h.login);
  // No body needed, but one sent must be JSON too: a form post is refused, not a logout.
  router.post('/auth/logout', body, session, h.logout);
  router.post('/auth/logout-all', body, session, h.requireUser, h.logoutAll);
  router.get('/auth/me', session, h.requireUser, h.me);
  router.get('/auth/devices', session, h.requireUser, h.devices);
  router.delete('/auth/devices/:id', session, h.requireUser, h.revokeDevice);
  // Each pair starts a refresh family kept for days: counted per user.
  router.get('/api/token', h.noStore, session, h.requireUser, h.throttleUser, h.token);
  router.post('/api/token', h.noStore, body, session, h.requireUser, h.throttleUser, h.token);
  // The app has no cookie: refresh takes only the refresh token.
  router.post('/api/token/refresh', h.noStore, body, h.throttle('refreshPerAddress'), h.refresh);
  // No session here: the JWKS must answer from memory even while Redis is down (F17).
  router.get('/.well-known/jwks.json', h.jwks);
  return router;
}
