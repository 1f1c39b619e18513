import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKek, KeyDecryptError, openPrivateKey, sealPrivateKey } from '../src/keys/key-crypto.js';
import { TEST_SECRET, testKek } from './key-fixtures.js';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('key encryption at rest', () => {
  it('when a key is sealed and opened with the same secret, the same private key comes back', () => {
    const sealed = sealPrivateKey(pem, testKek);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
    const opened = openPrivateKey(sealed, deriveKek(TEST_SECRET));
    expect(opened.type).toBe('private');
    expect(opened.export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(pem);
  });

  it('when the same key is sealed twice, the results differ (a fresh IV each time)', () => {
    expect(sealPrivateKey(pem, testKek)).not.toBe(sealPrivateKey(pem, testKek));
  });

  it('when opened with another secret, throws KeyDecryptError naming that key, never a garbled key', () => {
    const other = deriveKek('another-secret-0123456789abcdef0123456789');
    const sealed = sealPrivateKey(pem, testKek);
    expect(() => openPrivateKey(sealed, other)).toThrow(KeyDecryptError);
    expect(() => openPrivateKey(sealed, other)).toThrow(other.fingerprint);
  });

  it('when a sealed key was altered or is malformed, throws KeyDecryptError', () => {
    const [format, iv, data = '', tag] = sealPrivateKey(pem, testKek).split('.');
    const flipped = `${data.at(0) === 'A' ? 'B' : 'A'}${data.slice(1)}`;
    for (const bad of [
      `${format}.${iv}.${flipped}.${tag}`,
      'v2.a.b.c',
      'v1.a.b',
      `${format}.${iv}.${data}.AAAA`,
    ]) {
      expect(() => openPrivateKey(bad, testKek)).toThrow(KeyDecryptError);
    }
  });

  it('when derived twice from one secret, the KEK has the same short fingerprint; another secret, another one', () => {
    expect(deriveKek(TEST_SECRET).fingerprint).toBe(testKek.fingerprint);
    expect(testKek.fingerprint).toMatch(/^[\w-]{11}$/);
    expect(deriveKek(`${TEST_SECRET}x`).fingerprint).not.toBe(testKek.fingerprint);
    expect(() => deriveKek('')).toThrow(/empty/);
  });
});
