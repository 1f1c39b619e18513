import proxyaddr from 'proxy-addr';
import type Koa from 'koa';
import type { Middleware } from 'koa';

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];

/**
 * Forwarded headers are believed only from trusted peers (the gateway): from anyone else they are
 * deleted before Koa reads them. With `app.proxy` on and one hop, `ctx.ip` is then the client the
 * gateway saw and `ctx.secure` tells whether the original request was https (CONTRACT).
 */
export function trustForwarded(app: Koa, trusted: readonly string[]): Middleware {
  const isTrusted = proxyaddr.compile([...trusted]);
  app.proxy = true;
  app.maxIpsCount = 1;
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!isTrusted(peer, 0)) {
      for (const name of FORWARDED) delete ctx.req.headers[name];
    }
    await next();
  };
}
