import { randomUUID } from 'node:crypto';
import { AppError } from '@toypetme/http-kit';
import type { UserStore } from '../stores/user-store.js';
import { admitLogin, type Throttles } from '../throttle/throttles.js';
import type { PasswordHasher } from './password-hasher.js';
import { normalizeEmail, type StoredUser, type User } from './user.js';

export interface Credentials {
  email: string;
  password: string;
}

export interface AccountDeps {
  users: UserStore;
  hasher: PasswordHasher;
  now: () => Date;
  /** A real hash of a random password, verified when the email is unknown (same timing). */
  decoyHash: string;
}

export async function registerUser(deps: AccountDeps, { email, password }: Credentials): Promise<User> {
  const user: StoredUser = {
    id: randomUUID(),
    email: normalizeEmail(email),
    verified: false,
    createdAt: deps.now().toISOString(),
    passwordHash: await deps.hasher.hash(password),
  };
  if (!(await deps.users.create(user))) {
    throw new AppError('email_taken', 'An account with this email already exists.');
  }
  return user;
}

/**
 * CONTRACT: an unknown email and a wrong password get the same answer after the same work, so a
 * caller cannot tell which accounts exist.
 */
export async function authenticate(deps: AccountDeps, { email, password }: Credentials): Promise<User> {
  const user = await deps.users.findByEmail(normalizeEmail(email));
  const matches = await deps.hasher.verify(user?.passwordHash ?? deps.decoyHash, password);
  if (user === undefined || !matches) {
    throw new AppError('invalid_credentials', 'Email or password is incorrect.');
  }
  return user;
}

/**
 * `POST /auth/login`: counted per client address and per account before the password is
 * checked, so guesses stop at the limit with 429 too_many_attempts (CONTRACT "Login throttling").
 */
export async function logIn(
  deps: AccountDeps & { throttles: Throttles },
  credentials: Credentials,
  clientAddress: string,
): Promise<User> {
  const attempt = await admitLogin(deps.throttles, credentials.email, clientAddress);
  const user = await authenticate(deps, credentials);
  await attempt.succeeded();
  return user;
}
