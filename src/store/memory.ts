/**
 * The embedded default store: everything in process memory, lost on exit.
 * Good for tests, demos and single-process hosts that reload keys elsewhere;
 * use a database adapter for anything that must survive a restart.
 *
 * Each config is held as one frozen {@link SealedConfigRecord} (its `kekId`
 * derived from its sealed key when the row is made), replaced whole by
 * every change. The sealed reads hand those frozen rows out as they are,
 * without a copy; the other reads return fresh copies without the key.
 * Per tenant, indexes by name and by (scope, provider) keep a filtered
 * resolution read independent of how many configs a tenant has.
 *
 * @module
 */
import { ConflictError } from '../errors.js';
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import { mergeKeyHealth } from './key-health.js';
import { InProcessCooldowns, type KeyCooldownRecord } from './cooldown-storage.js';
import { scopeChain } from '../resolve/scope.js';
import { isUsableCandidate, routesProvider } from './candidates.js';
import { copyConfigRecord, patchedFields, patchedSealedKeys } from './patch.js';
import { countKeysByKek, holdsKeyUnderOtherKek, pageAcrossTenants } from './key-counts.js';
import type {
  AccessKeyCandidates,
  AccessKeyQuery,
  AccessKeyRecord,
  AccessKeyUse,
  AccessKeyUseResult,
  AccessKeyUsageQuery,
  AccessKeyUsageRecord,
  TokenCharge,
} from './access-key-storage.js';
import type { PutSettingsOptions, SettingsRecord } from './settings-storage.js';
import type {
  AuditEvent,
  AuditQuery,
  CandidateFilter,
  SealedConfigRecord,
  ConfigImport,
  ConfigPatch,
  ConfigQuery,
  ConfigRecord,
  ImportOutcome,
  KeyCount,
  KeyHealthChange,
  KeyHealthRecord,
  KeyHealthResult,
  KeyHealthWriteOptions,
  Page,
  ScopePath,
  SealedConfigQuery,
  SealedKeySwap,
  StorageAdapter,
  StoreCapabilities,
  StoreSealedConfigQuery,
  UpdateOptions,
  WriteOptions,
} from './types.js';
import { byokitMessage } from '../message.js';
import { checkExpectedRevision, pageAfter } from './adapter-helpers.js';

/** A stored config: frozen, its `kekId` derived from its own `sealedKey`. */
type Row = Readonly<SealedConfigRecord>;

/** The sealed values of a row. */
type Sealed = Pick<SealedConfigRecord, 'sealedKey' | 'pendingSealedKey' | 'previousSealedKey'>;

/** No key in any slot. */
const NO_KEYS: Sealed = Object.freeze({ sealedKey: null, pendingSealedKey: null, previousSealedKey: null });

/** A frozen row for `record` and its sealed keys, with the KEK id the active sealed key names. */
function makeRow(record: ConfigRecord, sealed: Sealed): Row {
  const copy = copyConfigRecord(record) as SealedConfigRecord;
  Object.freeze(copy.routes);
  Object.freeze(copy.options);
  copy.kekId = sealedKekId(sealed.sealedKey);
  copy.sealedKey = sealed.sealedKey;
  copy.pendingSealedKey = sealed.pendingSealedKey;
  copy.previousSealedKey = sealed.previousSealedKey;
  return Object.freeze(copy);
}

/** The record as the plain reads return it: a fresh copy, no `sealedKey`. */
function readRecord(row: Row): ConfigRecord {
  return copyConfigRecord(row);
}

function copyEvent(event: AuditEvent): AuditEvent {
  return {
    ...event,
    actor: event.actor ? { ...event.actor } : null,
    changes: [...event.changes],
    detail: { ...event.detail },
  };
}

/** The quota counters of one access key: `[window id, count]` of the requests quota (`r`) and the token budget (`t`). */
interface Counters {
  r?: [string, number];
  t?: [string, number];
}

/** What the store holds for a tenant besides configs and audit. */
interface TenantState {
  settings?: SettingsRecord;
  keys: Map<string, AccessKeyRecord>;
  counters: Map<string, Counters>;
  usage: Map<string, AccessKeyUsageRecord>;
}

/** Inserts `id` into an ascending list (ids are time-ordered, so usually at the end). */
function insertSorted(list: string[], id: string): void {
  let low = 0;
  let high = list.length;
  if (high === 0 || list[high - 1]! < id) {
    list.push(id);
    return;
  }
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]! < id) low = mid + 1;
    else high = mid;
  }
  if (list[low] !== id) list.splice(low, 0, id);
}

function removeSorted(list: string[], id: string): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]! < id) low = mid + 1;
    else high = mid;
  }
  if (list[low] === id) list.splice(low, 1);
}

/** The list of `key` in `lists`, made empty when missing. */
function listOf(lists: Map<string, string[]>, key: string): string[] {
  let list = lists.get(key);
  if (!list) {
    list = [];
    lists.set(key, list);
  }
  return list;
}

/** One scope's configs: all ids, ids per provider, custom endpoints' ids per routed provider (all ascending), and its default(s). */
interface ScopeIndex {
  ids: string[];
  byProvider: Map<string, string[]>;
  byRoute: Map<string, string[]>;
  /** Normally one id at most; a row put behind the store (test seam) may add a second. */
  defaults: Set<string>;
}

/** One tenant's configs and the indexes the filtered resolution read walks. */
class TenantRows {
  readonly rows = new Map<string, Row>();
  readonly names = new Map<string, string>();
  readonly scopes = new Map<ScopePath, ScopeIndex>();
  /** Each config's key health record, apart from its row: health never touches the config. */
  readonly health = new Map<string, KeyHealthRecord>();

  #scope(scope: ScopePath): ScopeIndex {
    let index = this.scopes.get(scope);
    if (!index) {
      index = { ids: [], byProvider: new Map(), byRoute: new Map(), defaults: new Set() };
      this.scopes.set(scope, index);
    }
    return index;
  }

  add(row: Row): void {
    this.rows.set(row.id, row);
    this.names.set(row.name, row.id);
    const scope = this.#scope(row.scope);
    insertSorted(scope.ids, row.id);
    insertSorted(listOf(scope.byProvider, row.provider), row.id);
    if (row.provider === 'custom') for (const route of row.routes) insertSorted(listOf(scope.byRoute, route), row.id);
    if (row.isDefault) scope.defaults.add(row.id);
  }

  remove(row: Row): void {
    this.rows.delete(row.id);
    if (this.names.get(row.name) === row.id) this.names.delete(row.name);
    const scope = this.scopes.get(row.scope);
    if (!scope) return;
    removeSorted(scope.ids, row.id);
    removeSorted(listOf(scope.byProvider, row.provider), row.id);
    if (row.provider === 'custom') for (const route of row.routes) removeSorted(listOf(scope.byRoute, route), row.id);
    scope.defaults.delete(row.id);
  }

  /** Replaces a row with its next version, touching the indexes only when an indexed field changed. */
  replace(previous: Row, next: Row): void {
    const indexed =
      previous.scope === next.scope &&
      previous.provider === next.provider &&
      previous.name === next.name &&
      previous.isDefault === next.isDefault &&
      previous.routes.join('\u0000') === next.routes.join('\u0000');
    if (indexed) this.rows.set(next.id, next);
    else {
      this.remove(previous);
      this.add(next);
    }
  }

  /** Clears `isDefault` on every other config of `scope`. */
  clearOtherDefaults(scope: ScopePath, keepId: string): void {
    for (const id of [...(this.scopes.get(scope)?.defaults ?? [])]) {
      const row = this.rows.get(id);
      if (id !== keepId && row) this.replace(row, Object.freeze({ ...row, isDefault: false }));
    }
  }

  /**
   * The first usable row of one group of a scope: its default(s) first,
   * then `ids` newest first. `belongs` says which rows the group holds.
   */
  #firstUsable(
    scope: ScopeIndex,
    ids: readonly string[] | undefined,
    belongs: (row: Row) => boolean,
    now: string,
  ): Row | null {
    if (scope.defaults.size > 0) {
      for (const id of [...scope.defaults].sort().reverse()) {
        const row = this.rows.get(id);
        if (row && belongs(row) && isUsableCandidate(row, now)) return row;
      }
    }
    if (!ids) return null;
    for (let i = ids.length - 1; i >= 0; i--) {
      const row = this.rows.get(ids[i]!)!;
      if (!row.isDefault && belongs(row) && isUsableCandidate(row, now)) return row;
    }
    return null;
  }

  /** The winner of the resolution walk (see `StorageAdapter.loadCandidates`), walking the indexes. */
  winner(scopes: readonly ScopePath[], provider: string | null, now: string): Row | null {
    for (const name of scopes) {
      const scope = this.scopes.get(name);
      if (!scope) continue;
      const found =
        provider === null
          ? this.#firstUsable(scope, scope.ids, () => true, now)
          : (this.#firstUsable(scope, scope.byRoute.get(provider), (row) => routesProvider(row, provider), now) ??
            this.#firstUsable(scope, scope.byProvider.get(provider), (row) => row.provider === provider, now));
      if (found) return found;
    }
    return null;
  }
}

/**
 * In-memory {@link StorageAdapter}. Every method applies its whole change
 * synchronously before its promise settles, so concurrent calls never
 * interleave inside one change: defaults stay exclusive and names unique.
 *
 * @example
 * ```ts
 * const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
 * ```
 */
export class MemoryStore implements StorageAdapter {
  readonly name = 'memory';
  readonly capabilities: StoreCapabilities = { transactions: true };

  readonly #tenants = new Map<string, TenantRows>();
  readonly #audit = new Map<string, AuditEvent[]>();
  /** Cooldowns live in process: this store is not shared between processes. */
  readonly #cooldowns = new InProcessCooldowns();
  /** Per tenant: its settings, access keys, quota counters (by key id) and usage (by `period:keyId`). */
  readonly #state = new Map<string, TenantState>();
  /** Access key id → its tenant: the token names no tenant. */
  readonly #keyTenants = new Map<string, string>();

  #tenant(tenantId: string): TenantRows {
    let rows = this.#tenants.get(tenantId);
    if (!rows) {
      rows = new TenantRows();
      this.#tenants.set(tenantId, rows);
    }
    return rows;
  }

  /**
   * Appends an audit event (under the calling tenant, whatever the event
   * says). Called before a change is applied, so a
   * failure here (a subclass may throw, as the fail-closed tests do) leaves
   * the store untouched.
   */
  protected appendAudit(event: AuditEvent): void {
    const events = this.#audit.get(event.tenantId) ?? [];
    events.push(copyEvent(event));
    this.#audit.set(event.tenantId, events);
  }

  /** Appends all of `events` under `tenantId`, or none of them: a failure takes back the ones appended. */
  #appendAll(tenantId: string, events: readonly AuditEvent[]): void {
    const before = this.#audit.get(tenantId)?.length ?? 0;
    try {
      for (const event of events) this.appendAudit({ ...event, tenantId });
    } catch (error) {
      this.#audit.get(tenantId)?.splice(before);
      throw error;
    }
  }

  #assertNameFree(tenant: TenantRows, name: string, exceptId?: string): void {
    const owner = tenant.names.get(name);
    if (owner !== undefined && owner !== exceptId) {
      throw new ConflictError(
        'NAME_TAKEN',
        byokitMessage('memory', `a config named "${name}" already exists in this tenant`),
      );
    }
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    const tenant = this.#tenant(record.tenantId);
    this.#assertNameFree(tenant, record.name);
    this.appendAudit({ ...audit, tenantId: record.tenantId });
    if (record.isDefault) tenant.clearOtherDefaults(record.scope, record.id);
    const previous = tenant.rows.get(record.id);
    if (previous) tenant.remove(previous);
    const row = makeRow(record, NO_KEYS);
    tenant.add(row);
    return readRecord(row);
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    const row = this.#tenants.get(tenantId)?.rows.get(id);
    return row ? readRecord(row) : null;
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const rows = [...(this.#tenants.get(tenantId)?.rows.values() ?? [])]
      .filter((r) => query.scope === undefined || r.scope === query.scope)
      .filter((r) => query.provider === undefined || r.provider === query.provider)
      .filter((r) => query.kekIdNot === undefined || (r.sealedKey !== null && r.kekId !== query.kekIdNot))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = pageAfter(rows, query.cursor, query.limit);
    return { items: page.items.map(readRecord), nextCursor: page.nextCursor };
  }

  async updateConfig(
    tenantId: string,
    id: string,
    patch: ConfigPatch,
    options: UpdateOptions,
  ): Promise<ConfigRecord | null> {
    const tenant = this.#tenants.get(tenantId);
    const row = tenant?.rows.get(id);
    if (!tenant || !row) return null;
    checkExpectedRevision('memory', row, options.expectedRevision);
    const fields = patchedFields(patch);
    if (fields.name !== undefined) this.#assertNameFree(tenant, fields.name, id);
    this.appendAudit({ ...options.audit, tenantId });
    const next = makeRow({ ...row, ...fields, revision: row.revision + 1 }, patchedSealedKeys(row, patch));
    if (next.isDefault) tenant.clearOtherDefaults(next.scope, id);
    tenant.replace(row, next);
    return readRecord(next);
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    const tenant = this.#tenants.get(tenantId);
    const row = tenant?.rows.get(id);
    if (!tenant || !row) return false;
    this.appendAudit({ ...audit, tenantId });
    tenant.remove(row);
    tenant.health.delete(id);
    return true;
  }

  async loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    const tenant = this.#tenants.get(tenantId);
    if (!tenant) return [];
    const chain = [...new Set(scopes)];
    if (!filter)
      return chain.flatMap((scope) => (tenant.scopes.get(scope)?.ids ?? []).map((id) => tenant.rows.get(id)!));
    const out: Row[] = [];
    const config = filter.config;
    if (config !== null) {
      for (const row of [tenant.rows.get(config), tenant.rows.get(tenant.names.get(config) ?? '')]) {
        if (row && chain.includes(row.scope) && !out.includes(row)) out.push(row);
      }
      if (filter.provider === null) return out;
    }
    const winner = tenant.winner(chain, filter.provider, filter.now);
    if (winner && !out.includes(winner)) out.push(winner);
    if (winner && filter.pool === true && winner.provider === filter.provider) {
      for (const id of tenant.scopes.get(winner.scope)?.byProvider.get(winner.provider) ?? []) {
        const row = tenant.rows.get(id)!;
        if (!out.includes(row) && isUsableCandidate(row, filter.now)) out.push(row);
      }
    }
    return out;
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    return this.#tenants.get(tenantId)?.rows.get(id) ?? null;
  }

  async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const rows = [...(this.#tenants.get(tenantId)?.rows.values() ?? [])]
      .filter((row) => holdsKeyUnderOtherKek(row, query.kekIdNot))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageAfter<SealedConfigRecord>(rows, query.cursor, query.limit);
  }

  async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    return pageAcrossTenants<SealedConfigRecord>(this.#allRows(), query);
  }

  async countKeysByKek({ now }: { now: string }): Promise<KeyCount[]> {
    return countKeysByKek(
      [...this.#allRows()].map((entry) => entry.row),
      now,
    );
  }

  /** Every stored row with the tenant it is filed under. */
  *#allRows(): Iterable<{ tenantId: string; row: Row }> {
    for (const [tenantId, tenant] of this.#tenants) for (const row of tenant.rows.values()) yield { tenantId, row };
  }

  async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    const tenant = this.#tenants.get(tenantId);
    return swaps.map((swap) => {
      const row = tenant?.rows.get(swap.id);
      if (!tenant || !row || row.sealedKey === null || row.sealedKey !== swap.from) return false;
      this.appendAudit({ ...swap.audit, tenantId });
      tenant.replace(
        row,
        makeRow({ ...row, updatedAt: swap.updatedAt, revision: row.revision + 1 }, { ...row, sealedKey: swap.to }),
      );
      return true;
    });
  }

  async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    const tenant = this.#tenant(tenantId);
    return items.map(({ record, sealedKey, audit }): ImportOutcome => {
      const scope = tenant.scopes.get(record.scope);
      const conflict =
        tenant.rows.has(record.id) ||
        tenant.names.has(record.name) ||
        (record.isDefault && (scope?.defaults.size ?? 0) > 0);
      if (conflict) return 'conflict';
      this.#appendAll(tenantId, audit);
      tenant.add(makeRow({ ...record, tenantId }, { ...NO_KEYS, sealedKey }));
      return 'created';
    });
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const events = (this.#audit.get(tenantId) ?? [])
      .filter((e) => query.configId === undefined || e.configId === query.configId)
      .filter((e) => query.type === undefined || e.type === query.type)
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const page = pageAfter(events, query.cursor, query.limit, 'descending');
    return { items: page.items.map(copyEvent), nextCursor: page.nextCursor };
  }

  async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    { audit }: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    const tenant = this.#tenants.get(tenantId);
    if (!tenant?.rows.has(configId)) return null;
    const result = mergeKeyHealth(tenant.health.get(configId) ?? null, tenantId, configId, change);
    if (result.transition) this.appendAudit({ ...audit[result.transition], tenantId });
    tenant.health.set(configId, result.health);
    return { health: { ...result.health }, transition: result.transition };
  }

  async putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void> {
    this.#cooldowns.put(tenantId, cooldown, new Date().toISOString());
  }

  async loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]> {
    return this.#cooldowns.load(tenantId, configIds, now);
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    const tenant = this.#tenants.get(tenantId);
    const out: KeyHealthRecord[] = [];
    for (const id of new Set(configIds)) {
      const health = tenant?.health.get(id);
      if (health) out.push({ ...health });
    }
    return out;
  }

  /** The tenant's state, created on first write. */
  #of(tenantId: string): TenantState {
    const state = this.#state.get(tenantId) ?? { keys: new Map(), counters: new Map(), usage: new Map() };
    this.#state.set(tenantId, state);
    return state;
  }

  async getSettings(tenantId: string): Promise<SettingsRecord | null> {
    return structuredClone(this.#state.get(tenantId)?.settings ?? null);
  }

  async putSettings(record: SettingsRecord, { audit, expectedRevision }: PutSettingsOptions): Promise<SettingsRecord> {
    if ((this.#state.get(record.tenantId)?.settings?.revision ?? 0) !== expectedRevision) {
      throw new ConflictError(
        'CONCURRENT_UPDATE',
        byokitMessage('memory', `the settings of tenant "${record.tenantId}" changed since they were read`),
      );
    }
    this.appendAudit({ ...audit, tenantId: record.tenantId });
    this.#of(record.tenantId).settings = structuredClone(record);
    return structuredClone(record);
  }

  async createAccessKey(record: AccessKeyRecord, { audit }: WriteOptions): Promise<AccessKeyRecord> {
    this.appendAudit({ ...audit, tenantId: record.tenantId });
    this.#of(record.tenantId).keys.set(record.id, structuredClone(record));
    this.#keyTenants.set(record.id, record.tenantId);
    return structuredClone(record);
  }

  async getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null> {
    return structuredClone(this.#state.get(tenantId)?.keys.get(id) ?? null);
  }

  async listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>> {
    const records = [...(this.#state.get(tenantId)?.keys.values() ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1));
    return structuredClone(pageAfter(records, query.cursor, query.limit));
  }

  async revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    { audit }: WriteOptions,
  ): Promise<AccessKeyRecord | null> {
    const record = this.#state.get(tenantId)?.keys.get(id) ?? null;
    if (record && record.revokedAt === null) {
      this.appendAudit({ ...audit, tenantId });
      record.revokedAt = revokedAt;
    }
    return structuredClone(record);
  }

  async loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null> {
    const tenantId = this.#keyTenants.get(id) ?? '';
    const accessKey = await this.getAccessKey(tenantId, id);
    if (!accessKey) return null;
    return {
      accessKey,
      candidates: await this.loadCandidates(tenantId, scopeChain(accessKey.scope)),
      settings: await this.getSettings(tenantId),
    };
  }

  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    // No await between the checks and the counts: concurrent calls can't interleave inside one.
    const c = this.#countersOf(tenantId, id);
    // A window id other than the stored one is a new window: its count starts at 0.
    const requests = use.requests && c.r?.[0] === use.requests.window ? c.r[1] : 0;
    const tokens = use.tokens && c.t?.[0] === use.tokens.window ? c.t[1] : 0;
    const exceeded =
      use.tokens && tokens >= use.tokens.limit
        ? 'tokens'
        : use.requests && requests >= use.requests.limit
          ? 'requests'
          : null;
    if (exceeded) return { exceeded, requests, tokens };
    if (use.requests) c.r = [use.requests.window, requests + 1];
    this.#usageOf(tenantId, id, use.period).requests += 1;
    return { exceeded, requests: use.requests ? requests + 1 : 0, tokens };
  }

  async chargeAccessKeyTokens(tenantId: string, id: string, { period, tokens, window }: TokenCharge): Promise<void> {
    this.#usageOf(tenantId, id, period).tokens += tokens;
    const c = this.#countersOf(tenantId, id);
    if (window !== undefined) c.t = [window, (c.t?.[0] === window ? c.t[1] : 0) + tokens];
  }

  /** The key's counters, created empty on first use. */
  #countersOf(tenantId: string, id: string): Counters {
    const { counters } = this.#of(tenantId);
    const c = counters.get(id) ?? {};
    counters.set(id, c);
    return c;
  }

  #usageOf(tenantId: string, keyId: string, period: string): AccessKeyUsageRecord {
    const { usage } = this.#of(tenantId);
    const record = usage.get(`${period}:${keyId}`) ?? { tenantId, keyId, period, requests: 0, tokens: 0 };
    usage.set(`${period}:${keyId}`, record);
    return record;
  }

  async listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>> {
    const rows = [...(this.#state.get(tenantId)?.usage.values() ?? [])]
      .filter(
        (u) => (query.keyId ?? u.keyId) === u.keyId && u.period >= (query.from ?? '') && u.period <= (query.to ?? '~'),
      )
      .map((u) => ({ ...u, id: `${u.period}:${u.keyId}` }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = pageAfter(rows, query.cursor, query.limit);
    return { items: page.items.map(({ id: _id, ...usage }) => usage), nextCursor: page.nextCursor };
  }

  /**
   * Test-only raw view of what is held for a tenant, sealed keys included,
   * for the conformance suite's look behind the adapter.
   */
  inspectRaw(tenantId: string): {
    /** The tenant's rows, sealed keys included. */
    configs: SealedConfigRecord[];
    /** The tenant's audit events. */
    audit: AuditEvent[];
    /** Every other tenant id held. */
    otherTenants: string[];
    /** Everything else held for the tenant (health, settings, access keys), as stored. */
    state: unknown;
  } {
    return {
      configs: [...(this.#tenants.get(tenantId)?.rows.values() ?? [])].map((row) => ({
        ...readRecord(row),
        sealedKey: row.sealedKey,
        pendingSealedKey: row.pendingSealedKey,
        previousSealedKey: row.previousSealedKey,
      })),
      audit: (this.#audit.get(tenantId) ?? []).map(copyEvent),
      otherTenants: [...this.#tenants.keys(), ...this.#audit.keys(), ...this.#state.keys()].filter(
        (t) => t !== tenantId,
      ),
      // Settings, access keys, counters and usage, as held.
      state: structuredClone(this.#state.get(tenantId)),
    };
  }

  /**
   * Test-only raw write: files `row` under `tenantId` exactly as given (its
   * own `tenantId` and `id` fields included, whatever they say), replacing
   * any row of that id. For tests that tamper with what is stored behind the
   * adapter, such as a row copied into another tenant; never needed otherwise.
   */
  putRaw(tenantId: string, row: SealedConfigRecord): void {
    const { sealedKey, pendingSealedKey, previousSealedKey, ...record } = row;
    const tenant = this.#tenant(tenantId);
    const previous = tenant.rows.get(row.id);
    if (previous) tenant.remove(previous);
    tenant.add(
      makeRow(record, {
        sealedKey,
        pendingSealedKey: pendingSealedKey ?? null,
        previousSealedKey: previousSealedKey ?? null,
      }),
    );
  }
}
