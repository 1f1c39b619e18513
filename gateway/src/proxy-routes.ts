import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { AppError } from '@toypetme/http-kit';
import { forwardedHeaders } from './forwarded-headers.js';
import { upstreamFor, type UpstreamName } from './routes.js';
import type { Forward } from './upstream-proxy.js';

/**
 * http-proxy forces `Content-Length: 0` onto any DELETE or OPTIONS without one (its
 * `deleteLength` pass) yet still streams the body, so a chunked body would reach the upstream as
 * a second, smuggled request that bypassed routing and the forwarded headers. The contract has no
 * such bodies, so they are refused.
 */
function refuseUnframedBody(req: IncomingMessage): void {
  const method = req.method ?? '';
  if ((method === 'DELETE' || method === 'OPTIONS') && req.headers['transfer-encoding'] !== undefined) {
    throw new AppError('invalid_request', `A ${method} body needs a Content-Length.`);
  }
}

/**
 * The last middleware: sends each routed request to its upstream, anything else gets the
 * gateway's own JSON 404 (F04). Koa never writes a proxied response itself (`respond = false`),
 * so statuses, bodies and every Set-Cookie line pass through untouched (F03); nothing here reads
 * or buffers the body (F01).
 */
export function proxyRoutes(
  forwards: Readonly<Record<UpstreamName, Forward>>,
  trustedProxies: readonly string[],
): Middleware {
  const setForwarded = forwardedHeaders(trustedProxies);
  return async (ctx) => {
    const upstream = upstreamFor(ctx.path);
    if (upstream === undefined) throw new AppError('not_found', `No route for ${ctx.method} ${ctx.path}.`);
    refuseUnframedBody(ctx.req);
    ctx.respond = false;
    // A client that hung up already (F07) has no address to forward and nobody to answer.
    if (ctx.req.socket.destroyed || ctx.req.socket.remoteAddress === undefined) return;
    setForwarded(ctx.req, ctx.state.requestId as string);
    try {
      await forwards[upstream](ctx.req, ctx.res);
    } catch (err) {
      // Nothing reached the client yet, so Koa answers with the JSON error after all. The unread
      // rest of the request body is drained to keep a kept-alive connection in step.
      ctx.respond = true;
      ctx.req.unpipe();
      ctx.req.resume();
      throw err;
    }
  };
}
