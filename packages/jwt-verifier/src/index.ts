export { createJwtVerifier, MAX_TOKEN_LENGTH, type JwtVerifier } from './verifier.js';
export type { JwtVerifierOptions } from './options.js';
export type { AccessTokenClaims, VerifiedAccessToken, VerifiedUser } from './claims.js';
export { bearerToken, type AccessTokenInfo, type AuthState } from './middleware.js';
