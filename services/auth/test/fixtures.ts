import { generateKeyPairSync } from 'node:crypto';
import { createLogger } from '@toypetme/http-kit';
import { HttpClient, listen, type Listening } from '@toypetme/test-kit';
import { createApp, type AuthAppDeps } from '../src/app.js';
import { argon2Hasher } from '../src/domain/password-hasher.js';
import { staticKeySource, toSigningKey, type SigningKey } from '../src/domain/signing-key.js';
import { MemoryRefreshTokenStore } from '../src/stores/memory-refresh-token-store.js';
import { MemorySessionStore } from '../src/stores/memory-session-store.js';
import { MemoryUserStore } from '../src/stores/memory-user-store.js';
import { openThrottles, type ThrottlePolicies } from '../src/throttle/throttles.js';

/** Limits no ordinary test reaches; throttling tests pass their own. */
export const GENEROUS_LIMITS: ThrottlePolicies = {
  loginPerAccount: { max: 10_000, windowSec: 60 },
  loginPerAddress: { max: 10_000, windowSec: 60 },
  registerPerAddress: { max: 10_000, windowSec: 60 },
  refreshPerAddress: { max: 10_000, windowSec: 60 },
  tokensPerUser: { max: 10_000, windowSec: 60 },
};

/** A cheaper argon2id than production so the suite stays quick; still the real algorithm. */
export const testHasher = argon2Hasher({ memoryCost: 4096, timeCost: 2, parallelism: 1 });

let sharedKey: Promise<SigningKey> | undefined;
/** One throwaway RSA key per test file (generating one takes a while). */
export function testSigningKey(): Promise<SigningKey> {
  sharedKey ??= toSigningKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  return sharedKey;
}

export async function testDeps(overrides: Partial<AuthAppDeps> = {}): Promise<AuthAppDeps> {
  return {
    logger: createLogger({ name: 'auth-test', level: 'silent' }),
    readiness: {},
    trustedProxies: ['loopback'],
    users: new MemoryUserStore(),
    sessions: new MemorySessionStore(),
    families: new MemoryRefreshTokenStore(),
    throttles: openThrottles(GENEROUS_LIMITS),
    refreshTtlSec: 7 * 86400,
    reuseGraceMs: 10_000,
    sessionKeys: ['test-session-key-0123456789abcdef0123456789'],
    sessionCookieName: 'tpm.sid',
    sessionMaxAgeSec: 3600,
    hasher: testHasher,
    decoyHash: await testHasher.hash('decoy-password'),
    now: () => new Date(),
    keys: staticKeySource(await testSigningKey(), 300),
    tokens: { issuer: 'http://127.0.0.1:8080', audience: 'toypetme-api', ttlSec: 900 },
    ...overrides,
  };
}

export interface RunningAuth extends Listening {
  deps: AuthAppDeps;
  client(): HttpClient;
}

export async function startAuth(overrides: Partial<AuthAppDeps> = {}): Promise<RunningAuth> {
  const deps = await testDeps(overrides);
  const server = await listen(createApp(deps).callback());
  return { ...server, deps, client: () => new HttpClient(server.url) };
}

let counter = 0;
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}.${process.pid}.${Date.now()}.${counter}@example.test`;
}

export const PASSWORD = 'correct horse battery';

/** Registers and logs in a fresh user; the client keeps the session cookie. */
export async function loggedIn(
  auth: RunningAuth,
  email = uniqueEmail(),
): Promise<{ client: HttpClient; email: string; id: string }> {
  const client = auth.client();
  const registered = await client.post<{ user: { id: string } }>('/auth/register', {
    email,
    password: PASSWORD,
  });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await client.post('/auth/login', { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { client, email, id: registered.body.user.id };
}

export function cookieLine(setCookies: string[], name: string): string | undefined {
  return setCookies.find((line) => line.startsWith(`${name}=`));
}
