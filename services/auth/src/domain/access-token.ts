import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './signing-key.js';
import type { User } from './user.js';

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSec: number;
}

export interface AccessToken {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * CONTRACT "Tokens": header `{alg: RS256, kid, typ: at+jwt}`, claims exactly
 * `{iss, aud, sub, email, verified, sid, iat, exp, jti}`; `sid` is the token family, never the
 * cookie's session id.
 */
export async function issueAccessToken(
  key: SigningKey,
  settings: TokenSettings,
  user: User,
  familyId: string,
  now: Date,
): Promise<AccessToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ email: user.email, verified: user.verified, sid: familyId })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.ttlSec)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(key.privateKey);
  return { token, tokenType: 'Bearer', expiresIn: settings.ttlSec };
}
