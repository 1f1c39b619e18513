import { AppError } from '@toypetme/http-kit';
import type { RefreshTokenStore } from '../stores/refresh-token-store.js';
import type { UserStore } from '../stores/user-store.js';
import { issueAccessToken, type AccessToken, type TokenSettings } from './access-token.js';
import { digest, familyOf, newFamilyId, newRefreshToken } from './refresh-token.js';
import { openPair, sealPair } from './sealed-pair.js';
import type { KeySource } from './signing-key.js';
import type { User } from './user.js';

export interface TokenPair extends AccessToken {
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface TokenPairDeps {
  users: UserStore;
  families: RefreshTokenStore;
  keys: KeySource;
  tokens: TokenSettings;
  /** JWT_REFRESH_EXPIRATION: a family's absolute lifetime. */
  refreshTtlSec: number;
  /** JWT_REFRESH_REUSE_GRACE; 0 = strict. */
  reuseGraceMs: number;
  now: () => Date;
}

function invalid(): AppError {
  return new AppError('invalid_refresh_token', 'The refresh token is not valid; log in again.');
}

async function pairFor(
  deps: TokenPairDeps,
  user: User,
  familyId: string,
  expiresAt: number,
  now: Date,
): Promise<TokenPair> {
  const access = await issueAccessToken(deps.keys.current(), deps.tokens, user, familyId, now);
  const refreshExpiresIn = Math.max(0, Math.floor((expiresAt - now.getTime()) / 1000));
  return { ...access, refreshToken: newRefreshToken(familyId), refreshExpiresIn };
}

/** `/api/token`: a new family (one per app install) whose parent is the calling web session. */
export async function startFamily(
  deps: TokenPairDeps,
  user: User,
  sessionHandle: string,
  userAgent: string,
): Promise<TokenPair> {
  const now = deps.now();
  const at = now.getTime();
  const family = {
    id: newFamilyId(),
    userId: user.id,
    sessionHandle,
    userAgent,
    createdAt: at,
    lastUsedAt: at,
    expiresAt: at + deps.refreshTtlSec * 1000,
  };
  const pair = await pairFor(deps, user, family.id, family.expiresAt, now);
  if (!(await deps.families.createFamily(family, digest(pair.refreshToken)))) {
    // The session was logged out while this request ran.
    throw new AppError('not_authenticated', 'Log in first.');
  }
  return pair;
}

/**
 * `/api/token/refresh` (CONTRACT "Tokens"): the successor is prepared first, then one atomic
 * spend decides: rotated (return it), replay within the grace (return the identical earlier pair),
 * or reuse (the store has revoked the family) and invalid (401 either way).
 */
export async function refreshPair(deps: TokenPairDeps, presented: string): Promise<TokenPair> {
  const now = deps.now();
  const familyId = familyOf(presented);
  const family = familyId === undefined ? undefined : await deps.families.getFamily(familyId, now.getTime());
  if (family === undefined) throw invalid();
  const user = await deps.users.findById(family.userId);
  if (user === undefined) {
    await deps.families.revokeFamily(family.id);
    throw invalid();
  }
  const pair = await pairFor(deps, user, family.id, family.expiresAt, now);
  const result = await deps.families.spend({
    familyId: family.id,
    tokenHash: digest(presented),
    successorHash: digest(pair.refreshToken),
    sealedPair: sealPair(pair, presented),
    now: now.getTime(),
    graceMs: deps.reuseGraceMs,
  });
  if (result.kind === 'rotated') return pair;
  if (result.kind === 'replay') return openPair<TokenPair>(result.sealedPair, presented);
  throw invalid();
}
