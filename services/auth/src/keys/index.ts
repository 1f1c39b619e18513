export { deriveKek, KeyDecryptError, openPrivateKey, sealPrivateKey, type Kek } from './key-crypto.js';
export {
  canSign,
  isPublished,
  mintKeyRecord,
  openKeyRecord,
  parseKeyRecord,
  parseKeyRecordJson,
  sealKeyRecord,
  signingRecord,
  type KeyRecord,
} from './key-record.js';
export { DEFAULT_KEY_LOCK_TTL_MS, type KeyRecordStore } from './key-record-store.js';
export { KeyRing, type KeyRingOptions } from './key-ring.js';
export { FileKeyRecordStore, type FileKeyRecordStoreOptions } from './file-key-record-store.js';
export { MemoryKeyRecordStore } from './memory-key-record-store.js';
export { RedisKeyRecordStore } from './redis-key-record-store.js';
export { reencrypt } from './reencrypt.js';
export { retire, rotate, rotateNow, type AppliedAction, type RotationDeps } from './rotation-applier.js';
export {
  planRetire,
  planRotateNow,
  planRotation,
  rotationPolicyProblems,
  type CreateReason,
  type RotationAction,
  type RotationPolicy,
} from './rotation.js';
export {
  createSigningKey,
  exportPkcs8Pem,
  generateSigningPrivateKey,
  isSigningAlg,
} from './signing-algorithms.js';
