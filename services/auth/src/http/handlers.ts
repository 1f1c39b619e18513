import type { Middleware } from 'koa';
import { AppError, parseInput } from '@toypetme/http-kit';
import { logIn, registerUser, type AccountDeps } from '../domain/accounts.js';
import { refreshPair, startFamily, type TokenPairDeps } from '../domain/token-pairs.js';
import { toPublicUser, type User } from '../domain/user.js';
import type { SessionStore } from '../stores/session-store.js';
import { admit, addressKey, type Throttles } from '../throttle/throttles.js';
import { clientAddress } from './client-address.js';
import { deviceIdParam, loginBody, refreshBody, registerBody } from './schemas.js';
import { endSession, sessionHandle, sessionUserId, startSession } from './session.js';

export interface HandlerDeps extends AccountDeps, TokenPairDeps {
  sessions: SessionStore;
  throttles: Throttles;
}

interface UserState {
  user: User;
}

const USER_AGENT_MAX = 256;

export function handlers(deps: HandlerDeps) {
  const noStore: Middleware = async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    await next();
  };

  /** Loads the session's user into ctx.state.user, or 401 not_authenticated. */
  const requireUser: Middleware<UserState> = async (ctx, next) => {
    const user = await deps.users.findById(sessionUserId(ctx));
    if (user === undefined) throw new AppError('not_authenticated', 'Log in first.');
    ctx.state.user = user;
    await next();
  };

  /** Counts the request against its client address; 429 too_many_attempts past the limit. */
  const throttle =
    (name: 'registerPerAddress' | 'refreshPerAddress'): Middleware =>
    async (ctx, next) => {
      await admit(deps.throttles[name], addressKey(clientAddress(ctx)));
      await next();
    };

  /** Counts a token request against the session's user (after requireUser). */
  const throttleUser: Middleware<UserState> = async (ctx, next) => {
    await admit(deps.throttles.tokensPerUser, ctx.state.user.id);
    await next();
  };

  return {
    noStore,
    requireUser,
    throttle,
    throttleUser,

    register: (async (ctx) => {
      const user = await registerUser(deps, parseInput(registerBody, ctx.request.body));
      ctx.status = 201;
      ctx.body = { user: toPublicUser(user) };
    }) satisfies Middleware,

    login: (async (ctx) => {
      const user = await logIn(deps, parseInput(loginBody, ctx.request.body), clientAddress(ctx));
      await startSession(ctx, user.id, deps.now());
      ctx.body = { user: toPublicUser(user) };
    }) satisfies Middleware,

    /** CONTRACT: logout revokes every token family this session started, then the session. */
    logout: (async (ctx) => {
      const handle = sessionHandle(ctx);
      if (handle !== undefined) await deps.families.revokeBySession(handle);
      endSession(ctx);
      ctx.status = 204;
    }) satisfies Middleware,

    /** Sign out everywhere: every session and every token family of the user. */
    logoutAll: (async (ctx) => {
      // Sessions first, each closed to new families, so a token request racing this on any of
      // them is refused or revoked; then every family left.
      const handles = await deps.sessions.destroyByUser(ctx.state.user.id);
      await Promise.all(handles.map((handle) => deps.families.revokeBySession(handle)));
      await deps.families.revokeByUser(ctx.state.user.id);
      endSession(ctx);
      ctx.status = 204;
    }) satisfies Middleware<UserState>,

    me: ((ctx) => {
      ctx.body = { user: toPublicUser(ctx.state.user) };
    }) satisfies Middleware<UserState>,

    token: (async (ctx) => {
      const handle = sessionHandle(ctx);
      if (handle === undefined) throw new AppError('not_authenticated', 'Log in first.');
      ctx.body = await startFamily(
        deps,
        ctx.state.user,
        handle,
        ctx.get('user-agent').slice(0, USER_AGENT_MAX),
      );
    }) satisfies Middleware<UserState>,

    refresh: (async (ctx) => {
      const { refreshToken } = parseInput(refreshBody, ctx.request.body);
      ctx.body = await refreshPair(deps, refreshToken);
    }) satisfies Middleware,

    jwks: ((ctx) => {
      ctx.set('Cache-Control', `public, max-age=${deps.keys.maxAgeSec(deps.now().getTime())}`);
      ctx.body = { keys: deps.keys.published().map((key) => key.publicJwk) };
    }) satisfies Middleware,

    devices: (async (ctx) => {
      const families = await deps.families.listByUser(ctx.state.user.id, deps.now().getTime());
      ctx.body = {
        devices: families.map((family) => ({
          id: family.id,
          createdAt: new Date(family.createdAt).toISOString(),
          lastUsedAt: new Date(family.lastUsedAt).toISOString(),
          expiresAt: new Date(family.expiresAt).toISOString(),
          userAgent: family.userAgent,
        })),
      };
    }) satisfies Middleware<UserState>,

    /** Another user's device answers exactly like one that never existed (404). */
    revokeDevice: (async (ctx) => {
      const id = deviceIdParam.safeParse((ctx.params as Record<string, string>).id);
      const family = id.success ? await deps.families.getFamily(id.data, deps.now().getTime()) : undefined;
      if (family === undefined || family.userId !== ctx.state.user.id) {
        throw new AppError('not_found', 'No such device.');
      }
      await deps.families.revokeFamily(family.id);
      ctx.status = 204;
    }) satisfies Middleware<UserState>,
  };
}
