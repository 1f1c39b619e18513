import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

/** A client-supplied id is kept only when it is short and plain, so it cannot inject into logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function pickRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Sets `ctx.state.requestId` and echoes it as `x-request-id` on every response. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const id = pickRequestId(ctx.req.headers['x-request-id']);
    ctx.state.requestId = id;
    ctx.req.headers['x-request-id'] = id;
    ctx.set('x-request-id', id);
    await next();
  };
}
