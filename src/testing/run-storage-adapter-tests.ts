/**
 * The aggregate: every conformance group in one call.
 *
 * @module
 */
import { describeAccessKeys } from './access-keys.js';
import { describeAudit } from './audit.js';
import { describeCandidateFilter } from './candidate-filter.js';
import { describeConfigImports } from './config-imports.js';
import { describeCopiedRows } from './copied-rows.js';
import { describeDefaults } from './defaults.js';
import { describeKeyHealth } from './key-health.js';
import { describeKeys } from './keys.js';
import { describeKeyringWalk } from './keyring-walk.js';
import { describeStagedKeys } from './staged-keys.js';
import { describeNames } from './names.js';
import { describePagination } from './pagination.js';
import { describeRecords } from './records.js';
import { describeQuotas } from './quotas.js';
import { describeResolutionRead } from './resolution-read.js';
import { describeRewrapCompareAndSwap } from './rewrap-compare-and-swap.js';
import { describeSealedKeySwaps } from './sealed-key-swaps.js';
import { describeSealedRead } from './sealed-read.js';
import { describeSettings } from './settings.js';
import { describeTenantIsolation } from './tenant-isolation.js';
import type { StorageAdapterTestOptions } from './types.js';
import { describeVaultRoundTrip } from './vault-round-trip.js';

/** The conformance groups by name, for running a subset. */
export const conformanceGroups = {
  records: describeRecords,
  tenantIsolation: describeTenantIsolation,
  names: describeNames,
  defaults: describeDefaults,
  keys: describeKeys,
  resolutionRead: describeResolutionRead,
  candidateFilter: describeCandidateFilter,
  sealedRead: describeSealedRead,
  rewrapCompareAndSwap: describeRewrapCompareAndSwap,
  sealedKeySwaps: describeSealedKeySwaps,
  keyringWalk: describeKeyringWalk,
  stagedKeys: describeStagedKeys,
  configImports: describeConfigImports,
  pagination: describePagination,
  audit: describeAudit,
  vaultRoundTrip: describeVaultRoundTrip,
  copiedRows: describeCopiedRows,
  keyHealth: describeKeyHealth,
  settings: describeSettings,
  accessKeys: describeAccessKeys,
  quotas: describeQuotas,
} as const satisfies Record<string, (options: StorageAdapterTestOptions) => void>;

/**
 * Registers the whole storage-adapter conformance suite with vitest: every
 * rule of the {@link StorageAdapter} contract, the races, (when
 * `rawDump` is given) the look behind the adapter, and (when
 * `copyRowBehindAdapter` is given) the copied-row attack through the vault. Call it at the top level
 * of a test file.
 *
 * @example
 * ```ts
 * import { runStorageAdapterTests } from 'byokit/testing';
 * runStorageAdapterTests({
 *   name: 'my-store',
 *   createStore: async () => {
 *     const db = await openFreshDatabase();
 *     return { store: new MyStore(db), rawDump: () => db.dumpAllAsText(), cleanup: () => db.close() };
 *   },
 * });
 * ```
 */
export function runStorageAdapterTests(options: StorageAdapterTestOptions): void {
  for (const group of Object.values(conformanceGroups)) group(options);
}
