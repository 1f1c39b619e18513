import { SignJWT, createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import type { SigningAlg, SigningKey } from '../src/domain/signing-key.js';
import { deriveKek, type Kek } from '../src/keys/key-crypto.js';
import type { KeyRecord } from '../src/keys/key-record.js';
import type { RotationPolicy } from '../src/keys/rotation.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A fixed, whole-second start so token times line up with the simulated clock. */
export const T0 = Date.UTC(2030, 0, 1);

export const TEST_SECRET = 'key-tests-secret-0123456789abcdef0123456789';
export const testKek: Kek = deriveKek(TEST_SECRET);

/** A clock tests move by hand; nothing ever sleeps. */
export class TestClock {
  constructor(public t = T0) {}
  readonly now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/** JWKS max-age 5m, pets' JWKS cache 10m, cooldown 30s: a key is published 15m before it signs. */
export function testPolicy(
  alg: SigningAlg = 'EdDSA',
  overrides: Partial<RotationPolicy> = {},
): RotationPolicy {
  return {
    alg,
    rotationPeriodMs: 7 * DAY,
    propagationMs: 15 * MINUTE,
    retireAfterMs: 15 * MINUTE + 30 * SECOND,
    ...overrides,
  };
}

/** A record for planning and storage tests: no real key inside. */
export function fakeRecord(kid: string, fields: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kid,
    alg: 'RS256',
    createdAt: T0,
    activatesAt: T0,
    sealed: `v1.sealed-${kid}`,
    sealedWith: testKek.fingerprint,
    ...fields,
  };
}

export async function signToken(key: SigningKey, nowMs: number, ttlSec = 900): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSec)
    .sign(key.privateKey);
}

/** Verifies as a resource service would: against a JWKS, only the named algorithms allowed. */
export async function verifyToken(
  token: string,
  jwks: readonly JWK[],
  nowMs: number,
  algorithms: readonly string[],
): Promise<void> {
  const keySet = createLocalJWKSet({ keys: jwks.map((jwk) => ({ ...jwk })) });
  await jwtVerify(token, keySet, {
    algorithms: [...algorithms],
    currentDate: new Date(nowMs),
    clockTolerance: 30,
  });
}

export function jwksOf(keys: readonly SigningKey[]): JWK[] {
  return keys.map((key) => ({ ...key.publicJwk }));
}
