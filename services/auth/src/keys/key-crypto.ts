import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/** A key-encryption key: seals signing keys at rest. */
export interface Kek {
  readonly key: KeyObject;
  /** Non-secret name of this KEK, stored with each record so we know which secret sealed it. */
  readonly fingerprint: string;
}

/** A sealed key did not open: wrong or unknown secret, or a damaged record. Never a garbled key. */
export class KeyDecryptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyDecryptError';
  }
}

// Fixed, public HKDF inputs: the secret carries the entropy; these only separate this use of it
// from any other key someone might derive from the same secret.
const HKDF_SALT = 'toypetme-auth/signing-keys';
const HKDF_INFO = 'aes-256-gcm key-encryption key v1';
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Derives the KEK from a secret string (JWT_SECRET) with HKDF-SHA-256. */
export function deriveKek(secret: string): Kek {
  if (secret === '') throw new Error('the key-encryption secret must not be empty');
  const bytes = Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
  // 64 bits of a hash of a 256-bit key: enough to tell secrets apart, useless for guessing one.
  const fingerprint = createHash('sha256').update(bytes).digest().subarray(0, 8).toString('base64url');
  return Object.freeze({ key: createSecretKey(bytes), fingerprint });
}

/** Encrypts a PKCS#8 PEM private key: `v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
export function sealPrivateKey(pkcs8Pem: string, kek: Kek): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  // The format tag is authenticated too, so a version label can never be swapped.
  cipher.setAAD(Buffer.from(FORMAT));
  const sealed = Buffer.concat([cipher.update(pkcs8Pem, 'utf8'), cipher.final()]);
  return [FORMAT, iv, sealed, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

function decrypt(sealed: string, kek: Kek): Buffer {
  const [format, iv, data, tag, ...rest] = sealed.split('.');
  if (format !== FORMAT || iv === undefined || data === undefined || tag === undefined || rest.length > 0)
    throw new KeyDecryptError('the sealed signing key is not in the v1 format');
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
    throw new KeyDecryptError('the sealed signing key is damaged');
  const decipher = createDecipheriv('aes-256-gcm', kek.key, ivBytes, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(FORMAT));
  decipher.setAuthTag(tagBytes);
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
  } catch (err) {
    // GCM authentication failed: another secret sealed it, or the bytes were altered.
    throw new KeyDecryptError(
      `the signing key does not open with key-encryption key ${kek.fingerprint} (wrong secret or damaged record)`,
      { cause: err },
    );
  }
}

/** Decrypts a sealed key; throws KeyDecryptError when it does not open under `kek`. */
export function openPrivateKey(sealed: string, kek: Kek): KeyObject {
  const pem = decrypt(sealed, kek);
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new KeyDecryptError('the sealed signing key opened but is not a private key', { cause: err });
  } finally {
    pem.fill(0);
  }
}
