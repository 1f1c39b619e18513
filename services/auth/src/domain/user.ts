export interface User {
  readonly id: string;
  readonly email: string;
  readonly verified: boolean;
  readonly createdAt: string;
}

export interface StoredUser extends User {
  readonly passwordHash: string;
}

/** The public view (CONTRACT: `user` is `{ id, email, verified, createdAt }`; never the hash). */
export function toPublicUser({ id, email, verified, createdAt }: User): User {
  return { id, email, verified, createdAt };
}

/** CONTRACT: emails are trimmed and compared case-insensitively. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
