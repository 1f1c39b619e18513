import { createLocalJWKSet } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifierOptions } from '../src/index.js';
import { atT0, AUDIENCE, claimsAt, ISSUER, makeKey, T0, token, type TestKey } from './fixtures.js';

// Expiry is driven by the injected clock (STYLE 9): nothing here sleeps.
let key: TestKey;
const clock = { now: atT0() };

function verifierWith(options: Partial<JwtVerifierOptions> = {}) {
  return createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySource: createLocalJWKSet({ keys: [key.publicJwk] }),
    now: () => clock.now,
    ...options,
  });
}

async function outcome(verifier: ReturnType<typeof verifierWith>, jwt: string, atSec: number) {
  clock.now = atT0(atSec);
  return verifier.verify(jwt).then(
    () => ({ status: 200, code: 'ok' }),
    (err: { status: number; code: string }) => ({ status: err.status, code: err.code }),
  );
}

beforeAll(async () => {
  key = await makeKey();
});

describe('token lifetime and clock skew', () => {
  // A 900 s token issued at T0.
  it('when the clock is just before exp, the token verifies', async () => {
    expect(await outcome(verifierWith(), token(key), 899)).toEqual({ status: 200, code: 'ok' });
  });

  it('when the clock is past exp but within the 30 s tolerance, the token verifies', async () => {
    expect(await outcome(verifierWith(), token(key), 900 + 29)).toEqual({ status: 200, code: 'ok' });
  });

  it('when the clock reaches exp plus the tolerance, it is 403 token_expired', async () => {
    expect(await outcome(verifierWith(), token(key), 900 + 30)).toEqual({
      status: 403,
      code: 'token_expired',
    });
  });

  it('when the token expired long ago, it is 403 token_expired with an invalid_token challenge', async () => {
    clock.now = atT0(86_400);
    const err = await verifierWith()
      .verify(token(key))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: 'token_expired' });
    expect((err as { headers: Record<string, string> }).headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token"',
    );
  });

  it('when the tolerance is 0, one second past exp is 403 token_expired', async () => {
    const strict = verifierWith({ clockToleranceSec: 0 });
    expect(await outcome(strict, token(key), 900)).toEqual({ status: 403, code: 'token_expired' });
  });

  it('when a 5 s token is used (F23), it verifies until exp plus the tolerance, then is token_expired', async () => {
    const short = token(key, { claims: { exp: T0 + 5 } });
    const verifier = verifierWith();
    for (const at of [0, 4, 5, 34])
      expect(await outcome(verifier, short, at)).toEqual({ status: 200, code: 'ok' });
    expect(await outcome(verifier, short, 35)).toEqual({ status: 403, code: 'token_expired' });
  });

  it('when the issuer clock runs 20 s ahead (nbf in the near future), the token verifies', async () => {
    const ahead = token(key, { claims: { ...claimsAt(20), nbf: T0 + 20 } });
    expect(await outcome(verifierWith(), ahead, 0)).toEqual({ status: 200, code: 'ok' });
  });

  it('when nbf is beyond the tolerance, it is 403 invalid_token', async () => {
    const future = token(key, { claims: { nbf: T0 + 31 } });
    expect(await outcome(verifierWith(), future, 0)).toEqual({ status: 403, code: 'invalid_token' });
  });
});
