import { createHash, randomBytes } from 'node:crypto';

/**
 * A refresh token is `<familyId>.<secret>`: 128 random bits naming the family (so all of a
 * family's keys can share one Redis Cluster slot) and 256 random bits of secret. Nothing in it is
 * about the user, and it is stored only as a SHA-256 digest (a fast hash suits random secrets).
 */
const SHAPE = /^([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/;

export function newFamilyId(): string {
  return randomBytes(16).toString('base64url');
}

export function newRefreshToken(familyId: string): string {
  return `${familyId}.${randomBytes(32).toString('base64url')}`;
}

/** The family a well-formed token names, or undefined for anything else. */
export function familyOf(refreshToken: string): string | undefined {
  return SHAPE.exec(refreshToken)?.[1];
}

export function digest(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}
