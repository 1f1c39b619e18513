import { AppError } from '@toypetme/http-kit';
import { errors } from 'jose';
import { JwksUnavailableError } from './key-source.js';

/** RFC 6750 §3: a request without credentials gets a bare challenge, a bad token names the error. */
const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };
const INVALID_TOKEN_CHALLENGE = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

export function missingToken(): AppError {
  return new AppError('missing_token', 'Send an access token as "Authorization: Bearer <token>".', {
    headers: CHALLENGE,
  });
}

export function invalidToken(cause?: unknown): AppError {
  return new AppError('invalid_token', 'The access token is not valid.', {
    headers: INVALID_TOKEN_CHALLENGE,
    cause,
  });
}

/**
 * Maps a verification failure to the contract's outcomes by jose error `code`: expired → 403
 * token_expired; keys unobtainable → 503 service_unavailable; anything else → 403 invalid_token.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof JwksUnavailableError) {
    return new AppError(
      'service_unavailable',
      'Access tokens cannot be checked right now; try again shortly.',
      {
        cause: err.cause,
      },
    );
  }
  if (err instanceof errors.JOSEError && err.code === errors.JWTExpired.code) {
    return new AppError('token_expired', 'The access token has expired.', {
      headers: INVALID_TOKEN_CHALLENGE,
      cause: err,
    });
  }
  return invalidToken(err);
}
