import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import {
  SIGNING_ALG,
  SIGNING_ALGS,
  toSigningKey,
  type SigningAlg,
  type SigningKey,
} from '../domain/signing-key.js';

const generate = promisify(generateKeyPair);

/** RS256 unless configured otherwise: the contract's algorithm (CONTRACT "Tokens"). */

export function isSigningAlg(value: string): value is SigningAlg {
  return (SIGNING_ALGS as readonly string[]).includes(value);
}

/**
 * A new private key for `alg`: RSA 2048, EC P-256 or Ed25519. Asynchronous on purpose: rotation
 * runs inside a serving process, and an RSA key takes long enough to stall requests if generated
 * on the event loop.
 */
export async function generateSigningPrivateKey(alg: SigningAlg): Promise<KeyObject> {
  if (alg === 'RS256') return (await generate('rsa', { modulusLength: 2048 })).privateKey;
  if (alg === 'ES256') return (await generate('ec', { namedCurve: 'P-256' })).privateKey;
  return (await generate('ed25519')).privateKey;
}

/** A fresh SigningKey for `alg`, kid = RFC 7638 thumbprint. */
export async function createSigningKey(alg: SigningAlg = SIGNING_ALG): Promise<SigningKey> {
  return toSigningKey(await generateSigningPrivateKey(alg), alg);
}

/** The PKCS#8 PEM form that is sealed at rest. */
export function exportPkcs8Pem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
