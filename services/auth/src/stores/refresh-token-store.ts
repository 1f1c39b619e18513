/** A token family: one per `/api/token` call (one per app install), parented by a web session. */
export interface Family {
  readonly id: string;
  readonly userId: string;
  /** The web session's handle (never the cookie's id) whose logout revokes this family. */
  readonly sessionHandle: string;
  readonly userAgent: string;
  readonly createdAt: number;
  /** Absolute end of the family, counted from its start and never renewed by rotation. */
  readonly expiresAt: number;
  readonly lastUsedAt: number;
}

export interface SpendInput {
  familyId: string;
  /** Digest of the presented refresh token. */
  tokenHash: string;
  /** Digest of the successor prepared for the case that the presented token is live. */
  successorHash: string;
  /** The successor pair, sealed under a key only the presented token can derive. */
  sealedPair: string;
  now: number;
  graceMs: number;
}

/**
 * - `rotated`: the token was live; it is now spent and the prepared successor is live.
 * - `replay`: spent within the grace while its successor is unused; here is its sealed pair.
 * - `reuse`: spent outside the grace (or its successor was used): the family is now revoked.
 * - `invalid`: unknown token, revoked or expired family.
 */
export type SpendResult =
  { kind: 'rotated' } | { kind: 'replay'; sealedPair: string } | { kind: 'reuse' } | { kind: 'invalid' };

export interface RefreshTokenStore {
  /**
   * Creates the family with its first live token, unless its parent session has been closed by
   * revokeBySession (then nothing is kept and the answer is false). Atomic against a concurrent
   * logout: either the family is refused, or the logout sees and revokes it.
   */
  createFamily(family: Family, firstTokenHash: string): Promise<boolean>;
  /** The family while it lives at `now`; revoked or expired: undefined. */
  getFamily(familyId: string, now: number): Promise<Family | undefined>;
  /** Spends a token: one atomic step, so parallel calls can never fork a family. */
  spend(input: SpendInput): Promise<SpendResult>;
  revokeFamily(familyId: string): Promise<void>;
  /** Closes the session to new families and revokes every family it has; answers how many. */
  revokeBySession(sessionHandle: string): Promise<number>;
  revokeByUser(userId: string): Promise<number>;
  /** The user's live families, newest first. */
  listByUser(userId: string, now: number): Promise<Family[]>;
}
