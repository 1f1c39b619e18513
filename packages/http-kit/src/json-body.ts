import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { AppError } from './errors.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface JsonBodyOptions {
  /** Largest accepted body (CONTRACT: 16 KiB). */
  limitBytes?: number;
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  if (typeof length === 'string') return Number(length) > 0;
  return headers['transfer-encoding'] !== undefined;
}

/** raw-body and co-body signal failures as http-errors: 413 too large, 400 unreadable. */
function parseFailure(err: unknown, limitBytes: number): AppError {
  const status = (err as { status?: number }).status;
  if (status === 413)
    return new AppError('payload_too_large', `Request body is larger than ${limitBytes} bytes.`);
  if (status === 415) return new AppError('unsupported_media_type', 'Unsupported Content-Encoding.');
  // Bad JSON, a body that claims gzip but is not, a truncated stream: the client's fault, never a 500.
  return new AppError('invalid_request', 'Request body could not be read as JSON.');
}

/**
 * JSON-only bodies: another content type is 415 (no login CSRF through HTML forms), a body over
 * the limit is 413, malformed JSON or a non-object top level is 400. An empty body reads as `{}`.
 */
export function jsonBody({ limitBytes = 16 * 1024 }: JsonBodyOptions = {}): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: limitBytes,
    jsonStrict: true,
    encoding: 'utf-8',
  });
  return async (ctx, next) => {
    if (!BODY_METHODS.has(ctx.method)) {
      await next();
      return;
    }
    if (!hasBody(ctx.req.headers)) {
      ctx.request.body = {};
      await next();
      return;
    }
    if (ctx.request.is('application/json') === false) {
      throw new AppError('unsupported_media_type', 'Send the body as application/json.');
    }
    const declared = Number(ctx.req.headers['content-length'] ?? 0);
    if (declared > limitBytes) {
      throw new AppError('payload_too_large', `Request body is larger than ${limitBytes} bytes.`);
    }
    try {
      await parse(ctx, () => Promise.resolve());
    } catch (err) {
      throw parseFailure(err, limitBytes);
    }
    const body: unknown = ctx.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError('invalid_request', 'Request body must be a JSON object.');
    }
    await next();
  };
}

// Mirrors @koa/bodyparser's own augmentation so that services using jsonBody() see the type
// without importing the parser themselves.
declare module 'koa' {
  interface Request {
    body?: unknown;
    rawBody: string;
  }
}
