/**
 * The aggregate: every conformance group in one call.
 *
 * @module
 */
import { beforeAll, beforeEach, type RunnerTask } from 'vitest';
import { byokitMessage } from '../message.js';
import { describeAccessKeys } from './access-keys.js';
import { describeAudit } from './audit.js';
import { describeCandidateFilter } from './candidate-filter.js';
import { describeConfigImports } from './config-imports.js';
import { describeCooldowns } from './cooldowns.js';
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
import { groupTitle } from './harness.js';

/** The conformance groups by name, for running a subset. */
export const conformanceGroups = {
  /** Create, read, update, delete of config records. */
  records: describeRecords,
  /** No call reaches another tenant's rows. */
  tenantIsolation: describeTenantIsolation,
  /** Unique names per tenant, also under races. */
  names: describeNames,
  /** One default per tenant and scope, also under races. */
  defaults: describeDefaults,
  /** Setting, replacing and removing sealed keys. */
  keys: describeKeys,
  /** The one read a resolution makes. */
  resolutionRead: describeResolutionRead,
  /** Which candidates that read returns. */
  candidateFilter: describeCandidateFilter,
  /** Sealed keys come out only where the contract allows. */
  sealedRead: describeSealedRead,
  /** Rewrap's compare-and-swap on the sealed value. */
  rewrapCompareAndSwap: describeRewrapCompareAndSwap,
  /** Batched sealed-key swaps. */
  sealedKeySwaps: describeSealedKeySwaps,
  /** Store-wide walks of sealed keys for a master-key rotation, and key counts per KEK. */
  keyringWalk: describeKeyringWalk,
  /** Staged provider-key rotation: pending and previous key slots. */
  stagedKeys: describeStagedKeys,
  /** Bulk imports, with conflicts. */
  configImports: describeConfigImports,
  /** Cursors and limits of every list. */
  pagination: describePagination,
  /** Audit events written with their changes. */
  audit: describeAudit,
  /** A vault over the adapter, end to end. */
  vaultRoundTrip: describeVaultRoundTrip,
  /** Rows copied or tampered with behind the adapter are refused. */
  copiedRows: describeCopiedRows,
  /** Key health records and their transitions. */
  keyHealth: describeKeyHealth,
  /** Cooldowns of pool keys: shared between vaults on one store, with expiry. */
  cooldowns: describeCooldowns,
  /** The per-tenant settings document, with compare-and-swap. */
  settings: describeSettings,
  /** Access key records and usage. */
  accessKeys: describeAccessKeys,
  /** Atomic quota counting under concurrent use. */
  quotas: describeQuotas,
} as const satisfies Record<string, (options: StorageAdapterTestOptions) => void>;

/**
 * Registers the whole storage-adapter conformance suite with vitest: every
 * rule of the `StorageAdapter` contract, the races, (when
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
  if (options.skip !== undefined) skipByName(options.name, options.skip);
  for (const group of Object.values(conformanceGroups)) group(options);
}

/**
 * Skips the conformance tests `skip` names (by title or full title), with
 * their reasons; fails the file when a name matches none of this adapter's
 * tests. Hooks at the file's top level, scoped to the conformance groups of
 * `adapterName` by their titles.
 */
function skipByName(adapterName: string, skip: Readonly<Record<string, string>>): void {
  const ours = (task: { fullTestName?: string }) =>
    task.fullTestName?.startsWith(groupTitle({ name: adapterName }, '')) ?? false;
  // vitest reads a hook's first parameter as fixtures: it must be a destructuring pattern.
  // biome-ignore lint/correctness/noEmptyPattern: no fixture is used, only the file (second parameter).
  beforeAll(({}, file) => {
    const names = new Set<string>();
    const visit = (task: RunnerTask) => {
      if (task.type === 'test' && ours(task)) {
        names.add(task.name);
        if (task.fullTestName) names.add(task.fullTestName);
      }
      if ('tasks' in task) for (const child of task.tasks) visit(child);
    };
    for (const task of file.tasks) visit(task);
    const unknown = Object.keys(skip).filter((name) => !names.has(name));
    if (unknown.length > 0)
      throw new Error(
        byokitMessage(
          'testing',
          `skip names no conformance test of "${adapterName}": ${unknown.map((n) => JSON.stringify(n)).join(', ')}`,
        ),
      );
  });
  beforeEach(({ task, skip: skipTest }) => {
    if (!ours(task)) return;
    const reason = Object.hasOwn(skip, task.name) ? skip[task.name] : skip[task.fullTestName ?? ''];
    if (reason !== undefined) skipTest(reason);
  });
}
