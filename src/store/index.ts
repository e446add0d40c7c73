export { MemoryStore } from './memory.js';
export * from './types.js';
export * from './settings-storage.js';
export * from './access-key-storage.js';
export * from './cooldown-storage.js';
export { CONFIG_PATCH_FIELDS, copyConfigRecord, patchedFields, storedRecord } from './patch.js';
export { mergeKeyHealth } from './key-health.js';
export { sealedKekId } from '../crypto/sealed-kek-id.js';
export {
  byResolutionPreference,
  findWinner,
  isUsableCandidate,
  keyExpired,
  poolOf,
  routesProvider,
  selectCandidates,
} from './candidates.js';
export {
  countKeysByKek,
  holdsKeyUnderOtherKek,
  pageAcrossTenants,
  encodeStoreCursor,
  decodeStoreCursor,
  type SealedSlots,
} from './key-counts.js';
export { STAGED_KEY_FIELDS, noStagedKeys, patchedSealedKeys } from './patch.js';
