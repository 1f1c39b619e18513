import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** What an attacker needs to build tokens by hand: no library that would refuse a bad one. */
export function b64json(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function parts(jwt: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  return [header, payload, signature];
}

export function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A throwaway RSA key, never known to the JWKS. */
export function foreignRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Signs header and payload with RS256 (the whole header is the caller's: crit, jku, none of it checked). */
export function signRs256(privateKey: KeyObject, header: unknown, payload: unknown): string {
  return signRsa('RS256', privateKey, header, payload);
}

/** Signs with an RSA algorithm of the caller's choice; the header is taken as given. */
export function signRsa(
  alg: 'RS256' | 'RS384' | 'RS512' | 'PS256',
  privateKey: KeyObject,
  header: unknown,
  payload: unknown,
): string {
  const input = Buffer.from(`${b64json(header)}.${b64json(payload)}`);
  const key =
    alg === 'PS256'
      ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : privateKey;
  const signature = sign(alg === 'PS256' ? 'sha256' : `sha${alg.slice(2)}`, input, key);
  return `${input.toString()}.${signature.toString('base64url')}`;
}

export function signHmac(
  alg: 'HS256' | 'HS384' | 'HS512',
  secret: string | Buffer,
  header: unknown,
  payload: unknown,
): string {
  const input = `${b64json({ ...(header as object), alg })}.${b64json(payload)}`;
  const digest = createHmac(`sha${alg.slice(2)}`, secret)
    .update(input)
    .digest('base64url');
  return `${input}.${digest}`;
}

/** The token with its payload replaced and the original signature kept. */
export function withClaims(jwt: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = parts(jwt);
  return `${header}.${b64json({ ...decodePart(payload), ...changes })}.${signature}`;
}

/** The token with its header replaced and the original signature kept. */
export function withHeader(jwt: string, header: unknown): string {
  const [, payload, signature] = parts(jwt);
  return `${b64json(header)}.${payload}.${signature}`;
}
