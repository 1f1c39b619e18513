import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { SIGNING_ALGS, toSigningKey, type SigningAlg, type SigningKey } from '../domain/signing-key.js';
import { KeyDecryptError, openPrivateKey, sealPrivateKey, type Kek } from './key-crypto.js';
import { exportPkcs8Pem, generateSigningPrivateKey } from './signing-algorithms.js';

/** One signing key as stored. All times are epoch milliseconds. */
export interface KeyRecord {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly createdAt: number;
  /** When it starts signing; until then it is only published, so verifiers learn it first. */
  readonly activatesAt: number;
  /** When it stopped signing: set once a newer key has activated. */
  readonly retiredAt?: number;
  /** When it leaves the JWKS: retiredAt + access-token TTL + clock skew. */
  readonly expiresAt?: number;
  /** The PKCS#8 private key, sealed by key-crypto. */
  readonly sealed: string;
  /** Fingerprint of the key-encryption key that sealed it. */
  readonly sealedWith: string;
}

const epochMs = z.number().int().nonnegative();
const recordSchema = z.strictObject({
  kid: z.string().min(1),
  alg: z.enum(SIGNING_ALGS),
  createdAt: epochMs,
  activatesAt: epochMs,
  retiredAt: epochMs.optional(),
  expiresAt: epochMs.optional(),
  sealed: z.string().min(1),
  sealedWith: z.string().min(1),
});

/** Checks a record read from storage; throws naming where it came from. */
export function parseKeyRecord(value: unknown, where: string): KeyRecord {
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(`signing-key record ${where} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Parses a record stored as JSON text; throws naming where it came from. */
export function parseKeyRecordJson(json: string, where: string): KeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`signing-key record ${where} is not JSON`);
  }
  return parseKeyRecord(value, where);
}

/** Still in the JWKS at `now`. */
export function isPublished(record: KeyRecord, now: number): boolean {
  return record.expiresAt === undefined || record.expiresAt > now;
}

/** May sign at `now`: activated and not retired. */
export function canSign(record: KeyRecord, now: number): boolean {
  return record.activatesAt <= now && (record.retiredAt === undefined || record.retiredAt > now);
}

/** Oldest activation first; ties broken by creation, then kid, so every replica agrees. */
export function byActivation(a: KeyRecord, b: KeyRecord): number {
  return a.activatesAt - b.activatesAt || a.createdAt - b.createdAt || a.kid.localeCompare(b.kid);
}

/** The newest record that may sign at `now`, if any. */
export function signingRecord(records: readonly KeyRecord[], now: number): KeyRecord | undefined {
  return records
    .filter((record) => canSign(record, now))
    .sort(byActivation)
    .at(-1);
}

/** Seals an existing key as a record, e.g. to adopt the configured JWT_PRIVATE_KEY as the first key. */
export function sealKeyRecord(
  key: SigningKey,
  kek: Kek,
  times: { createdAt: number; activatesAt: number },
): KeyRecord {
  const sealed = sealPrivateKey(exportPkcs8Pem(key.privateKey), kek);
  return { kid: key.kid, alg: key.alg, ...times, sealed, sealedWith: kek.fingerprint };
}

/** Generates a key for `alg` and seals it under `kek`; the key comes back too, ready to use. */
export async function mintKeyRecord(
  alg: SigningAlg,
  kek: Kek,
  times: { createdAt: number; activatesAt: number },
): Promise<{ record: KeyRecord; key: SigningKey }> {
  const key = await toSigningKey(await generateSigningPrivateKey(alg), alg);
  return { record: sealKeyRecord(key, kek, times), key };
}

function openNamed(record: KeyRecord, kek: Kek): KeyObject {
  try {
    return openPrivateKey(record.sealed, kek);
  } catch (err) {
    throw new KeyDecryptError(`signing key ${record.kid}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Opens a record with whichever configured KEK sealed it, and checks that the key inside is the
 * one the record names: a record whose sealed key was swapped or altered never signs.
 */
export async function openKeyRecord(record: KeyRecord, keks: readonly Kek[]): Promise<SigningKey> {
  const kek = keks.find((candidate) => candidate.fingerprint === record.sealedWith);
  if (kek === undefined) {
    const known = keks.map((candidate) => candidate.fingerprint).join(', ');
    throw new KeyDecryptError(
      `signing key ${record.kid} was sealed with key-encryption key ${record.sealedWith}, not with any configured secret (${known}): ` +
        'JWT_SECRET is not the secret the keys were sealed with; to change it, start once with the old value in JWT_SECRET_PREVIOUS',
    );
  }
  const privateKey = openNamed(record, kek);
  const key = await toSigningKey(privateKey, record.alg);
  if (key.kid !== record.kid)
    throw new KeyDecryptError(`signing key ${record.kid} is damaged: it holds key ${key.kid}`);
  return key;
}
