import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import session from 'koa-session';
import { AppError } from '@toypetme/http-kit';
import type { SessionStore } from '../stores/session-store.js';

export interface SessionOptions {
  cookieName: string;
  maxAgeSec: number;
  store: SessionStore;
}

/**
 * koa-session with an external store: the signed cookie holds only an opaque 256-bit id.
 * Path defaults to `/` (F12). `secure` is left unset on purpose: the cookies library then marks the cookie Secure exactly
 * when `ctx.secure`, i.e. when the gateway says the original request was https (CONTRACT, F11).
 */
export function sessionMiddleware(app: Koa, { cookieName, maxAgeSec, store }: SessionOptions): Middleware {
  return session(
    {
      key: cookieName,
      maxAge: maxAgeSec * 1000,
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      overwrite: true,
      rolling: false,
      renew: true,
      genid: () => randomBytes(32).toString('base64url'),
      // A session from before token families (no handle) is not valid: log in again.
      valid: (_ctx, data) => {
        const { userId, handle } = data as { userId?: unknown; handle?: unknown };
        return typeof userId === 'string' && typeof handle === 'string';
      },
      store: {
        get: (id: string) => store.get(id),
        set: (id: string, data: Record<string, unknown>, maxAge: number) => store.set(id, data, maxAge),
        destroy: (id: string) => store.destroy(id),
      },
    },
    app,
  );
}

/** What koa-session puts on ctx.session (its types leave it `any`). */
interface WebSession {
  userId?: unknown;
  handle?: unknown;
  regenerate(): Promise<void>;
}

function webSession(ctx: Koa.Context): WebSession | null {
  return ctx.session as WebSession | null;
}

/**
 * Starts a fresh session for the user under a new id (no fixation: CONTRACT, F13). The session
 * also gets a handle of its own: token families name it as their parent, so they never learn
 * the cookie's id (CONTRACT: `sid` never reveals it).
 */
export async function startSession(ctx: Koa.Context, userId: string, now: Date): Promise<void> {
  ctx.session = { userId, handle: randomBytes(16).toString('base64url'), createdAt: now.toISOString() };
  await webSession(ctx)?.regenerate();
}

/** Ends the session: the stored record is deleted, not only the cookie (CONTRACT, F14). */
export function endSession(ctx: Koa.Context): void {
  ctx.session = null;
}

/** The live session's handle, or undefined without a session. */
export function sessionHandle(ctx: Koa.Context): string | undefined {
  const handle = webSession(ctx)?.handle;
  return typeof handle === 'string' ? handle : undefined;
}

export function sessionUserId(ctx: Koa.Context): string {
  const userId = webSession(ctx)?.userId;
  if (typeof userId !== 'string') throw new AppError('not_authenticated', 'Log in first.');
  return userId;
}
