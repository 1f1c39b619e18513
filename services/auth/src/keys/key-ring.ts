import { AppError } from '@toypetme/http-kit';
import type { KeySource, SigningKey } from '../domain/signing-key.js';
import type { Kek } from './key-crypto.js';
import { byActivation, isPublished, openKeyRecord, signingRecord, type KeyRecord } from './key-record.js';
import type { KeyRecordStore } from './key-record-store.js';
import { nextKeyDue, type RotationPolicy } from './rotation.js';

export interface KeyRingOptions {
  readonly store: KeyRecordStore;
  /** KEKs that may open records: the current secret's first, then the previous one's while migrating. */
  readonly keks: readonly Kek[];
  /** JWKS_MAX_AGE: the longest a JWKS response may be cached. */
  readonly jwksMaxAgeSec: number;
  /** The rotation schedule, so a cached JWKS also expires when the next key is due to be published. */
  readonly schedule?: Pick<RotationPolicy, 'rotationPeriodMs' | 'propagationMs'>;
  readonly now?: () => number;
}

/**
 * A key is opened again when its record was re-sealed under another secret: a replica whose
 * secrets cannot open the new sealing finds out (its reload fails) instead of never noticing.
 */
const cacheId = (record: KeyRecord): string => `${record.kid} ${record.sealedWith}`;

/**
 * The signing keys as last loaded from the store, decrypted once per kid and sealing. Which key signs and
 * which are published follow the clock between reloads, so a replica switches to a pending key
 * the moment it activates even if its next reload is late.
 */
export class KeyRing implements KeySource {
  private records: readonly KeyRecord[] = [];
  private keys: ReadonlyMap<string, SigningKey> = new Map();
  private loading: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: KeyRingOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A ring loaded once; throws if the store cannot be read or a record does not open. */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.reload();
    return ring;
  }

  current(): SigningKey {
    const now = this.now();
    const record = signingRecord(this.records, now) ?? this.firstPending(now);
    if (record === undefined) throw new AppError('service_unavailable', 'No signing key is available yet.');
    return this.keyOf(record);
  }

  /** Every key not yet expired, pending ones included, so verifiers know a key before it signs. */
  published(): readonly SigningKey[] {
    const now = this.now();
    return this.records.filter((record) => isPublished(record, now)).map((record) => this.keyOf(record));
  }

  /**
   * Seconds a JWKS response may be cached: never past the next change of the key set (a key
   * published, starting to sign, retired or removed).
   */
  maxAgeSec(now: number): number {
    const capMs = this.options.jwksMaxAgeSec * 1000;
    const schedule = this.options.schedule;
    const due = schedule === undefined ? undefined : nextKeyDue(this.records, now, schedule);
    // Overdue: the next maintenance run (a fraction of the propagation time away) publishes it.
    if (due !== undefined && due <= now) return 0;
    const nextMs = this.records
      .flatMap((record) => [record.activatesAt, record.retiredAt, record.expiresAt])
      .concat(due === undefined ? [] : [due])
      .filter((at): at is number => at !== undefined && at > now)
      .reduce((soonest, at) => Math.min(soonest, at - now), capMs);
    return Math.max(0, Math.floor(nextMs / 1000));
  }

  /**
   * Re-reads the store. Only kids (or sealings) not seen before are decrypted; the ring changes all at once
   * when everything opened, so a failed reload (store down, unknown secret) leaves it as it was.
   * Reloads run one after another, never interleaved.
   */
  reload(now: number = this.now()): Promise<void> {
    const next = this.loading.catch(() => undefined).then(() => this.load(now));
    this.loading = next;
    return next;
  }

  private async load(now: number): Promise<void> {
    const records = (await this.options.store.list()).filter((record) => isPublished(record, now));
    records.sort(byActivation);
    const keys = new Map<string, SigningKey>();
    for (const record of records) {
      const id = cacheId(record);
      keys.set(id, this.keys.get(id) ?? (await openKeyRecord(record, this.options.keks)));
    }
    this.records = records;
    this.keys = keys;
  }

  /**
   * Nothing has activated yet (e.g. this replica's clock runs a little behind the one that minted
   * the first key): the earliest pending key is already published, so it may sign.
   */
  private firstPending(now: number): KeyRecord | undefined {
    return this.records.find((record) => record.retiredAt === undefined && record.activatesAt > now);
  }

  private keyOf(record: KeyRecord): SigningKey {
    const key = this.keys.get(cacheId(record));
    // load() stores a key for every record it keeps, so this cannot happen.
    if (key === undefined) throw new Error(`signing key ${record.kid} was not loaded`);
    return key;
  }
}
