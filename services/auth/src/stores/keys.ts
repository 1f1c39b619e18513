import { createHash } from 'node:crypto';

function keyNames(prefix: string) {
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

/** Every Redis key the auth service writes, under its one prefix. */
export function authKeys(prefix: string) {
  const keys = keyNames(prefix);
  return { ...keys, together: together(keys) };
}

/**
 * The key sets that one atomic operation (a Lua script, a MULTI, a multi-key DEL) uses together,
 * in the order the stores pass them. Redis Cluster runs such an operation only when every key is
 * in one hash slot; each set here shares one `{…}` hash tag, and a unit test checks the slots.
 * Everything else the stores do touches one key per command.
 */
function together(keys: ReturnType<typeof keyNames>) {
  return {
    /** Session SAVE script and the MULTI that ends a session: the session and its "ended" mark. */
    session: (id: string) => [keys.session(id), keys.sessionEnded(id)] as const,
    /** createFamily's MULTI (and its undo DEL): the family and its first token. */
    newFamily: (familyId: string, tokenHash: string) =>
      [keys.family(familyId), keys.refreshToken(familyId, tokenHash)] as const,
    /** The spend script: family, presented token, successor token, presented token's sealed pair. */
    spend: (familyId: string, tokenHash: string, successorHash: string) =>
      [
        keys.family(familyId),
        keys.refreshToken(familyId, tokenHash),
        keys.refreshToken(familyId, successorHash),
        keys.sealedPair(familyId, tokenHash),
      ] as const,
    /** The guarded index add: a session's family index and its "closed to new families" mark. */
    sessionFamilies: (sessionHandle: string) =>
      [keys.sessionFamilies(sessionHandle), keys.sessionClosed(sessionHandle)] as const,
  };
}

export type AuthKeys = ReturnType<typeof authKeys>;
