/**
 * The storage contract. A {@link StorageAdapter} is the only part of byokit
 * that touches a database. The vault does validation, crypto, permissions
 * and audit content; an adapter stores what it is given and keeps the few
 * rules that only the database can keep under concurrency.
 *
 * Rules every adapter keeps (the conformance suite in `byokit/testing`
 * checks each one):
 * - Every call carries `tenantId`, and touches or returns that tenant's rows
 *   only.
 * - A missing record is `null` (or `false`), never `undefined`, never an error.
 * - Records come back as plain objects equal to what was written (same
 *   field values, ISO strings for times), never with `sealedKey`, except
 *   from the sealed reads: {@link StorageAdapter.loadCandidates},
 *   {@link StorageAdapter.loadSealedConfig} and
 *   {@link StorageAdapter.listSealedConfigs}. What the sealed reads return
 *   is read-only to the caller: an adapter may hand out frozen, shared
 *   objects there (no copy on the hot path), as long as nothing the
 *   caller could do to them changes what is stored.
 * - `kekId` is never stored on its own: every read derives it from the
 *   stored sealed value (`sealedKekId`, see docs/format.md), so a row can't
 *   claim a KEK its sealed value does not name.
 * - Each change and its audit event are written together or not at all;
 *   the event is stored under the tenant of the call (for `createConfig`,
 *   the record's tenant), whatever its own `tenantId` says.
 *
 * @module
 */

import { ACCESS_KEY_STORAGE_METHODS, type AccessKeyStorage } from './access-key-storage.js';
import { SETTINGS_STORAGE_METHODS, type SettingsStorage } from './settings-storage.js';
import { COOLDOWN_STORAGE_METHODS, type CooldownStorage } from './cooldown-storage.js';

import type { ConfigOptions, ScopePath, ValidationStatus } from '../values.js';

export { VALIDATION_STATUSES, type ConfigOptions, type ScopePath, type ValidationStatus } from '../values.js';

/**
 * One provider configuration of a tenant, as stored. Holds no secret: the
 * sealed key travels beside it only in {@link SealedConfigRecord}.
 */
export interface ConfigRecord {
  /** Time-ordered id (`cfg_` + 26 Crockford base32 characters): sorting by id sorts by creation. */
  id: string;
  /** The tenant that owns the config. */
  tenantId: string;
  /** Scope path; `''` for the tenant itself. */
  scope: ScopePath;
  /** Unique within the tenant (exact, case-sensitive match). */
  name: string;
  /** Provider id from the registry (`openai`, `anthropic`, ..., `custom`). */
  provider: string;
  /** For `custom` endpoints: the provider ids this endpoint serves. Empty otherwise. */
  routes: string[];
  /** The model to use, or `null` to leave it to the caller. */
  model: string | null;
  /** Where the key is sent; `null` for the provider's default endpoint. */
  baseUrl: string | null;
  /** Non-secret provider settings (Azure deployment and API version, Google SDK choice, ...). */
  options: ConfigOptions;
  /** A disabled config is never resolved; resolution falls through to the next candidate. */
  enabled: boolean;
  /** At most one record per (tenant, scope) has `isDefault: true`. */
  isDefault: boolean;
  /** Public hint of the stored key; `null` exactly when no key is stored. */
  keyHint: string | null;
  /**
   * Id of the KEK that wrapped the stored key's data key, as the stored
   * sealed value names it; `null` when no key is stored (or the stored value
   * names none). Derived on every read from the sealed value
   * (`sealedKekId`), never stored or patched on its own.
   */
  kekId: string | null;
  /** When the current key was set (ISO date-time); `null` without a key. */
  keySetAt: string | null;
  /** When the key stops being used (ISO date-time); `null` for never. */
  keyExpiresAt: string | null;
  /** When the key was last validated live (ISO date-time), or `null`. */
  lastValidatedAt: string | null;
  /** The result of that validation, or `null`. */
  lastValidationStatus: ValidationStatus | null;
  /**
   * Staged rotation: hint of a key stored beside the active one, waiting to
   * be promoted (`null` when none). Resolution never uses it.
   */
  pendingKeyHint: string | null;
  /** When the pending key was staged. */
  pendingKeySetAt: string | null;
  /** The expiry the pending key takes when promoted. */
  pendingKeyExpiresAt: string | null;
  /** Staged rotation: hint of the key a promotion replaced, kept for a rollback (`null` when none). */
  previousKeyHint: string | null;
  /** When the previous key was set (its `keySetAt` while it was active). */
  previousKeySetAt: string | null;
  /** The previous key's own expiry, given back to it by a rollback. */
  previousKeyExpiresAt: string | null;
  /** End of the grace period: after it the previous key can't be rolled back to and is dropped. */
  previousKeyKeptUntil: string | null;
  /** Creation time (ISO date-time). */
  createdAt: string;
  /** Time of the latest change (ISO date-time). */
  updatedAt: string;
  /** Starts at 1 and grows by exactly 1 with every update; the compare-and-swap token. */
  revision: number;
}

/** The sealed-key slots of a config: the active key, and the two of a staged rotation. */
export const SEALED_KEY_SLOTS = ['sealedKey', 'pendingSealedKey', 'previousSealedKey'] as const;

/** One of {@link SEALED_KEY_SLOTS}. */
export type SealedKeySlot = (typeof SEALED_KEY_SLOTS)[number];

/**
 * A config record with its sealed keys (a "sealed config"), as the resolver,
 * key rewrap and the `*SealedConfig*` storage methods hand it over.
 */
export interface SealedConfigRecord extends ConfigRecord {
  /** The sealed key string (see docs/format.md), or `null` when no key is stored. */
  sealedKey: string | null;
  /** The sealed pending key of a staged rotation (sealed like `sealedKey`), or `null`. */
  pendingSealedKey: string | null;
  /** The sealed previous key of a staged rotation, or `null`. */
  previousSealedKey: string | null;
}

/**
 * The former name of {@link SealedConfigRecord}, kept so adapters written
 * against 0.1 still compile.
 *
 * @deprecated Use {@link SealedConfigRecord}.
 */
export type CandidateRecord = SealedConfigRecord;

/**
 * The fields an update may change. `sealedKey` changes together with
 * `keyHint` (the vault always sends them together), and so do the pending
 * and previous slots with their hints; `kekId` is not part of a patch: it
 * follows the sealed value.
 */
export type ConfigPatch = Partial<Omit<ConfigRecord, 'id' | 'tenantId' | 'createdAt' | 'revision' | 'kekId'>> & {
  /** The new sealed key (`null` removes it); sent together with `keyHint`. */
  sealedKey?: string | null;
  /** The staged key (`null` drops it); sent together with `pendingKeyHint`. */
  pendingSealedKey?: string | null;
  /** The key kept for a rollback (`null` drops it); sent together with `previousKeyHint`. */
  previousSealedKey?: string | null;
};

/** The kinds of audit event, in one list; {@link AuditEventType} is derived from it. */
export const AUDIT_EVENT_TYPES = [
  'config.created',
  'config.updated',
  'config.deleted',
  'config.default_changed',
  'key.set',
  'key.replaced',
  'key.removed',
  'key.enabled',
  'key.disabled',
  'key.validated',
  'key.rewrapped',
  'key.staged',
  'key.promoted',
  'key.rolled_back',
  'key.previous_expired',
  'key.failing',
  'key.recovered',
  'access_key.created',
  'access_key.revoked',
  'entitlement.changed',
  'pool.changed',
  'route.changed',
] as const;

/** One of {@link AUDIT_EVENT_TYPES}. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who did something. `role` is the host's own role name, if any. */
export interface Actor {
  /** The host's id of the user or service. */
  id: string;
  /** The host's role name (`owner`, `admin`, `member`, ...), for the permission policy. */
  role?: string;
}

/**
 * One audit event. Carries the key hint at most, never key material or
 * ciphertext.
 */
export interface AuditEvent {
  /** Time-ordered id (`evt_...`): sorting by id sorts by time. */
  id: string;
  /** When it happened (ISO date-time). */
  at: string;
  /** The tenant it happened in. */
  tenantId: string;
  /** The config concerned; `null` for tenant-wide events (access keys, entitlement). */
  configId: string | null;
  /** `null` for system actions such as a keyring rewrap. */
  actor: Actor | null;
  /** What happened. */
  type: AuditEventType;
  /** Names of the fields the change touched. */
  changes: string[];
  /** The hint of the key concerned (never the key), or `null`. */
  keyHint: string | null;
  /** Extra non-secret detail: validation outcome, old and new KEK id, config name. */
  detail: Record<string, string | number | boolean | null>;
}

/** A page of results, with an opaque cursor for the next one (`null` at the end). */
export interface Page<T> {
  /** The results of this page. */
  items: T[];
  /** Pass it back for the next page; `null` on the last one. */
  nextCursor: string | null;
}

/** Query of {@link StorageAdapter.listConfigs}. */
export interface ConfigQuery {
  /** Only configs in exactly this scope. */
  scope?: ScopePath;
  /** Only configs of this provider. */
  provider?: string;
  /**
   * Only configs with a stored key whose KEK id, as its sealed value names
   * it, differs from this one (used by rewrap). A stored value that names no
   * KEK counts as differing, so rewrap reports it instead of skipping it.
   */
  kekIdNot?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** 1..500. */
  limit: number;
}

/** Query of {@link StorageAdapter.listSealedConfigs}. */
export interface SealedConfigQuery {
  /**
   * Only configs with a stored sealed key (active, pending or previous)
   * whose KEK id, as the sealed value names it, differs from this one; a
   * sealed value that names no KEK counts as differing (the same rule as
   * {@link ConfigQuery.kekIdNot}).
   */
  kekIdNot: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** 1..1000. */
  limit: number;
}

/** Query of {@link StorageAdapter.listSealedConfigsAcrossTenants}: as {@link SealedConfigQuery}, over every tenant. */
export type StoreSealedConfigQuery = SealedConfigQuery;

/**
 * What a stored sealed key is, for {@link StorageAdapter.countKeysByKek}:
 * an active-slot key is `active` (enabled, not expired), `disabled` or
 * `expired` (its `keyExpiresAt` not greater than `now`); the keys of a
 * staged rotation are `pending` and `previous`.
 */
export type StoredKeyState = 'active' | 'disabled' | 'expired' | 'pending' | 'previous';

/** The stored key states, in report order. */
export const STORED_KEY_STATES = [
  'active',
  'disabled',
  'expired',
  'pending',
  'previous',
] as const satisfies readonly StoredKeyState[];

/** One line of {@link StorageAdapter.countKeysByKek}. */
export interface KeyCount {
  /** The KEK id the sealed values name; `null` for sealed values that name none. */
  kekId: string | null;
  /** What the counted keys are: `active`, `disabled` or `expired` (active slot), `pending` or `previous` (staged rotation). */
  state: StoredKeyState;
  /** At least 1: combinations with no key are left out. */
  count: number;
}

/**
 * What a resolution asks for, so that an adapter can return only the rows
 * that can win it (see {@link StorageAdapter.loadCandidates}). An
 * optimisation an adapter may ignore: returning more rows is always correct.
 */
export interface CandidateFilter {
  /** The provider the request names, or `null` when it names none. */
  provider: string | null;
  /** The config the request names, as an id or a name, or `null`. */
  config: string | null;
  /**
   * The request's time as an ISO string (`Date#toISOString`). A key whose
   * `keyExpiresAt` is not greater than it, compared as strings, is expired.
   */
  now: string;
  /**
   * Also return the winner's pool: every other usable config of the
   * winner's scope whose provider is `provider`, when the winner is one of
   * that provider's own configs (a custom endpoint routing the provider
   * brings none). Sent by vaults with key pools on; absent or `false`, the
   * read is the one-winner read.
   */
  pool?: boolean;
}

/** One sealed key to replace, in {@link StorageAdapter.swapSealedKeys}. */
export interface SealedKeySwap {
  /** The config whose sealed key to replace. */
  id: string;
  /** The sealed key the swap expects to find stored, exactly. */
  from: string;
  /** The sealed key to store instead: the same secret under another KEK, so the key hint stays. */
  to: string;
  /** The record's new `updatedAt`. */
  updatedAt: string;
  /** Written with the swap, only if the swap applies. */
  audit: AuditEvent;
}

/** One new config for {@link StorageAdapter.importConfigs}. */
export interface ConfigImport {
  /** The record as `createConfig` takes it (revision 1), with its key fields set when it has a key. */
  record: ConfigRecord;
  /** Its sealed key, or `null` for a config without a key. */
  sealedKey: string | null;
  /** Its audit events (`config.created`, then `key.set` for a key), written with it. */
  audit: AuditEvent[];
}

/** What became of one {@link ConfigImport}: written, or not written because of a conflict. */
export type ImportOutcome = 'created' | 'conflict';

/** Query of {@link StorageAdapter.listAudit}. */
export interface AuditQuery {
  /** Only events of this config. */
  configId?: string;
  /** Only events of this type. */
  type?: AuditEventType;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** 1..500. */
  limit: number;
}

/** What an adapter guarantees, for the conformance suite and the vault. */
export interface StoreCapabilities {
  /**
   * Changes and their audit events commit in one transaction (or script):
   * a failed audit write leaves the change undone. The conformance suite
   * checks this when `true` (given `breakAuditWrites`).
   */
  transactions: boolean;
}

/** Options of every mutating call. */
export interface WriteOptions {
  /** The audit event to write in the same transaction as the change. */
  audit: AuditEvent;
}

/** Whether a stored key is known to work: `failing` after an auth failure, until a later success. */
export type KeyHealthState = 'ok' | 'failing';

/**
 * What traffic and validation learned about one config's key, stored apart
 * from the config: writing it never bumps the config's `revision` (so
 * admins' compare-and-swap writes never collide with traffic) and never
 * changes anything else of the config.
 */
export interface KeyHealthRecord {
  /** The tenant of the config. */
  tenantId: string;
  /** The config whose key this is about. */
  configId: string;
  /** The `keySetAt` of the key this record is about: news about an older key never changes it. */
  keySetAt: string;
  /** `failing` after an auth failure, until a later success. */
  state: KeyHealthState;
  /** First auth failure of the current failing spell; `null` when `ok`. */
  firstFailureAt: string | null;
  /** Latest auth failure ever recorded for this key (kept after a recovery). */
  lastFailureAt: string | null;
  /** Auth failures in the current failing spell; 0 when `ok`. */
  failureCount: number;
  /** Latest call made with the config's key (any key the config held). */
  lastUsedAt: string | null;
  /** Latest successful call or valid validation of this key. */
  lastSuccessAt: string | null;
  /** Latest validation of this key that found it valid (a failed check leaves it). */
  lastValidAt: string | null;
}

/**
 * News about one key, as {@link StorageAdapter.recordKeyHealth} applies it.
 * Every time is an ISO string; every field but `keySetAt` is optional.
 */
export interface KeyHealthChange {
  /** The `keySetAt` of the key the news is about (from the record the call resolved). */
  keySetAt: string;
  /** The key was used at this time (stored as the later of this and what is stored). */
  usedAt?: string;
  /** A successful call at this time. */
  successAt?: string;
  /** A validation found the key valid at this time (also a success). */
  validAt?: string;
  /** `count` auth failures, the first and the last at these times. */
  failures?: {
    /** How many (at least 1). */
    count: number;
    /** Time of the first (ISO date-time). */
    firstAt: string;
    /** Time of the last (ISO date-time). */
    lastAt: string;
  };
}

/** Result of {@link StorageAdapter.recordKeyHealth}: the record after the change, and the state change it made, if any. */
export interface KeyHealthResult {
  /** The record after the change. */
  health: KeyHealthRecord;
  /** `'failing'` when this call moved the key from ok to failing, `'recovered'` from failing to ok, else `null`. */
  transition: 'failing' | 'recovered' | null;
}

/** Options of {@link StorageAdapter.recordKeyHealth}: the audit event of each possible transition. */
export interface KeyHealthWriteOptions {
  /** Written, in the same atomic step, exactly when the call makes a transition of that kind. */
  audit: {
    /** Written when the call turns the key `failing`. */
    failing: AuditEvent;
    /** Written when the call turns it `ok` again. */
    recovered: AuditEvent;
  };
}

/** Options of {@link StorageAdapter.updateConfig}. */
export interface UpdateOptions extends WriteOptions {
  /** When set, the update applies only if the stored revision equals it. */
  expectedRevision?: number;
}

/**
 * The interface a storage adapter implements. Small on purpose: validation,
 * crypto, permissions and audit content live in the vault. The settings
 * document ({@link SettingsStorage}) and access keys
 * ({@link AccessKeyStorage}) are part of it.
 */
export interface StorageAdapter extends SettingsStorage, AccessKeyStorage, CooldownStorage {
  /** A short name for messages, e.g. `'postgres'`. */
  readonly name: string;
  /**
   * What the adapter guarantees. `transactions: true` promises that a change
   * and its audit event commit together (one transaction or script); the
   * conformance suite then checks it (an audit write that fails leaves the
   * change undone), and skips those checks when `false`.
   */
  readonly capabilities: StoreCapabilities;

  /**
   * Optional: releases what the adapter opened itself (a connection it made
   * from a path or URL, cached statements). A client or pool the host passed
   * in stays open: its owner closes it. byokit never calls it: the host
   * that made the store closes it at shutdown (`vault.close()` leaves the
   * store alone, as one store may serve several vaults).
   */
  close?(): Promise<void>;

  /**
   * Inserts a new config and its audit event.
   * - Throws `ConflictError('NAME_TAKEN')` if the tenant already has a
   *   config of that name (enforced by the backend, also under races), and
   *   writes nothing.
   * - If `record.isDefault`, clears `isDefault` on every other config of the
   *   same (tenant, scope) in the same atomic step.
   * - `record.revision` is 1. `sealedKey` is `null` (keys are set by update).
   */
  createConfig(record: ConfigRecord, options: WriteOptions): Promise<ConfigRecord>;

  /** The config, or `null` if this tenant has none with that id. */
  getConfig(tenantId: string, id: string): Promise<ConfigRecord | null>;

  /** The tenant's configs ordered by id (creation order), one page at a time. */
  listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>>;

  /**
   * Applies `patch`, bumps `revision` by one, writes the audit event; all
   * atomically. Returns the updated record, or `null` if it does not exist.
   * - Throws `ConflictError('CONCURRENT_UPDATE')` if `expectedRevision` is
   *   given and differs from the stored revision; nothing is written.
   * - Throws `ConflictError('NAME_TAKEN')` if a rename collides.
   * - If the patch sets `isDefault: true`, every other config of the
   *   record's (tenant, scope) loses `isDefault` in the same atomic step:
   *   after any set of concurrent calls exactly one default remains. The
   *   same holds when a default record moves to another scope: it stays
   *   the default there, and the other configs of its new scope lose the flag.
   * - A patch field whose value is `undefined` is not part of the patch, and
   *   a patch never changes `id`, `tenantId`, `createdAt` or `revision`
   *   (see `patchedFields`).
   * - A patched `sealedKey` replaces the stored one whole: a reader sees the
   *   old key with its old hint or the new key with its new hint, never a mix.
   */
  updateConfig(tenantId: string, id: string, patch: ConfigPatch, options: UpdateOptions): Promise<ConfigRecord | null>;

  /** Deletes the config, its sealed key and writes the audit event. `false` if it did not exist. */
  deleteConfig(tenantId: string, id: string, options: WriteOptions): Promise<boolean>;

  /**
   * The resolution read, in one round trip to the backend, and with
   * {@link StorageAdapter.loadSealedConfig} and
   * {@link StorageAdapter.listSealedConfigs} the only reads that return
   * sealed key material.
   *
   * Without `filter`: every config of the tenant whose scope is one of
   * `scopes`, with its sealed key.
   *
   * With `filter`: at least the rows that can win the request. Returning
   * more (up to everything, as without a filter) is always correct;
   * returning fewer never is. The result holds:
   * - every config in `scopes` whose id or name is `filter.config`;
   * - with `filter.provider`, the **winner** of this walk: the scopes in the
   *   order given; in each, first the custom endpoints (`provider:
   *   'custom'`) whose `routes` include the provider (unless the provider
   *   is `'custom'` itself), then the provider's own configs; each of those
   *   two groups default first, then newest id first. The winner is the
   *   first **usable** config met: `enabled`, holding a key (a sealed key
   *   or a key hint: a row whose two disagree counts, so it fails closed
   *   instead of falling through), and not expired (`keyExpiresAt` null or
   *   greater than `filter.now`, compared as strings);
   * - with neither `filter.provider` nor `filter.config`, the winner of the
   *   same walk over all of each scope's configs (its default, else its
   *   newest), by the same rule.
   * - with `filter.pool` and `filter.provider`, when the winner's provider
   *   is `filter.provider`: also every other usable config of the
   *   winner's scope with that provider (the key pool the vault chooses
   *   in), in any order.
   * With a config but no provider, only the named rows are required: the
   * vault reads again, for the named config's provider, when that config
   * can't be used.
   *
   * Rows that can't win (disabled, keyless or expired ones, the losers of
   * a scope) need not be read: the resolution's trace then lists the rows
   * that were read.
   */
  loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]>;

  /**
   * One config with its sealed key (`sealedKey: null` when it has none), or
   * `null` if this tenant has no config with that id: the read behind key
   * validation, re-sealing for a new endpoint and rewrap.
   * - Returns `null` for another tenant's id, even when that tenant has a
   *   config with this id.
   * - Reads that one row only, never the rest of its scope or tenant, in one
   *   round trip to the backend where the backend allows it.
   * - The result equals what `loadCandidates` returns for the same config.
   */
  loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null>;

  /**
   * The read behind a keyring rewrap: the tenant's configs whose sealed key
   * is under another KEK than `query.kekIdNot` (or names none), each with
   * its sealed key, ordered by id, one page per round trip.
   * - Only configs that hold a sealed key; paging as in `listConfigs`
   *   (`nextCursor` `null` on the last page; a walk never repeats or skips
   *   a config, also while keys are swapped behind the cursor).
   * - Each item equals what `loadSealedConfig` returns for it.
   */
  listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>>;

  /**
   * The store-wide read behind a KEK rotation: like `listSealedConfigs`
   * (any slot under another KEK than `query.kekIdNot`, or naming none, each
   * with its sealed keys), over every tenant, ordered by tenant then id.
   * The one read (with `countKeysByKek`) not bound to a tenant: it serves
   * the operator, never a tenant's request.
   * - Cursor-based paging: `nextCursor` is `null` on the last page; a walk
   *   never repeats a config, and never skips one that matches from its
   *   start to its end, also while keys are swapped, configs created or
   *   deleted behind the cursor, in any tenant.
   * - Each item equals what `loadSealedConfig` returns for it.
   */
  listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>>;

  /**
   * How many sealed keys the store holds per KEK id (as each sealed value
   * names it) and per {@link StoredKeyState}, over every tenant and every
   * slot (a config with a pending key counts twice). `now` (an ISO string)
   * decides `expired`, compared as strings. Lines with a count of 0 are
   * left out; the order is free.
   */
  countKeysByKek(query: { now: string }): Promise<KeyCount[]>;

  /**
   * Replaces sealed keys in one round trip (one statement, script or
   * transaction), each by compare-and-swap on the sealed value itself: a
   * swap applies only when the config exists in this tenant and its stored
   * sealed key is exactly `from`. An applied swap sets `sealedKey` to `to`
   * and `updatedAt`, bumps `revision` by 1 and writes its audit event, all
   * atomically; nothing else of the record changes.
   * - So a concurrent write that replaced, removed or re-sealed the key
   *   makes the swap miss (the caller reads that row again), while one that
   *   left the key alone (a rename, a new default, enabling) does not: the
   *   swap still applies, and keeps that write's changes.
   * - Returns one boolean per swap, in order: `true` when it applied.
   *   Swaps of one call are independent: one that misses does not stop
   *   the others. The vault never sends two swaps of one id in one call.
   */
  swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]>;

  /**
   * Inserts new configs, each with its sealed key and its audit events, in
   * one round trip where the backend allows it: the write behind a bulk
   * import.
   * - Each item is written whole (record, sealed key and every event of it)
   *   or not at all, and stored under the tenant of the call.
   * - An item whose id or name is already taken in the tenant, by a stored
   *   config or an earlier item of the call, or that is a default
   *   (`isDefault`) in a scope that already has one, is not written:
   *   `'conflict'`. It never clears another config's default (the vault
   *   creates such an item with `createConfig`, which does). Other items
   *   are not affected.
   * - Under races the unique rules hold as in `createConfig`: of concurrent
   *   writes of one name, exactly one is stored.
   * - Returns one outcome per item, in order.
   */
  importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]>;

  /** The tenant's audit events, newest first, one page at a time. */
  listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>>;

  /**
   * Applies news about a config's key to its health record (creating it),
   * atomically, and returns the record after it, or `null` (nothing written)
   * when this tenant has no config `configId`. The merge is
   * `mergeKeyHealth` (exported for adapter authors); in words:
   * - It never touches the config itself: `revision`, `updatedAt` and every
   *   other field stay as they are.
   * - Atomic per record: after any set of concurrent calls the record is
   *   what applying them one after another gives; no failure is lost
   *   (`failureCount` grows by the sum of their counts), and exactly one
   *   call reports each transition.
   * - News about an older key (`change.keySetAt` before the stored one) only
   *   moves `lastUsedAt`; news about a newer key starts the record over for
   *   it (`ok`, no failures, no success), keeping `lastUsedAt`.
   * - Times only move forward: `lastUsedAt`, `lastFailureAt`,
   *   `lastSuccessAt` and `lastValidAt` become the later of stored and given.
   * - Failures make the key `failing` (the first one of a spell sets
   *   `firstFailureAt`, each adds to `failureCount`); a success (or a valid
   *   validation) at or after `lastFailureAt` makes it `ok` again, with
   *   `failureCount` 0 and `firstFailureAt` null. A success older than the
   *   last failure clears nothing.
   * - Writes `options.audit.failing` when the call moves the key from ok to
   *   failing, `options.audit.recovered` from failing to ok, in the same
   *   atomic step, under the tenant of the call; no event otherwise.
   * - `deleteConfig` removes the config's health record with it.
   */
  recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    options: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null>;

  /**
   * The health records of this tenant's configs among `configIds` (at most
   * 500), in any order; configs without one (never used, or another
   * tenant's) are simply absent. One round trip.
   */
  loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]>;
}

/** The method names every adapter must have; checked when a vault is created. */
export const STORAGE_ADAPTER_METHODS = [
  'createConfig',
  'getConfig',
  'listConfigs',
  'updateConfig',
  'deleteConfig',
  'loadCandidates',
  'loadSealedConfig',
  'listSealedConfigs',
  'swapSealedKeys',
  'listSealedConfigsAcrossTenants',
  'countKeysByKek',
  'importConfigs',
  'listAudit',
  'recordKeyHealth',
  'loadKeyHealth',
  ...SETTINGS_STORAGE_METHODS,
  ...COOLDOWN_STORAGE_METHODS,
  ...ACCESS_KEY_STORAGE_METHODS,
] as const satisfies readonly (keyof StorageAdapter)[];
