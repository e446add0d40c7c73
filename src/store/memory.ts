/**
 * The embedded default store: everything in process memory, lost on exit.
 * Good for tests, demos and single-process hosts that reload keys from
 * elsewhere; use a database adapter for anything that must survive a restart.
 *
 * @module
 */
import { ConflictError } from '../errors.js';
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import { mergeKeyHealth } from './key-health.js';
import { scopeChain } from '../resolve/scope.js';
import { copyConfigRecord, patchedFields, storedRecord } from './patch.js';
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
  CandidateRecord,
  ConfigPatch,
  ConfigQuery,
  ConfigRecord,
  KeyHealthChange,
  KeyHealthRecord,
  KeyHealthResult,
  KeyHealthWriteOptions,
  Page,
  ScopePath,
  StorageAdapter,
  StoreCapabilities,
  UpdateOptions,
  WriteOptions,
} from './types.js';

interface StoredRow {
  record: ConfigRecord;
  sealedKey: string | null;
  /** The key's health record, kept with the row so it goes when the row goes. */
  health?: KeyHealthRecord;
}

const copyRecord = copyConfigRecord;

/** The record as reads return it: `kekId` from the sealed value, whatever the record says. */
function readRecord(row: StoredRow): ConfigRecord {
  return storedRecord(row.record, row.sealedKey);
}

function readCandidate(row: StoredRow): CandidateRecord {
  return { ...readRecord(row), sealedKey: row.sealedKey };
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

/** Takes the first `limit` items after `cursor` (an id) in an id-sorted list. */
function pageById<T extends { id: string }>(sorted: T[], cursor: string | undefined, limit: number, descending: boolean): Page<T> {
  const after = cursor === undefined ? sorted : sorted.filter((item) => (descending ? item.id < cursor : item.id > cursor));
  const items = after.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: after.length > limit && last ? last.id : null };
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

  readonly #tenants = new Map<string, Map<string, StoredRow>>();
  readonly #audit = new Map<string, AuditEvent[]>();
  /** Per tenant: its settings, access keys, quota counters (by key id) and usage (by `period:keyId`). */
  readonly #state = new Map<string, TenantState>();
  /** Access key id → its tenant: the token names no tenant. */
  readonly #keyTenants = new Map<string, string>();

  #rows(tenantId: string): Map<string, StoredRow> {
    let rows = this.#tenants.get(tenantId);
    if (!rows) {
      rows = new Map();
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

  #assertNameFree(rows: Map<string, StoredRow>, name: string, exceptId?: string): void {
    for (const row of rows.values()) {
      if (row.record.name === name && row.record.id !== exceptId) {
        throw new ConflictError('NAME_TAKEN', `[byokit] [memory] a config named "${name}" already exists in this tenant`);
      }
    }
  }

  #clearOtherDefaults(rows: Map<string, StoredRow>, scope: ScopePath, keepId: string): void {
    for (const row of rows.values()) {
      if (row.record.scope === scope && row.record.id !== keepId && row.record.isDefault) {
        row.record = { ...row.record, isDefault: false };
      }
    }
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    const rows = this.#rows(record.tenantId);
    this.#assertNameFree(rows, record.name);
    this.appendAudit({ ...audit, tenantId: record.tenantId });
    if (record.isDefault) this.#clearOtherDefaults(rows, record.scope, record.id);
    const row: StoredRow = { record: copyRecord(record), sealedKey: null };
    rows.set(record.id, row);
    return readRecord(row);
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    const row = this.#tenants.get(tenantId)?.get(id);
    return row ? readRecord(row) : null;
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const rows = [...(this.#tenants.get(tenantId)?.values() ?? [])]
      .filter(({ record: r }) => query.scope === undefined || r.scope === query.scope)
      .filter(({ record: r }) => query.provider === undefined || r.provider === query.provider)
      .filter((row) => query.kekIdNot === undefined || (row.sealedKey !== null && sealedKekId(row.sealedKey) !== query.kekIdNot))
      .map(readRecord)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = pageById(rows, query.cursor, query.limit, false);
    return { items: page.items, nextCursor: page.nextCursor };
  }

  async updateConfig(tenantId: string, id: string, patch: ConfigPatch, options: UpdateOptions): Promise<ConfigRecord | null> {
    const rows = this.#tenants.get(tenantId);
    const row = rows?.get(id);
    if (!rows || !row) return null;
    if (options.expectedRevision !== undefined && row.record.revision !== options.expectedRevision) {
      throw new ConflictError('CONCURRENT_UPDATE', `[byokit] [memory] config ${id} changed since it was read`);
    }
    const fields = patchedFields(patch);
    if (fields.name !== undefined) this.#assertNameFree(rows, fields.name, id);
    this.appendAudit({ ...options.audit, tenantId });
    const next: ConfigRecord = copyRecord({ ...row.record, ...fields, revision: row.record.revision + 1 });
    const { sealedKey } = patch;
    if (next.isDefault) this.#clearOtherDefaults(rows, next.scope, id);
    const stored: StoredRow = { record: next, sealedKey: sealedKey === undefined ? row.sealedKey : sealedKey, ...(row.health ? { health: row.health } : {}) };
    rows.set(id, stored);
    return readRecord(stored);
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    const rows = this.#tenants.get(tenantId);
    if (!rows?.has(id)) return false;
    this.appendAudit({ ...audit, tenantId });
    rows.delete(id);
    return true;
  }

  async loadCandidates(tenantId: string, scopes: readonly ScopePath[]): Promise<CandidateRecord[]> {
    const wanted = new Set(scopes);
    return [...(this.#tenants.get(tenantId)?.values() ?? [])].filter((row) => wanted.has(row.record.scope)).map(readCandidate);
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<CandidateRecord | null> {
    const row = this.#tenants.get(tenantId)?.get(id);
    return row ? readCandidate(row) : null;
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const events = (this.#audit.get(tenantId) ?? [])
      .filter((e) => query.configId === undefined || e.configId === query.configId)
      .filter((e) => query.type === undefined || e.type === query.type)
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const page = pageById(events, query.cursor, query.limit, true);
    return { items: page.items.map(copyEvent), nextCursor: page.nextCursor };
  }

  async recordKeyHealth(tenantId: string, configId: string, change: KeyHealthChange, { audit }: KeyHealthWriteOptions): Promise<KeyHealthResult | null> {
    const row = this.#tenants.get(tenantId)?.get(configId);
    if (!row) return null;
    const result = mergeKeyHealth(row.health ?? null, tenantId, configId, change);
    if (result.transition) this.appendAudit({ ...audit[result.transition], tenantId });
    row.health = result.health;
    return { health: { ...result.health }, transition: result.transition };
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    const rows = this.#tenants.get(tenantId);
    const out: KeyHealthRecord[] = [];
    for (const id of new Set(configIds)) {
      const health = rows?.get(id)?.health;
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
      throw new ConflictError('CONCURRENT_UPDATE', `[byokit] [memory] the settings of tenant "${record.tenantId}" changed since they were read`);
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
    return structuredClone(pageById(records, query.cursor, query.limit, false));
  }

  async revokeAccessKey(tenantId: string, id: string, revokedAt: string, { audit }: WriteOptions): Promise<AccessKeyRecord | null> {
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
    return { accessKey, candidates: await this.loadCandidates(tenantId, scopeChain(accessKey.scope)), settings: await this.getSettings(tenantId) };
  }

  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    // No await between the checks and the counts: concurrent calls can't interleave inside one.
    const c = this.#countersOf(tenantId, id);
    // A window id other than the stored one is a new window: its count starts at 0.
    const requests = use.requests && c.r?.[0] === use.requests.window ? c.r[1] : 0;
    const tokens = use.tokens && c.t?.[0] === use.tokens.window ? c.t[1] : 0;
    const exceeded = use.tokens && tokens >= use.tokens.limit ? 'tokens' : use.requests && requests >= use.requests.limit ? 'requests' : null;
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
      .filter((u) => (query.keyId ?? u.keyId) === u.keyId && u.period >= (query.from ?? '') && u.period <= (query.to ?? '~'))
      .map((u) => ({ ...u, id: `${u.period}:${u.keyId}` }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = pageById(rows, query.cursor, query.limit, false);
    return { items: page.items.map(({ id: _id, ...usage }) => usage), nextCursor: page.nextCursor };
  }

  /**
   * Test-only raw view of what is held for a tenant, sealed keys included,
   * for the conformance suite's look behind the adapter.
   */
  inspectRaw(tenantId: string): { configs: CandidateRecord[]; audit: AuditEvent[]; otherTenants: string[]; state: unknown } {
    return {
      configs: [...(this.#tenants.get(tenantId)?.values() ?? [])].map(readCandidate),
      audit: (this.#audit.get(tenantId) ?? []).map(copyEvent),
      otherTenants: [...this.#tenants.keys(), ...this.#audit.keys(), ...this.#state.keys()].filter((t) => t !== tenantId),
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
  putRaw(tenantId: string, row: CandidateRecord): void {
    const { sealedKey, ...record } = row;
    this.#rows(tenantId).set(row.id, { record: copyRecord(record), sealedKey });
  }
}
