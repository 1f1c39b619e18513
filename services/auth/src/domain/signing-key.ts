import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

export const SIGNING_ALG = 'RS256';
const MIN_MODULUS_BITS = 2048;

export interface SigningKey {
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly privateKey: KeyObject;
  /** The public half as a JWK: kty, n, e, kid, alg, use. Never a private member. */
  readonly publicJwk: Readonly<JWK>;
}

/** Where the issuer gets its current key and the JWKS its published keys (rotation: issue 4). */
export interface KeySource {
  current(): SigningKey;
  published(): readonly SigningKey[];
}

/** Builds a SigningKey from an RSA private key; `kid` is the RFC 7638 JWK thumbprint. */
export async function toSigningKey(privateKey: KeyObject): Promise<SigningKey> {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error('the signing key must be an RSA private key');
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS)
    throw new Error(`the signing key must be at least ${MIN_MODULUS_BITS} bits (got ${bits})`);
  const { kty, n, e } = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint({ kty, n, e }, 'sha256');
  const publicJwk = Object.freeze({ kty, n, e, kid, alg: SIGNING_ALG, use: 'sig' });
  return Object.freeze({ kid, alg: SIGNING_ALG, privateKey, publicJwk });
}

/** One fixed key: a configured PEM or the generated development key. */
export function staticKeySource(key: SigningKey): KeySource {
  const keys = Object.freeze([key]);
  return { current: () => key, published: () => keys };
}
