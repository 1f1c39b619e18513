import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { SIGNING_ALGS, toSigningKey, type SigningAlg } from '../src/domain/signing-key.js';
import { KeyRing } from '../src/keys/key-ring.js';
import { MemoryKeyRecordStore } from '../src/keys/memory-key-record-store.js';
import { rotate } from '../src/keys/rotation-applier.js';
import { createSigningKey, isSigningAlg } from '../src/keys/signing-algorithms.js';
import { jwksOf, signToken, testKek, testPolicy, TestClock, verifyToken } from './key-fixtures.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PUBLIC_MEMBERS: Record<SigningAlg, string[]> = {
  RS256: ['alg', 'e', 'kid', 'kty', 'n', 'use'],
  ES256: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
  EdDSA: ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
};

async function ringWithOneKey(alg: SigningAlg): Promise<KeyRing> {
  const clock = new TestClock();
  const store = new MemoryKeyRecordStore(clock.now);
  await rotate({ store, kek: testKek, policy: testPolicy(alg) }, clock.t);
  return KeyRing.open({ store, keks: [testKek], jwksMaxAgeSec: 300, now: clock.now });
}

describe.each(SIGNING_ALGS)('signing with %s', (alg) => {
  it('when a key is minted, a JWT it signs verifies against published() with only that algorithm allowed', async () => {
    const ring = await ringWithOneKey(alg);
    const key = ring.current();
    expect(key.alg).toBe(alg);
    const token = await signToken(key, Date.now());
    await verifyToken(token, jwksOf(ring.published()), Date.now(), [alg]);
    const others = SIGNING_ALGS.filter((other) => other !== alg);
    await expect(verifyToken(token, jwksOf(ring.published()), Date.now(), others)).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
  });

  it('when published, the JWK has public members only, use "sig", and kid = RFC 7638 thumbprint', async () => {
    const key = await createSigningKey(alg);
    const jwk = key.publicJwk;
    expect(Object.keys(jwk).sort()).toEqual(PUBLIC_MEMBERS[alg]);
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    expect(jwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
    expect(key.kid).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });
});

describe('toSigningKey', () => {
  const rsa = (bits: number): KeyObject => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
  const ec = (curve: string): KeyObject => generateKeyPairSync('ec', { namedCurve: curve }).privateKey;

  it('when no algorithm is named, builds an RS256 key as before', async () => {
    const key = await toSigningKey(rsa(2048));
    expect(key.alg).toBe('RS256');
    expect(key.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('when the key does not fit the algorithm, throws', async () => {
    await expect(toSigningKey(rsa(1024), 'RS256')).rejects.toThrow(/2048/);
    await expect(toSigningKey(ec('P-256'), 'RS256')).rejects.toThrow(/RSA/);
    await expect(toSigningKey(ec('P-384'), 'ES256')).rejects.toThrow(/P-256/);
    await expect(toSigningKey(rsa(2048), 'ES256')).rejects.toThrow(/P-256/);
    await expect(toSigningKey(generateKeyPairSync('ed448').privateKey, 'EdDSA')).rejects.toThrow(/Ed25519/);
    await expect(toSigningKey(ec('P-256'), 'EdDSA')).rejects.toThrow(/Ed25519/);
    const publicOnly = generateKeyPairSync('ed25519').publicKey;
    await expect(toSigningKey(publicOnly, 'EdDSA')).rejects.toThrow(/private/);
  });

  it('when asked about algorithm names, knows exactly the three supported ones', () => {
    expect(SIGNING_ALGS.every(isSigningAlg)).toBe(true);
    for (const name of ['HS256', 'RS512', 'none', 'rs256']) expect(isSigningAlg(name)).toBe(false);
  });
});
