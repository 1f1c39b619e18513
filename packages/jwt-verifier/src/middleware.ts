import type { Middleware } from 'koa';
import type { VerifiedAccessToken, VerifiedUser } from './claims.js';
import { missingToken } from './errors.js';

/** Token facts besides the user that a resource service may want (audit, revocation lists). */
export interface AccessTokenInfo {
  readonly sid: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/** What the middleware puts on `ctx.state`. */
export interface AuthState {
  user: VerifiedUser;
  accessToken: AccessTokenInfo;
}

/** RFC 7235: the scheme is case-insensitive; the credential is whatever follows it. */
const BEARER = /^Bearer +(\S.*)$/i;

/** The token from `Authorization: Bearer <token>`, or undefined for a missing or other scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  return BEARER.exec(header?.trim() ?? '')?.[1];
}

export function bearerMiddleware(
  verify: (token: string) => Promise<VerifiedAccessToken>,
): Middleware<AuthState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization') || undefined);
    if (token === undefined) throw missingToken();
    // Only verification sits inside the error mapping (verify throws AppErrors); next() runs
    // outside it, so a failure further down is never reported as a bad token.
    const verified = await verify(token);
    ctx.state.user = { id: verified.sub, email: verified.email, verified: verified.verified };
    ctx.state.accessToken = { sid: verified.sid, jti: verified.jti, iat: verified.iat, exp: verified.exp };
    await next();
  };
}
