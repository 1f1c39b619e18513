import { createHash } from 'node:crypto';

/** Every Redis key the auth service writes, under its one prefix. */
export function authKeys(prefix: string) {
  return {
    user: (id: string) => `${prefix}user:${id}`,
    // The email index key holds a digest, so key names never reveal addresses.
    userByEmail: (email: string) =>
      `${prefix}user-email:${createHash('sha256').update(email).digest('base64url')}`,
    // A session and its "ended" mark share a slot: saving checks the mark atomically.
    session: (id: string) => `${prefix}sess:{${id}}`,
    sessionEnded: (id: string) => `${prefix}sess-ended:{${id}}`,
    userSessions: (userId: string) => `${prefix}user-sess:${userId}`,
    // A family's keys share the {familyId} hash tag: one Redis Cluster slot for the spend script.
    family: (familyId: string) => `${prefix}fam:{${familyId}}`,
    refreshToken: (familyId: string, hash: string) => `${prefix}rt:{${familyId}}:${hash}`,
    sealedPair: (familyId: string, hash: string) => `${prefix}rtg:{${familyId}}:${hash}`,
    sessionFamilies: (sessionHandle: string) => `${prefix}sess-fam:{${sessionHandle}}`,
    sessionClosed: (sessionHandle: string) => `${prefix}sess-closed:{${sessionHandle}}`,
    userFamilies: (userId: string) => `${prefix}user-fam:${userId}`,
    // One hash, a field per kid: signing keys stay until rotation removes them, so no TTL.
    signingKeys: () => `${prefix}signing-keys`,
    signingKeysLock: () => `${prefix}signing-keys:lock`,
    // rate-limiter-flexible appends `:<subject>`; each counter expires with its window.
    throttle: (name: string) => `${prefix}throttle:${name}`,
  };
}

export type AuthKeys = ReturnType<typeof authKeys>;
