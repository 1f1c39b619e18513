import type { Middleware } from 'koa';
import { AppError, parseInput } from '@toypetme/http-kit';
import { issueAccessToken, newFamilyId, type TokenSettings } from '../domain/access-token.js';
import { authenticate, registerUser, type AccountDeps } from '../domain/accounts.js';
import type { KeySource } from '../domain/signing-key.js';
import { toPublicUser, type User } from '../domain/user.js';
import { loginBody, registerBody } from './schemas.js';
import { endSession, sessionUserId, startSession } from './session.js';

export interface HandlerDeps extends AccountDeps {
  keys: KeySource;
  tokens: TokenSettings;
  jwksMaxAgeSec: number;
}

interface UserState {
  user: User;
}

export function handlers(deps: HandlerDeps) {
  const register: Middleware = async (ctx) => {
    const user = await registerUser(deps, parseInput(registerBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = { user: toPublicUser(user) };
  };

  const login: Middleware = async (ctx) => {
    const user = await authenticate(deps, parseInput(loginBody, ctx.request.body));
    await startSession(ctx, user.id, deps.now());
    ctx.body = { user: toPublicUser(user) };
  };

  const logout: Middleware = (ctx) => {
    endSession(ctx);
    ctx.status = 204;
  };

  /** Loads the session's user into ctx.state.user, or 401 not_authenticated. */
  const requireUser: Middleware<UserState> = async (ctx, next) => {
    const user = await deps.users.findById(sessionUserId(ctx));
    if (user === undefined) throw new AppError('not_authenticated', 'Log in first.');
    ctx.state.user = user;
    await next();
  };

  const me: Middleware<UserState> = (ctx) => {
    ctx.body = { user: toPublicUser(ctx.state.user) };
  };

  const token: Middleware<UserState> = async (ctx) => {
    const pair = await issueAccessToken(
      deps.keys.current(),
      deps.tokens,
      ctx.state.user,
      newFamilyId(),
      deps.now(),
    );
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    ctx.body = pair;
  };

  const jwks: Middleware = (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${deps.jwksMaxAgeSec}`);
    ctx.body = { keys: deps.keys.published().map((key) => key.publicJwk) };
  };

  return { register, login, logout, requireUser, me, token, jwks };
}
