/** What koa-session keeps for a web session (the cookie holds only the opaque id). */
export type SessionData = Record<string, unknown>;

/**
 * koa-session's external store contract, in its own argument order. Every entry expires:
 * `ttlMs` is koa-session's maxAge plus its margin.
 */
export interface SessionStore {
  get(id: string): Promise<SessionData | undefined>;
  set(id: string, data: SessionData, ttlMs: number): Promise<void>;
  /**
   * Ends the session for good: a save still in flight for it (koa-session renews sessions at the
   * end of requests) can never bring it back.
   */
  destroy(id: string): Promise<void>;
  /** Ends every session of the user ("sign out everywhere"); answers their handles. */
  destroyByUser(userId: string): Promise<string[]>;
}

export function handleOf(data: SessionData | undefined): string | undefined {
  return typeof data?.handle === 'string' ? data.handle : undefined;
}

export function userIdOf(data: SessionData | undefined): string | undefined {
  return typeof data?.userId === 'string' ? data.userId : undefined;
}
