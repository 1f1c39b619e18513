import { errors, type JWTPayload } from 'jose';

/** Who the bearer is, as resource handlers see it (`ctx.state.user`). */
export interface VerifiedUser {
  readonly id: string;
  readonly email: string;
  readonly verified: boolean;
}

/** The access token's claims exactly as the contract lists them ("Tokens"). */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly sub: string;
  readonly email: string;
  readonly verified: boolean;
  /** Token family id (never the cookie's session id). */
  readonly sid: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** What `verify()` resolves to: the user plus every claim. */
export type VerifiedAccessToken = VerifiedUser & AccessTokenClaims;

/** Claims jose must find present; their types are checked below. */
export const REQUIRED_CLAIMS = ['sub', 'email', 'verified', 'sid', 'iat', 'exp', 'jti'] as const;

const STRING_CLAIMS = ['iss', 'sub', 'email', 'sid', 'jti'] as const;

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * jose checks presence, `iss`, `aud` and the time claims; the types of our own claims are ours
 * to check, so a token with `verified: "true"` or `sub: 42` is refused, not coerced.
 */
export function toVerifiedToken(payload: JWTPayload): VerifiedAccessToken {
  const wrongType = STRING_CLAIMS.find((name) => !nonEmptyString(payload[name]));
  if (wrongType !== undefined || typeof payload.verified !== 'boolean') {
    const claim = wrongType ?? 'verified';
    throw new errors.JWTClaimValidationFailed(
      `"${claim}" claim has the wrong type`,
      payload,
      claim,
      'invalid',
    );
  }
  const claims = payload as JWTPayload & AccessTokenClaims;
  return {
    id: claims.sub,
    email: claims.email,
    verified: claims.verified,
    iss: claims.iss,
    aud: claims.aud,
    sub: claims.sub,
    sid: claims.sid,
    iat: claims.iat,
    exp: claims.exp,
    jti: claims.jti,
  };
}
