import type { Kek } from './key-crypto.js';
import { mintKeyRecord, type KeyRecord } from './key-record.js';
import { DEFAULT_KEY_LOCK_TTL_MS, type KeyRecordStore } from './key-record-store.js';
import {
  planRetire,
  planRotateNow,
  planRotation,
  type RotationAction,
  type RotationPolicy,
} from './rotation.js';

export interface RotationDeps {
  readonly store: KeyRecordStore;
  /** Seals new keys: the KEK of the current secret. */
  readonly kek: Kek;
  readonly policy: RotationPolicy;
  readonly lockTtlMs?: number;
}

/** An action as carried out; a created key now has its kid. */
export type AppliedAction =
  | Exclude<RotationAction, { type: 'create' }>
  | (Extract<RotationAction, { type: 'create' }> & { readonly kid: string });

async function applyOne(
  deps: RotationDeps,
  byKid: ReadonlyMap<string, KeyRecord>,
  action: RotationAction,
  now: number,
): Promise<AppliedAction> {
  if (action.type === 'create') {
    const times = { createdAt: now, activatesAt: action.activatesAt };
    const { record } = await mintKeyRecord(deps.policy.alg, deps.kek, times);
    await deps.store.put(record);
    return { ...action, kid: record.kid };
  }
  if (action.type === 'remove') {
    await deps.store.remove(action.kid);
    return action;
  }
  const record = byKid.get(action.kid);
  if (record === undefined) throw new Error(`cannot retire unknown signing key ${action.kid}`);
  await deps.store.put({ ...record, retiredAt: action.retiredAt, expiresAt: action.expiresAt });
  return action;
}

/**
 * Plans from the stored records and carries the plan out, all under the store's lock so two
 * replicas never mint at once. Undefined: another replica holds the lock (it is doing the work).
 * Actions run in order, so a replacement key is stored before the key it replaces is removed.
 */
async function underLock(
  deps: RotationDeps,
  now: number,
  plan: (records: KeyRecord[]) => RotationAction[],
): Promise<AppliedAction[] | undefined> {
  return deps.store.withLock(deps.lockTtlMs ?? DEFAULT_KEY_LOCK_TTL_MS, async () => {
    const records = await deps.store.list();
    const byKid = new Map(records.map((record) => [record.kid, record]));
    const applied: AppliedAction[] = [];
    for (const action of plan(records)) applied.push(await applyOne(deps, byKid, action, now));
    return applied;
  });
}

/** The scheduled maintenance (planRotation); run it periodically on every replica. */
export function rotate(deps: RotationDeps, now: number): Promise<AppliedAction[] | undefined> {
  return underLock(deps, now, (records) => planRotation(records, now, deps.policy));
}

/** Operator: publish the next key now; it signs after propagationMs. */
export function rotateNow(deps: RotationDeps, now: number): Promise<AppliedAction[] | undefined> {
  return underLock(deps, now, (records) => planRotateNow(records, now, deps.policy));
}

/** Operator emergency: drop a key from the ring at once, minting a replacement if it was the only signer. */
export function retire(deps: RotationDeps, kid: string, now: number): Promise<AppliedAction[] | undefined> {
  return underLock(deps, now, (records) => planRetire(records, kid, now));
}
