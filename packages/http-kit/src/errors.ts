/**
 * The one table of error codes and their HTTP statuses (CONTRACT.md). A code can never have two
 * statuses: handlers throw `new AppError(code, message)` and the error middleware looks it up here.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  missing_token: 401,
  not_authenticated: 401,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  token_expired: 403,
  invalid_token: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_attempts: 429,
  headers_too_large: 431,
  internal_error: 500,
  upstream_unavailable: 502,
  service_unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface AppErrorOptions {
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Marks the error as safe to show: its message goes to the client as is. */
  readonly expose = true;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = options.headers ?? {};
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
