import { describe, expect, it } from 'vitest';
import { isPublished, signingRecord, type KeyRecord } from '../src/keys/key-record.js';
import {
  planRetire,
  planRotateNow,
  planRotation,
  rotationPolicyProblems,
  type RotationAction,
} from '../src/keys/rotation.js';
import { DAY, fakeRecord, MINUTE, T0, testPolicy } from './key-fixtures.js';

const policy = testPolicy('RS256');
const { rotationPeriodMs: PERIOD, propagationMs: PROPAGATION, retireAfterMs: RETIRE_AFTER } = policy;
const DUE = T0 + PERIOD - PROPAGATION;

/** Carries a plan out on plain records, as the applier does on a store (kids are k1, k2, …). */
function apply(records: KeyRecord[], actions: RotationAction[], now: number): KeyRecord[] {
  let next = [...records];
  let minted = Math.max(0, ...records.map((record) => Number(record.kid.slice(1))));
  for (const action of actions) {
    if (action.type === 'create') {
      minted += 1;
      next.push(fakeRecord(`k${minted}`, { createdAt: now, activatesAt: action.activatesAt }));
    } else if (action.type === 'remove') {
      next = next.filter((record) => record.kid !== action.kid);
    } else {
      const { retiredAt, expiresAt } = action;
      next = next.map((record) => (record.kid === action.kid ? { ...record, retiredAt, expiresAt } : record));
    }
  }
  return next;
}

describe('planRotation', () => {
  it('when there is no key, creates the first one, signing at once', () => {
    expect(planRotation([], T0, policy)).toEqual([{ type: 'create', activatesAt: T0, reason: 'first' }]);
  });

  it('when the current key is younger than the period minus propagation, does nothing', () => {
    const records = [fakeRecord('k1')];
    for (const now of [T0, T0 + DAY, DUE - 1]) expect(planRotation(records, now, policy)).toEqual([]);
  });

  it('when the next key is due, publishes it to sign one propagation time later', () => {
    expect(planRotation([fakeRecord('k1')], DUE, policy)).toEqual([
      { type: 'create', activatesAt: DUE + PROPAGATION, reason: 'scheduled' },
    ]);
  });

  it('when a next key is already pending, creates no other, however late it is', () => {
    const records = [fakeRecord('k1'), fakeRecord('k2', { createdAt: DUE, activatesAt: DUE + PROPAGATION })];
    for (const now of [DUE, DUE + 1, DUE + PROPAGATION - 1])
      expect(planRotation(records, now, policy)).toEqual([]);
  });

  it('when the next key has activated, retires the old one, published for retireAfterMs more', () => {
    const switched = DUE + PROPAGATION;
    const records = [fakeRecord('k1'), fakeRecord('k2', { createdAt: DUE, activatesAt: switched })];
    const later = switched + 5 * MINUTE;
    expect(planRotation(records, later, policy)).toEqual([
      { type: 'retire', kid: 'k1', retiredAt: later, expiresAt: later + RETIRE_AFTER },
    ]);
  });

  it('when a retired key reaches its expiry, removes it, and not a millisecond before', () => {
    const expiresAt = T0 + 9 * DAY;
    const records = [
      fakeRecord('k1', { retiredAt: expiresAt - RETIRE_AFTER, expiresAt }),
      fakeRecord('k2', { activatesAt: T0 + 7 * DAY }),
    ];
    expect(planRotation(records, expiresAt - 1, policy)).toEqual([]);
    expect(planRotation(records, expiresAt, policy)).toEqual([
      { type: 'remove', kid: 'k1', reason: 'expired' },
    ]);
  });

  it('when only a pending key exists (e.g. clocks disagree at start), waits for it instead of minting another', () => {
    expect(planRotation([fakeRecord('k1', { activatesAt: T0 + 1000 })], T0, policy)).toEqual([]);
  });

  it('when run every few minutes across three rotations, keeps every rotation invariant at every clock point', () => {
    let records: KeyRecord[] = [];
    const step = 7 * MINUTE;
    for (let now = T0; now < T0 + 3 * PERIOD + DAY; now += step) {
      records = apply(records, planRotation(records, now, policy), now);
      const signing = signingRecord(records, now);
      expect(signing).toBeDefined();
      expect(now - signing!.activatesAt).toBeLessThan(PERIOD + step);
      if (signing!.kid !== 'k1') expect(signing!.activatesAt - signing!.createdAt).toBe(PROPAGATION);
      expect(records.filter((record) => record.activatesAt > now)).toHaveLength(
        now >= signing!.activatesAt + PERIOD - PROPAGATION ? 1 : 0,
      );
      for (const record of records.filter((r) => r.retiredAt !== undefined)) {
        expect(record.expiresAt).toBe(record.retiredAt! + RETIRE_AFTER);
        expect(isPublished(record, now)).toBe(true);
      }
      expect(records.length).toBeLessThanOrEqual(3);
    }
    expect(records.map((record) => record.kid)).toContain('k4');
  });
});

describe('rotationPolicyProblems', () => {
  it('when the policy is sound, finds nothing; when propagation is not shorter than the period or a time is negative, says so', () => {
    expect(rotationPolicyProblems(policy)).toEqual([]);
    expect(rotationPolicyProblems({ ...policy, rotationPeriodMs: PROPAGATION })).toEqual([
      'the rotation period must be longer than the propagation time',
    ]);
    expect(rotationPolicyProblems({ ...policy, retireAfterMs: -1 })).toEqual([
      'retireAfterMs must be a whole number ≥ 0',
    ]);
  });
});

describe('operator actions', () => {
  it('when rotating now, publishes a next key signing after propagation whatever the current key age; not twice', () => {
    const now = T0 + MINUTE;
    const actions = planRotateNow([fakeRecord('k1')], now, policy);
    expect(actions).toEqual([{ type: 'create', activatesAt: now + PROPAGATION, reason: 'operator' }]);
    const pending = fakeRecord('k2', { createdAt: now, activatesAt: now + PROPAGATION });
    expect(planRotateNow([fakeRecord('k1'), pending], now, policy)).toEqual([]);
    expect(planRotateNow([], now, policy)).toEqual([{ type: 'create', activatesAt: now, reason: 'first' }]);
  });

  it('when retiring the only signing key, first creates a replacement that signs at once, then removes it', () => {
    const now = T0 + DAY;
    const pending = fakeRecord('k2', { activatesAt: now + MINUTE });
    expect(planRetire([fakeRecord('k1'), pending], 'k1', now)).toEqual([
      { type: 'create', activatesAt: now, reason: 'replacement' },
      { type: 'remove', kid: 'k1', reason: 'operator' },
    ]);
  });

  it('when retiring a key that is not the only signer, just removes it; an unknown kid throws', () => {
    const now = T0 + DAY;
    const retired = fakeRecord('k1', { retiredAt: now - MINUTE, expiresAt: now + MINUTE });
    const records = [retired, fakeRecord('k2'), fakeRecord('k3', { activatesAt: now + MINUTE })];
    expect(planRetire(records, 'k1', now)).toEqual([{ type: 'remove', kid: 'k1', reason: 'operator' }]);
    expect(planRetire(records, 'k3', now)).toEqual([{ type: 'remove', kid: 'k3', reason: 'operator' }]);
    expect(() => planRetire(records, 'nope', now)).toThrow(/nope/);
  });
});
