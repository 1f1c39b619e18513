import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../src/keys/key-ring.js';
import { MemoryKeyRecordStore } from '../src/keys/memory-key-record-store.js';
import { rotate } from '../src/keys/rotation-applier.js';
import {
  jwksOf,
  MINUTE,
  signToken,
  T0,
  testKek,
  TestClock,
  testPolicy,
  verifyToken,
} from './key-fixtures.js';

const TTL_SEC = 15 * 60;
// A short period keeps the walk short; the timing relations are those of production.
const policy = testPolicy('RS256', {
  rotationPeriodMs: 2 * 60 * MINUTE,
  retireAfterMs: (TTL_SEC + 30) * 1000,
});
const STEP = 3 * MINUTE;
const PRIVATE_MEMBER = /"(d|p|q|dp|dq|qi|oth|k)":/;

interface Issued {
  token: string;
  expMs: number;
}

/** The JWKS a verifier fetched `ageMs` ago (or its first fetch), as a cache would still hold it. */
function cachedAt(snapshots: Map<number, JWK[]>, t: number, ageMs: number): JWK[] {
  const times = [...snapshots.keys()].filter((at) => at <= t - ageMs);
  return snapshots.get(times.length > 0 ? Math.max(...times) : T0) ?? [];
}

describe('rotation under traffic', () => {
  it('when the clock walks across two full rotations, every token verifies: against a JWKS cached one propagation time ago, and against a fresh one until it expires', async () => {
    const clock = new TestClock();
    const store = new MemoryKeyRecordStore(clock.now);
    const ring = new KeyRing({ store, keks: [testKek], jwksMaxAgeSec: 300, now: clock.now });
    const snapshots = new Map<number, JWK[]>();
    const signers = new Set<string>();
    let live: Issued[] = [];
    const failures: string[] = [];
    for (let t = T0; t <= T0 + 2 * policy.rotationPeriodMs + 2 * policy.propagationMs; t += STEP) {
      clock.t = t;
      await rotate({ store, kek: testKek, policy }, t);
      await ring.reload(t);
      const jwks = jwksOf(ring.published());
      expect(JSON.stringify(jwks)).not.toMatch(PRIVATE_MEMBER);
      snapshots.set(t, jwks);
      const key = ring.current();
      signers.add(key.kid);
      const token = await signToken(key, t, TTL_SEC);
      await verifyToken(token, cachedAt(snapshots, t, policy.propagationMs), t, ['RS256']).catch(() =>
        failures.push(`cached JWKS refused the token signed at ${t - T0} by ${key.kid}`),
      );
      live = [...live, { token, expMs: t + TTL_SEC * 1000 }].filter((issued) => issued.expMs > t);
      for (const issued of live) {
        await verifyToken(issued.token, jwks, t, ['RS256']).catch(() =>
          failures.push(`fresh JWKS at ${t - T0} refused a token expiring at ${issued.expMs - T0}`),
        );
      }
    }
    expect(failures).toEqual([]);
    expect(signers.size).toBe(3);
    expect((await store.list()).length).toBeLessThanOrEqual(2);
  });
});
