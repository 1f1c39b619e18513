import { randomUUID } from 'node:crypto';
import { createLogger, type RedisClient } from '@toypetme/http-kit';
import { createJwtVerifier } from '@toypetme/jwt-verifier';
import { HttpClient, listen, type Reply } from '@toypetme/test-kit';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createApp, MemoryPetStore, type PetStore } from '../src/index.js';

export const ISSUER = 'http://127.0.0.1:8080';
export const AUDIENCE = 'toypetme-api';

export interface Signer {
  kid: string;
  privateKey: CryptoKey;
}

export async function makeSigner(): Promise<Signer & { publicJwk: object }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface TokenOptions {
  /** Seconds from the clock's now; negative for an expired token. */
  expiresInSec?: number;
  audience?: string;
}

// Parsed JSON whose shape each test asserts; a type here would only restate those assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Response = Reply<any>;

export interface RequestOptions {
  token?: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

export interface PetsHarness {
  clock: { now: Date };
  /** A fresh user id and a genuine token for it. */
  user(options?: TokenOptions): Promise<{ id: string; token: string }>;
  tokenFor(userId: string, options?: TokenOptions, signer?: Signer): Promise<string>;
  call(method: string, path: string, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

/** The real app (createApp) with a memory store and a verifier keyed by a throwaway local key. */
export async function startPets({
  store,
  redis,
}: { store?: PetStore; redis?: RedisClient } = {}): Promise<PetsHarness> {
  const signer = await makeSigner();
  const clock = { now: new Date('2030-01-01T00:00:00Z') };
  const verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySource: createLocalJWKSet({ keys: [signer.publicJwk] }),
    now: () => clock.now,
  });
  const logger = createLogger({ name: 'pets-test', level: 'silent' });
  const app = createApp({
    logger,
    store: store ?? new MemoryPetStore(),
    verifier,
    redis,
    now: () => clock.now,
  });
  const server = await listen(app.callback());
  const client = new HttpClient(server.url);

  const tokenFor = async (
    userId: string,
    options: TokenOptions = {},
    by: Signer = signer,
  ): Promise<string> => {
    const iat = Math.floor(clock.now.getTime() / 1000);
    return new SignJWT({ email: `${userId}@example.test`, verified: true, sid: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: by.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.expiresInSec ?? 900))
      .setJti(randomUUID())
      .sign(by.privateKey);
  };

  const call = (
    method: string,
    path: string,
    { token, ...options }: RequestOptions = {},
  ): Promise<Response> => client.request(method, path, { ...options, bearer: token });

  return {
    clock,
    async user(options) {
      const id = randomUUID();
      return { id, token: await tokenFor(id, options) };
    },
    tokenFor,
    call,
    close: () => server.close(),
  };
}
