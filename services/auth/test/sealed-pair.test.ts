import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digest, newFamilyId, newRefreshToken } from '../src/domain/refresh-token.js';
import { openPair, sealPair } from '../src/domain/sealed-pair.js';

const pair = () => ({ token: 'header.payload.signature', refreshToken: newRefreshToken(newFamilyId()) });

/** An independent reading of the documented construction: HKDF-SHA-256 over the token itself. */
function openByConstruction(sealed: string, ikm: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const key = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'toypetme refresh grace v1', 32));
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString();
}

describe('sealed successor pairs', () => {
  it('when sealed, neither token appears in the stored value, even decoded', () => {
    const successor = pair();
    const spent = newRefreshToken(newFamilyId());
    const sealed = sealPair(successor, spent);
    const decoded = Buffer.from(sealed, 'base64url').toString('latin1');
    for (const secret of [successor.refreshToken, successor.token, spent]) {
      expect(sealed).not.toContain(secret);
      expect(decoded).not.toContain(secret);
    }
  });

  it('when opened with the spent token, gives the pair back; the key is derived from the token itself', () => {
    const successor = pair();
    const spent = newRefreshToken(newFamilyId());
    const sealed = sealPair(successor, spent);
    expect(openPair(sealed, spent)).toEqual(successor);
    expect(JSON.parse(openByConstruction(sealed, spent))).toEqual(successor);
  });

  it('when opened with what the store knows (the digest) or another token, fails', () => {
    const spent = newRefreshToken(newFamilyId());
    const sealed = sealPair(pair(), spent);
    expect(() => openPair(sealed, digest(spent))).toThrow();
    expect(() => openByConstruction(sealed, digest(spent))).toThrow();
    expect(() => openPair(sealed, newRefreshToken(newFamilyId()))).toThrow();
  });
});
