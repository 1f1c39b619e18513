import type { Context } from 'koa';

/**
 * The client's address as the gateway saw it: `ctx.ip` reads X-Forwarded-For only when the peer
 * is a trusted proxy (http-kit trustForwarded deletes it otherwise), and the gateway overwrites
 * that header with the socket address (CONTRACT "Failure and abuse"). Nothing else a client
 * sends (X-Real-IP, Forwarded, User-Agent) is consulted.
 */
export function clientAddress(ctx: Context): string {
  return ctx.ip === '' ? 'unknown' : ctx.ip;
}
