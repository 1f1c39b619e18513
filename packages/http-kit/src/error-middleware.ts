import type { Middleware } from 'koa';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { isStoreUnavailable } from './redis.js';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

/** Errors thrown by Koa itself or by http-errors-based libraries (body parsing, ctx.throw). */
function fromHttpError(err: HttpLikeError): AppError | undefined {
  const status = err.status ?? err.statusCode;
  // A method the router does not know (TRACE, PROPFIND…) is 501 to it; to a client it is a 405.
  if (status === 501) return new AppError('method_not_allowed', 'Method not allowed.');
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 413) return new AppError('payload_too_large', 'Request body is too large.');
  if (status === 415) return new AppError('unsupported_media_type', 'Send application/json.');
  if (status === 404) return new AppError('not_found', 'Not found.');
  if (status === 405) return new AppError('method_not_allowed', 'Method not allowed.');
  return new AppError('invalid_request', 'The request could not be understood.');
}

function toAppError(err: unknown): AppError | undefined {
  if (isAppError(err)) return err;
  if (isStoreUnavailable(err)) {
    return new AppError('service_unavailable', 'A backing store is unavailable; try again shortly.');
  }
  if (typeof err === 'object' && err !== null) return fromHttpError(err);
  return undefined;
}

function render(ctx: Parameters<Middleware>[0], code: ErrorCode, message: string): void {
  ctx.status = ERROR_STATUS[code];
  ctx.body = { error: code, message, requestId: ctx.state.requestId as string };
}

/**
 * First middleware of every app: renders every failure as `{error, message, requestId}`, applies
 * `err.headers`, hides unknown errors behind a generic 500 (details only in the log) and turns
 * unmatched routes into a JSON 404.
 */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
        render(ctx, 'not_found', `No route for ${ctx.method} ${ctx.path}.`);
      }
    } catch (err) {
      const appError = toAppError(err);
      if (appError === undefined) {
        logger.error({ err, requestId: ctx.state.requestId }, 'unhandled error');
        render(ctx, 'internal_error', 'Something went wrong on our side.');
        return;
      }
      if (appError.status >= 500) {
        logger.warn(
          { code: appError.code, requestId: ctx.state.requestId, cause: String(err) },
          appError.message,
        );
      }
      render(ctx, appError.code, appError.message);
      // Every 503 says when to try again; a refresh retried promptly stays within the reuse
      // grace even when Redis ran the spend but its reply was lost (docs/tokens.md).
      if (appError.status === 503) ctx.set('Retry-After', '1');
      for (const [name, value] of Object.entries(appError.headers)) ctx.set(name, value);
      // A body refused part-way (a chunked 413) is left paused by the parser: the kept-alive
      // connection would wait for the rest forever, and the gateway would send other clients'
      // requests down it. Discard the rest (bounded by the server's requestTimeout) so the
      // connection stays in step; closing instead would cut off the sender before it reads this
      // answer (the gateway would see EPIPE and answer 502, not 413).
      if (!ctx.req.complete) ctx.req.resume();
    }
  };
}
