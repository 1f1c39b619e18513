import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import koaHelmet from 'koa-helmet';
import type { Middleware } from 'koa';

/**
 * Helmet's defaults, tightened for a JSON API that nothing should frame, embed or render as a
 * page: a CSP that allows nothing, framing denied. HSTS is sent always; browsers heed it only
 * over https, which is how the stack is reached in production (behind a TLS proxy).
 */
const OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
};

/** Security headers on every response (helmet through koa-helmet), errors and health included. */
export function securityHeaders(): Middleware {
  return koaHelmet(OPTIONS);
}

/**
 * The same headers as `[name, value]` pairs, for the few answers written to a raw socket before
 * Koa ever sees the request (the gateway's 400/431 for what Node's HTTP parser rejects).
 */
export function securityHeaderPairs(): [string, string][] {
  const pairs: [string, string][] = [];
  const collector = {
    setHeader: (name: string, value: string) => pairs.push([name, value]),
    removeHeader: () => undefined,
  };
  helmet(OPTIONS)({} as IncomingMessage, collector as unknown as ServerResponse, () => undefined);
  return pairs;
}
