import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

/** The contract's algorithm (CONTRACT "Tokens") and the default for new keys. */
export const SIGNING_ALG = 'RS256';
/** Algorithms a signing key may use; anything but RS256 needs the verifiers to allow it too. */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

const MIN_MODULUS_BITS = 2048;

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: KeyObject;
  /**
   * The public half as a JWK (RSA: kty, n, e; EC: kty, crv, x, y; OKP: kty, crv, x) plus kid,
   * alg, use. Never a private member.
   */
  readonly publicJwk: Readonly<JWK>;
}

/** Where the issuer gets its current key and the JWKS its published keys and cache lifetime. */
export interface KeySource {
  current(): SigningKey;
  published(): readonly SigningKey[];
  /** How long the JWKS may be cached at `now`: never past the next key change. */
  maxAgeSec(now: number): number;
}

/** The only JWK members copied to the public key: an allow-list, so `d` and friends never leak. */
const PUBLIC_MEMBERS: Record<SigningAlg, readonly ('kty' | 'n' | 'e' | 'crv' | 'x' | 'y')[]> = {
  RS256: ['kty', 'n', 'e'],
  ES256: ['kty', 'crv', 'x', 'y'],
  EdDSA: ['kty', 'crv', 'x'],
};

/** Throws unless the key is a private key of the kind `alg` signs with. */
function checkKeyFits(privateKey: KeyObject, alg: SigningAlg): void {
  if (privateKey.type !== 'private') throw new Error(`the ${alg} signing key must be a private key`);
  const type = privateKey.asymmetricKeyType;
  if (alg === 'RS256') {
    if (type !== 'rsa') throw new Error('the signing key must be an RSA private key');
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_MODULUS_BITS)
      throw new Error(`the signing key must be at least ${MIN_MODULUS_BITS} bits (got ${bits})`);
  } else if (alg === 'ES256') {
    // Node names P-256 by its OpenSSL name.
    if (type !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error('an ES256 signing key must be an EC P-256 private key');
  } else if (type !== 'ed25519') {
    throw new Error('an EdDSA signing key must be an Ed25519 private key');
  }
}

/** Builds a SigningKey from a private key fit for `alg`; `kid` is the RFC 7638 JWK thumbprint. */
export async function toSigningKey(
  privateKey: KeyObject,
  alg: SigningAlg = SIGNING_ALG,
): Promise<SigningKey> {
  checkKeyFits(privateKey, alg);
  const full = await exportJWK(createPublicKey(privateKey));
  const members: Record<string, string | undefined> = {};
  for (const name of PUBLIC_MEMBERS[alg]) members[name] = full[name];
  const kid = await calculateJwkThumbprint(members, 'sha256');
  const publicJwk = Object.freeze({ ...members, kid, alg, use: 'sig' });
  return Object.freeze({ kid, alg, privateKey, publicJwk });
}

/** One pinned key (JWT_PRIVATE_KEY[_FILE]): never rotates, so the JWKS max-age is fixed. */
export function staticKeySource(key: SigningKey, maxAgeSec: number): KeySource {
  const keys = Object.freeze([key]);
  return { current: () => key, published: () => keys, maxAgeSec: () => maxAgeSec };
}
