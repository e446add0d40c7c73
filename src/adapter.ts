/**
 * `byokit/adapter`: what a storage adapter author needs, in one import. The
 * storage contract (`StorageAdapter` and the records it stores), the errors
 * an adapter throws, and the helpers every adapter would otherwise write
 * again: pages of `limit + 1` rows, an update applied with `revision + 1`,
 * the expected-revision check, fresh copies of records, the resolution
 * read's candidate rule, the store-wide keyring walk, in-process cooldowns.
 * Check an adapter with `runStorageAdapterTests` from `byokit/testing`.
 *
 * @example
 * ```ts
 * import { applyConfigPatch, checkExpectedRevision, pageAfter, type StorageAdapter } from 'byokit/adapter';
 * ```
 *
 * @module byokit/adapter
 */
export * from './store/types.js';
export * from './store/settings-storage.js';
export * from './store/access-key-storage.js';
export * from './store/cooldown-storage.js';
export { applyConfigPatch, checkExpectedRevision, pageAfter, pageFetchLimit, pageOf } from './store/adapter-helpers.js';
export {
  CONFIG_PATCH_FIELDS,
  STAGED_KEY_FIELDS,
  copyConfigRecord,
  noStagedKeys,
  patchedFields,
  patchedSealedKeys,
  storedRecord,
} from './store/patch.js';
export {
  byResolutionPreference,
  findWinner,
  isUsableCandidate,
  keyExpired,
  poolOf,
  routesProvider,
  selectCandidates,
} from './store/candidates.js';
export {
  countKeysByKek,
  decodeStoreCursor,
  encodeStoreCursor,
  holdsKeyUnderOtherKek,
  pageAcrossTenants,
  type SealedSlots,
} from './store/key-counts.js';
export { mergeKeyHealth } from './store/key-health.js';
export { sealedKekId } from './crypto/sealed-kek-id.js';
export { scopeChain } from './resolve/scope.js';
export { storeMessage } from './message.js';
export {
  ByokitError,
  ConflictError,
  NotFoundError,
  StoreError,
  ValidationError,
  isByokitError,
  type ByokitErrorCode,
} from './errors.js';
