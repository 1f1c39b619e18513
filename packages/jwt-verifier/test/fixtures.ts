import { randomUUID, sign as rsaSign, KeyObject } from 'node:crypto';
import { createBaseApp, createLogger } from '@toypetme/http-kit';
import { HttpClient, listen, type Reply } from '@toypetme/test-kit';
import { base64url, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { JwtVerifier } from '../src/index.js';

export const ISSUER = 'http://issuer.test';
export const AUDIENCE = 'toypetme-api';
/** A fixed instant (2030-01-01T00:00:00Z) so token times never depend on the wall clock. */
export const T0 = 1_893_456_000;
export const atT0 = (offsetSec = 0): Date => new Date((T0 + offsetSec) * 1000);
export const silentLogger = createLogger({ name: 'test', level: 'silent' });

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

export async function makeKey(kid: string = randomUUID()): Promise<TestKey> {
  const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    privateKey: KeyObject.from(pair.privateKey),
    publicKey: KeyObject.from(pair.publicKey),
    publicJwk,
  };
}

export const b64json = (value: unknown): string => base64url.encode(JSON.stringify(value));

export function claimsAt(offsetSec = 0, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    email: 'a@example.test',
    verified: true,
    sid: 'family-1',
    iat: T0 + offsetSec,
    exp: T0 + offsetSec + 900,
    jti: randomUUID(),
    ...overrides,
  };
}

/** Signs any header and payload with RS256, byte for byte as given (so tests can forge freely). */
export function signRaw(key: KeyObject, header: Record<string, unknown>, payload: unknown): string {
  const payloadPart = typeof payload === 'string' ? base64url.encode(payload) : b64json(payload);
  const input = `${b64json(header)}.${payloadPart}`;
  return `${input}.${base64url.encode(rsaSign('sha256', Buffer.from(input), key))}`;
}

export interface TokenSpec {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  omit?: readonly string[];
}

/** A genuine-looking access token from `key`, with any header or claim changed or left out. */
export function token(key: TestKey, { header = {}, claims = {}, omit = [] }: TokenSpec = {}): string {
  const fullHeader: Record<string, unknown> = { alg: 'RS256', kid: key.kid, typ: 'at+jwt', ...header };
  const fullClaims: Record<string, unknown> = { ...claimsAt(), ...claims };
  for (const name of omit) {
    delete fullHeader[name];
    delete fullClaims[name];
  }
  return signRaw(key.privateKey, fullHeader, fullClaims);
}

// Parsed JSON whose shape each test asserts; a type here would only restate those assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface Harness {
  url: string;
  get(path: string, authorization?: string): Promise<Reply<JsonBody>>;
  close(): Promise<void>;
}

/** A Koa app as a resource service builds it: http-kit's base app, the middleware, two routes. */
export async function startApp(verifier: JwtVerifier): Promise<Harness> {
  const app = createBaseApp({ logger: silentLogger, readiness: {} });
  app.use(verifier.middleware());
  app.use((ctx) => {
    if (ctx.path === '/boom') throw new Error('a failure after authentication');
    ctx.body = { user: ctx.state.user, accessToken: ctx.state.accessToken };
  });
  const server = await listen(app.callback());
  const client = new HttpClient(server.url);
  return {
    url: server.url,
    get: (path, authorization) =>
      client.get<JsonBody>(path, { headers: authorization === undefined ? {} : { authorization } }),
    close: () => server.close(),
  };
}
