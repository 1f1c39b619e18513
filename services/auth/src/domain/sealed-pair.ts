import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'toypetme refresh grace v1';

/** A key only the holder of the presented refresh token can derive (its secret has 256 bits). */
function keyFrom(refreshToken: string): Buffer {
  return Buffer.from(hkdfSync('sha256', refreshToken, Buffer.alloc(0), INFO, 32));
}

/**
 * Seals the successor pair for the grace window (issue 3): the store never holds a usable secret,
 * yet the client that presents the spent token again gets the identical pair back.
 */
export function sealPair(pair: object, refreshToken: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(refreshToken), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Opens a sealed pair; throws when the token is not the one it was sealed under. */
export function openPair<T>(sealed: string, refreshToken: string): T {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(refreshToken), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  const body = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  return JSON.parse(body.toString('utf8')) as T;
}
