import { createHash } from 'node:crypto';

/** Every Redis key the auth service writes, under its one prefix. */
export function authKeys(prefix: string) {
  return {
    user: (id: string) => `${prefix}user:${id}`,
    // The email index key holds a digest, so key names never reveal addresses.
    userByEmail: (email: string) =>
      `${prefix}user-email:${createHash('sha256').update(email).digest('base64url')}`,
    session: (id: string) => `${prefix}sess:${id}`,
  };
}

export type AuthKeys = ReturnType<typeof authKeys>;
