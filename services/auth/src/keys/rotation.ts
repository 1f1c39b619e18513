import { SIGNING_ALGS, type SigningAlg } from '../domain/signing-key.js';
import { canSign, isPublished, signingRecord, type KeyRecord } from './key-record.js';

export interface RotationPolicy {
  readonly alg: SigningAlg;
  /** JWT_KEY_ROTATION: how long each key signs. */
  readonly rotationPeriodMs: number;
  /**
   * How long a new key is published before it signs: at least the longest JWKS cache (the
   * response max-age and every verifier's own cache) plus the verifier's unknown-kid cooldown.
   */
  readonly propagationMs: number;
  /** How long a retired key stays published: access-token TTL plus clock skew. */
  readonly retireAfterMs: number;
}

export type CreateReason = 'first' | 'scheduled' | 'operator' | 'replacement';

export type RotationAction =
  | { readonly type: 'create'; readonly activatesAt: number; readonly reason: CreateReason }
  | { readonly type: 'retire'; readonly kid: string; readonly retiredAt: number; readonly expiresAt: number }
  | { readonly type: 'remove'; readonly kid: string; readonly reason: 'expired' | 'operator' };

/** Everything wrong with a policy, for loadConfig to report with the other variables. */
export function rotationPolicyProblems(policy: RotationPolicy): string[] {
  const problems: string[] = [];
  if (!SIGNING_ALGS.includes(policy.alg))
    problems.push(`signing algorithm must be one of ${SIGNING_ALGS.join(', ')}`);
  for (const name of ['rotationPeriodMs', 'propagationMs', 'retireAfterMs'] as const) {
    if (!Number.isSafeInteger(policy[name]) || policy[name] < 0)
      problems.push(`${name} must be a whole number ≥ 0`);
  }
  // Otherwise the next key would be due before the current one has even started signing.
  if (policy.rotationPeriodMs <= policy.propagationMs)
    problems.push('the rotation period must be longer than the propagation time');
  return problems;
}

/** Keys that are published, not retired, and not signing yet. */
function pendingRecords(records: readonly KeyRecord[], now: number): KeyRecord[] {
  return records.filter((record) => record.retiredAt === undefined && record.activatesAt > now);
}

/** Keys that still sign although a newer key has activated: they retire now. */
function retirements(live: readonly KeyRecord[], signing: KeyRecord, now: number, policy: RotationPolicy) {
  return live
    .filter((record) => record !== signing && canSign(record, now))
    .map((record): RotationAction => ({
      type: 'retire',
      kid: record.kid,
      retiredAt: now,
      expiresAt: now + policy.retireAfterMs,
    }));
}

/**
 * When the schedule will publish the next key, if none is pending: `propagationMs` before the
 * signing key has signed for `rotationPeriodMs`.
 */
export function nextKeyDue(
  records: readonly KeyRecord[],
  now: number,
  policy: Pick<RotationPolicy, 'rotationPeriodMs' | 'propagationMs'>,
): number | undefined {
  const live = records.filter((record) => isPublished(record, now));
  const signing = signingRecord(live, now);
  if (signing === undefined || pendingRecords(live, now).length > 0) return undefined;
  return signing.activatesAt + policy.rotationPeriodMs - policy.propagationMs;
}

/**
 * The scheduled maintenance at `now`, as actions (pure, so it is tested at any clock point):
 * drop expired keys, retire keys a newer key has replaced, mint the first key, and mint the next
 * key `propagationMs` before the current one has signed for `rotationPeriodMs`.
 */
export function planRotation(
  records: readonly KeyRecord[],
  now: number,
  policy: RotationPolicy,
): RotationAction[] {
  const actions: RotationAction[] = records
    .filter((record) => !isPublished(record, now))
    .map((record) => ({ type: 'remove', kid: record.kid, reason: 'expired' }));
  const live = records.filter((record) => isPublished(record, now));
  const signing = signingRecord(live, now);
  const pending = pendingRecords(live, now);
  if (signing === undefined) {
    if (pending.length === 0) actions.push({ type: 'create', activatesAt: now, reason: 'first' });
    return actions;
  }
  actions.push(...retirements(live, signing, now, policy));
  const due = nextKeyDue(records, now, policy);
  if (due !== undefined && now >= due)
    actions.push({ type: 'create', activatesAt: now + policy.propagationMs, reason: 'scheduled' });
  return actions;
}

/** Operator rotation: publish a next key now, signing after `propagationMs`, whatever the current age. */
export function planRotateNow(
  records: readonly KeyRecord[],
  now: number,
  policy: RotationPolicy,
): RotationAction[] {
  const live = records.filter((record) => isPublished(record, now));
  // A pending key is already the rotation asked for; a second one would only wait behind it.
  if (pendingRecords(live, now).length > 0) return [];
  if (signingRecord(live, now) === undefined) return [{ type: 'create', activatesAt: now, reason: 'first' }];
  return [{ type: 'create', activatesAt: now + policy.propagationMs, reason: 'operator' }];
}

/**
 * Operator emergency (a leaked key): the key leaves the ring and the JWKS at once. The last key
 * able to sign is only removed after a replacement that signs immediately, so issuing never stops.
 */
export function planRetire(records: readonly KeyRecord[], kid: string, now: number): RotationAction[] {
  const target = records.find((record) => record.kid === kid);
  if (target === undefined) throw new Error(`there is no signing key ${kid}`);
  const othersCanSign = records.some((record) => record.kid !== kid && canSign(record, now));
  const remove: RotationAction = { type: 'remove', kid, reason: 'operator' };
  if (canSign(target, now) && !othersCanSign)
    return [{ type: 'create', activatesAt: now, reason: 'replacement' }, remove];
  return [remove];
}
