import { jwtVerify, type JWTVerifyOptions } from 'jose';
import type { Middleware } from 'koa';
import { REQUIRED_CLAIMS, toVerifiedToken, type VerifiedAccessToken } from './claims.js';
import { invalidToken, toAppError } from './errors.js';
import { remoteKeySource, staticKeySource, type KeySource } from './key-source.js';
import { bearerMiddleware, type AuthState } from './middleware.js';
import { checkOptions, type CheckedOptions, type JwtVerifierOptions } from './options.js';

/**
 * Longest token accepted. Ours are well under 2 KB; refusing bigger ones before any parsing keeps
 * huge values cheap.
 */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * RFC 7515 compact form: three base64url segments without padding. The decoder would also take
 * padding or other variants of a token, and a token has exactly one spelling here.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Each segment as its bytes encode it: the last character's unused bits must be zero too. */
function canonical(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  return token
    .split('.')
    .every((segment) => Buffer.from(segment, 'base64url').toString('base64url') === segment);
}

export interface JwtVerifier {
  /** Resolves to the verified token, or rejects with an AppError (status and contract code). */
  verify(token: string): Promise<VerifiedAccessToken>;
  /** Koa middleware: sets `ctx.state.user` and `ctx.state.accessToken`, or throws an AppError. */
  middleware(): Middleware<AuthState>;
  /** Prefetches the signing keys. Never throws: a failure is logged and retried on demand. */
  warm(): Promise<void>;
  /** Resolves when usable keys are at hand, else rejects: a readiness check. */
  ready(): Promise<void>;
}

function keySourceFor(options: CheckedOptions): KeySource {
  if (options.keySource !== undefined) return staticKeySource(options.keySource);
  // checkOptions guarantees one of the two.
  return remoteKeySource(options.jwksUrl!, options);
}

function verifyOptions(options: CheckedOptions): JWTVerifyOptions {
  return {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...options.algorithms],
    typ: options.typ,
    clockTolerance: options.clockToleranceSec,
    requiredClaims: [...REQUIRED_CLAIMS],
  };
}

export function createJwtVerifier(input: JwtVerifierOptions): JwtVerifier {
  const options = checkOptions(input);
  const keys = keySourceFor(options);
  const baseOptions = verifyOptions(options);

  const verify = async (token: string): Promise<VerifiedAccessToken> => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !canonical(token))
      throw invalidToken();
    try {
      const { payload } = await jwtVerify(token, keys.getKey, { ...baseOptions, currentDate: options.now() });
      return toVerifiedToken(payload);
    } catch (err) {
      const appError = toAppError(err);
      options.logger?.debug({ code: appError.code, reason: String(err) }, 'access token refused');
      throw appError;
    }
  };

  const warm = async (): Promise<void> => {
    try {
      await keys.ready();
    } catch (err) {
      options.logger?.warn({ err: String(err) }, 'JWKS not reachable yet; retrying on demand');
    }
  };

  return { verify, middleware: () => bearerMiddleware(verify), warm, ready: () => keys.ready() };
}
