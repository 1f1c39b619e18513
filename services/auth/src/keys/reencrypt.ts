import { KeyDecryptError, sealPrivateKey, type Kek } from './key-crypto.js';
import { openKeyRecord, type KeyRecord } from './key-record.js';
import { DEFAULT_KEY_LOCK_TTL_MS, type KeyRecordStore } from './key-record-store.js';
import { exportPkcs8Pem } from './signing-algorithms.js';

async function reseal(record: KeyRecord, oldKek: Kek, newKek: Kek): Promise<KeyRecord> {
  const key = await openKeyRecord(record, [oldKek]);
  return {
    ...record,
    sealed: sealPrivateKey(exportPkcs8Pem(key.privateKey), newKek),
    sealedWith: newKek.fingerprint,
  };
}

/**
 * Secret rotation (JWT_SECRET_PREVIOUS → JWT_SECRET): re-seals every record sealed with the old
 * KEK under the new one, answering the kids it re-sealed (undefined: the lock was busy, try
 * again). Every record is opened before any is written, so a record that does not open leaves
 * the store untouched.
 */
export function reencrypt(
  store: KeyRecordStore,
  oldKek: Kek,
  newKek: Kek,
  lockTtlMs = DEFAULT_KEY_LOCK_TTL_MS,
): Promise<string[] | undefined> {
  return store.withLock(lockTtlMs, async () => {
    const stale = (await store.list()).filter((record) => record.sealedWith !== newKek.fingerprint);
    const stranger = stale.find((record) => record.sealedWith !== oldKek.fingerprint);
    if (stranger !== undefined) {
      throw new KeyDecryptError(
        `signing key ${stranger.kid} was sealed with key-encryption key ${stranger.sealedWith}, ` +
          `neither the previous (${oldKek.fingerprint}) nor the current (${newKek.fingerprint}) secret`,
      );
    }
    const resealed = await Promise.all(stale.map((record) => reseal(record, oldKek, newKek)));
    for (const record of resealed) await store.put(record);
    return resealed.map((record) => record.kid);
  });
}
