/**
 * `byokit/testing`: the storage-adapter conformance suite, published so every
 * adapter (ours and yours) is held to the same rules, plus the record
 * builders it uses. Needs `vitest` (an optional peer dependency).
 *
 * @example
 * ```ts
 * // my-store.test.ts
 * import { runStorageAdapterTests } from 'byokit/testing';
 * runStorageAdapterTests({ name: 'my-store', createStore: () => ({ store: new MyStore() }) });
 * ```
 *
 * @module byokit/testing
 */
export { runStorageAdapterTests, conformanceGroups } from './run-storage-adapter-tests.js';
export { describeRecords } from './records.js';
export { describeTenantIsolation } from './tenant-isolation.js';
export { describeNames } from './names.js';
export { describeDefaults } from './defaults.js';
export { describeKeys } from './keys.js';
export { describeResolutionRead } from './resolution-read.js';
export { describeSealedRead } from './sealed-read.js';
export { describeCandidateFilter } from './candidate-filter.js';
export { describeSealedKeySwaps } from './sealed-key-swaps.js';
export { describeConfigImports } from './config-imports.js';
export { describeRewrapCompareAndSwap } from './rewrap-compare-and-swap.js';
export { describePagination } from './pagination.js';
export { describeAudit } from './audit.js';
export { describeVaultRoundTrip } from './vault-round-trip.js';
export { describeCopiedRows } from './copied-rows.js';
export { describeKeyHealth } from './key-health.js';
export { describeCooldowns } from './cooldowns.js';
export { describeSettings } from './settings.js';
export { describeAccessKeys } from './access-keys.js';
export { describeQuotas } from './quotas.js';
export {
  makeAccessKeyRecord,
  makeAuditEvent,
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeKeyRemovalPatch,
  makeRichConfigRecord,
  makeSettingsRecord,
  makeTenantIds,
  uniqueSuffix,
} from './fixtures.js';
export type { FakeKey } from './fixtures.js';
export type { StorageAdapterTestOptions, StoreUnderTest } from './types.js';
