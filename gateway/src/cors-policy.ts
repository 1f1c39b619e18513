import cors from '@koa/cors';
import type { Middleware } from 'koa';

/** What a listed browser origin may send and read (CONTRACT routes; errors carry these headers). */
const ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];
const ALLOW_HEADERS = ['Content-Type', 'Authorization', 'X-Request-Id'];
const EXPOSE_HEADERS = ['Retry-After', 'WWW-Authenticate', 'X-Request-Id'];

/**
 * CORS for the exact origins in CORS_ORIGINS, and for no one else (CONTRACT "Failure and abuse").
 * The gateway is the one public entry, so CORS lives here alone: the services send none, and any
 * an upstream did send are dropped (response-headers.ts). A listed origin gets itself back in
 * exactly one Access-Control-Allow-Origin, with credentials (the web session cookie); an
 * unlisted one, or `null`, gets no Access-Control-* header at all: never reflected, never `*`.
 * Every answer varies by Origin, so no cache hands one origin's answer to another. Preflights
 * from listed origins are answered here without reaching an upstream.
 */
export function corsPolicy(origins: readonly string[]): Middleware {
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    credentials: true,
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
}
