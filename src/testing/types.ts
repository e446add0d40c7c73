/**
 * What an adapter author hands to the conformance suite.
 *
 * @module
 */
import type { StorageAdapter } from '../store/types.js';

/** One fresh store for one test, with optional ways to look behind it. */
export interface StoreUnderTest {
  /** The adapter under test, empty. */
  store: StorageAdapter;
  /**
   * A text dump of everything the backend holds for this store: all rows of
   * all tables, or all keys with their values. Enables the raw look behind
   * the adapter (no plaintext key, sealed keys really gone after delete,
   * rows carry their tenant). Without it those checks are skipped, with that
   * reason in their names.
   */
  rawDump?: () => Promise<string> | string;
  /**
   * Makes every later audit write fail inside the backend (a trigger that
   * raises, a broken table, ...). Enables the check that a change and its
   * audit event commit together; without it that check is skipped.
   */
  breakAuditWrites?: () => Promise<void> | void;
  /**
   * Copies one stored config, sealed key included, into another tenant's
   * keyspace behind the adapter, as someone with write access to the
   * backend could: the "copied row" attack. With `keepStoredTenant` the copy
   * is verbatim, so its own tenant field still names the source tenant (a
   * Redis hash copied under another tenant's key); without it the copy's
   * tenant field says `toTenantId` (a SQL row whose tenant column was
   * rewritten). Return `false` when the backend can't hold that kind of copy
   * (a SQL row has one tenant column: no verbatim copy); the check is then
   * skipped with that reason. Enables the `copiedRows` checks; without it
   * they are skipped.
   */
  copyRowBehindAdapter?: (
    from: { tenantId: string; id: string },
    toTenantId: string,
    options: { keepStoredTenant: boolean },
  ) => Promise<boolean> | boolean;
  /** Releases what `createStore` made: drop the schema, delete the keys, close the client. */
  cleanup?: () => Promise<void> | void;
}

/** Options of {@link runStorageAdapterTests} and of each group. */
export interface StorageAdapterTestOptions {
  /** Short adapter name, shown in every group title: `[conformance] <name> › records`. */
  name: string;
  /** Called before every test; must return a fresh, empty store. May be async. */
  createStore: () => Promise<StoreUnderTest> | StoreUnderTest;
  /**
   * The adapter's filtered `loadCandidates` returns exactly the rows that
   * can win (the named configs and the winner), nothing more. Turns on the
   * precision checks of the `candidateFilter` group; without it that group
   * checks only that nothing needed is missing (an adapter may ignore the
   * filter and return everything).
   */
  preciseCandidates?: boolean;
  /**
   * Conformance tests to skip, each with the reason shown in the report:
   * keyed by the test's title, or by its full title with the groups
   * (`'[conformance] my-store › records > has every StorageAdapter method, ...'`,
   * as vitest prints it). A key that names no test fails the file, so a
   * renamed test can't turn a skip into a silent no-op. Prefer fixing the
   * adapter; a skip is for a rule the backend can't keep yet.
   *
   * @example
   * ```ts
   * runStorageAdapterTests({
   *   name: 'my-store',
   *   createStore,
   *   skip: { 'race: 20 concurrent createConfig(isDefault: true) in one scope leave exactly one default': 'no transactions yet (#12)' },
   * });
   * ```
   */
  skip?: Readonly<Record<string, string>>;
}
