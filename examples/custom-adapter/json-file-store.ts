/**
 * A storage adapter written the way a byokit user would write their own:
 * every tenant's configs and audit events in one JSON file. Only public
 * names are imported (`byokit/adapter`, the entry for adapter authors:
 * the storage contract and the helpers every adapter needs), and `custom-adapter.test.ts` runs the
 * published conformance suite (`byokit/testing`) on it.
 *
 * How it keeps the rules:
 * - Every change runs under an in-process mutex: read the file, apply the
 *   change and its audit event to the in-memory copy, write the copy back.
 *   So a change and its event land together, names stay unique and the
 *   default stays exclusive, also under concurrent calls.
 * - The file is replaced atomically (write a temp file, then rename), so a
 *   reader or a crash sees the old file or the new one, never half of one.
 * - A failed rule (name taken, stale revision) throws before anything is
 *   written.
 * - The KEK id is never stored: every read derives it from the sealed key
 *   (`storedRecord`, `sealedKekId`), so a record can't claim a KEK its
 *   sealed key does not name.
 * - Key health sits beside each config (never inside its record, so its
 *   revision stays put) and changes by `mergeKeyHealth` under the same
 *   mutex, so concurrent reports lose nothing.
 * - The filtered resolution read uses byokit's own rule (`selectCandidates`)
 *   over the tenant's configs: it returns only the rows that can win.
 * - Key cooldowns (key pools) stay in process, in byokit's bounded
 *   `InProcessCooldowns`: a file is no place for facts that expire in
 *   seconds. A store shared by processes would keep them there instead.
 * - Key swaps (rewrap) and imports are changes like any other: under the
 *   mutex, every check first, one file write for the whole batch.
 * - The store-wide reads of a KEK rotation (every tenant's keys under an
 *   old KEK, counts per KEK) use byokit's helpers (`pageAcrossTenants`,
 *   `countKeysByKek`) over the whole file.
 *
 * Good for one process and small numbers of configs; the whole file is
 * rewritten on every change. Use the SQLite adapter for more.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  applyConfigPatch,
  checkExpectedRevision,
  ConflictError,
  InProcessCooldowns,
  countKeysByKek,
  holdsKeyUnderOtherKek,
  mergeKeyHealth,
  pageAcrossTenants,
  pageAfter,
  patchedFields,
  patchedSealedKeys,
  scopeChain,
  sealedKekId,
  selectCandidates,
  storeMessage,
  storedRecord,
} from 'byokit/adapter';
import type {
  KeyCooldownRecord,
  AccessKeyCandidates,
  AccessKeyQuery,
  AccessKeyRecord,
  AccessKeyUse,
  AccessKeyUseResult,
  AccessKeyUsageQuery,
  AccessKeyUsageRecord,
  PutSettingsOptions,
  SettingsRecord,
  TokenCharge,
  AuditEvent,
  AuditQuery,
  CandidateFilter,
  SealedConfigRecord,
  ConfigImport,
  ConfigPatch,
  ConfigQuery,
  ConfigRecord,
  ImportOutcome,
  KeyHealthChange,
  KeyHealthRecord,
  KeyHealthResult,
  KeyHealthWriteOptions,
  Page,
  ScopePath,
  SealedConfigQuery,
  SealedKeySwap,
  KeyCount,
  StoreSealedConfigQuery,
  StorageAdapter,
  StoreCapabilities,
  UpdateOptions,
  WriteOptions,
} from 'byokit/adapter';

interface StoredConfig {
  record: ConfigRecord;
  sealedKey: string | null;
  /** The keys of a staged rotation, sealed like `sealedKey` (absent in files written before they existed). */
  pendingSealedKey?: string | null;
  previousSealedKey?: string | null;
  /** The key's health (traffic and validation), kept with the config so it goes with it. */
  health?: KeyHealthRecord;
}

/** The quota counters of one access key: `[window id, count]` of the requests quota and the token budget. */
interface Counters {
  requests?: [string, number];
  tokens?: [string, number];
}

/**
 * The whole file: per tenant, configs by id, audit events, the settings
 * document, access keys by id, their counters and their usage by
 * `period:keyId`.
 */
interface FileState {
  tenants: Record<
    string,
    {
      configs: Record<string, StoredConfig>;
      audit: AuditEvent[];
      settings?: SettingsRecord;
      accessKeys?: Record<string, AccessKeyRecord>;
      counters?: Record<string, Counters>;
      usage?: Record<string, AccessKeyUsageRecord>;
    }
  >;
}

/** Runs async functions one at a time, in call order. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** A {@link StorageAdapter} over one JSON file. */
export class JsonFileStore implements StorageAdapter {
  readonly name = 'json-file';
  /** A change and its audit event are written in one atomic file replace. */
  readonly capabilities: StoreCapabilities = { transactions: true };

  readonly #path: string;
  readonly #lock = new Mutex();

  /** @param path - the JSON file; created on the first change. */
  constructor(path: string) {
    this.#path = path;
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    return this.#change((state) => {
      const tenant = tenantOf(state, record.tenantId);
      if (Object.values(tenant.configs).some((c) => c.record.name === record.name)) {
        throw new ConflictError(
          'NAME_TAKEN',
          storeMessage('json-file', `a config of that name already exists in this tenant`),
        );
      }
      if (record.isDefault) clearDefaults(tenant.configs, record.scope, record.id);
      tenant.configs[record.id] = { record: structuredClone(record), sealedKey: null };
      tenant.audit.push({ ...structuredClone(audit), tenantId: record.tenantId });
      return { value: storedRecord(record, null), write: true };
    });
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    const stored = (await this.#read()).tenants[tenantId]?.configs[id];
    return stored ? storedRecord(stored.record, stored.sealedKey) : null;
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const records = Object.values((await this.#read()).tenants[tenantId]?.configs ?? {})
      .filter((c) => query.scope === undefined || c.record.scope === query.scope)
      .filter((c) => query.provider === undefined || c.record.provider === query.provider)
      .filter(
        (c) => query.kekIdNot === undefined || (c.sealedKey !== null && sealedKekId(c.sealedKey) !== query.kekIdNot),
      )
      .map((c) => storedRecord(c.record, c.sealedKey))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageAfter(records, query.cursor, query.limit);
  }

  async updateConfig(
    tenantId: string,
    id: string,
    patch: ConfigPatch,
    options: UpdateOptions,
  ): Promise<ConfigRecord | null> {
    return this.#change((state) => {
      const tenant = state.tenants[tenantId];
      const stored = tenant?.configs[id];
      if (!tenant || !stored) return { value: null, write: false };
      checkExpectedRevision('json-file', stored.record, options.expectedRevision);
      // Only the fields an update may change, and only those the patch sets.
      const defined = patchedFields(patch);
      if (
        defined.name !== undefined &&
        Object.values(tenant.configs).some((c) => c.record.id !== id && c.record.name === defined.name)
      ) {
        throw new ConflictError(
          'NAME_TAKEN',
          storeMessage('json-file', `a config of that name already exists in this tenant`),
        );
      }
      const record = applyConfigPatch(stored.record, patch);
      if (record.isDefault) clearDefaults(tenant.configs, record.scope, id);
      const next: StoredConfig = { ...stored, record, ...patchedSealedKeys(candidateOf(stored), patch) };
      tenant.configs[id] = next;
      tenant.audit.push({ ...structuredClone(options.audit), tenantId });
      return { value: storedRecord(next.record, next.sealedKey), write: true };
    });
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    return this.#change((state) => {
      const tenant = state.tenants[tenantId];
      if (!tenant?.configs[id]) return { value: false, write: false };
      delete tenant.configs[id];
      tenant.audit.push({ ...structuredClone(audit), tenantId });
      return { value: true, write: true };
    });
  }

  async loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    const rows = Object.values((await this.#read()).tenants[tenantId]?.configs ?? {}).map(candidateOf);
    return selectCandidates(rows, scopes, filter);
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    const stored = (await this.#read()).tenants[tenantId]?.configs[id];
    return stored ? candidateOf(stored) : null;
  }

  async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const rows = Object.values((await this.#read()).tenants[tenantId]?.configs ?? {})
      .map(candidateOf)
      .filter((c) => holdsKeyUnderOtherKek(c, query.kekIdNot))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return pageAfter(rows, query.cursor, query.limit);
  }

  /** The store-wide walk of a KEK rotation, by byokit's own helper over every tenant's configs. */
  async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    return pageAcrossTenants(this.#everyConfig(await this.#read()), query);
  }

  async countKeysByKek({ now }: { now: string }): Promise<KeyCount[]> {
    return countKeysByKek(
      [...this.#everyConfig(await this.#read())].map((e) => e.row),
      now,
    );
  }

  /** Every config of the file, as a candidate, with the tenant it is filed under. */
  *#everyConfig(state: FileState): Iterable<{ tenantId: string; row: SealedConfigRecord }> {
    for (const [tenantId, tenant] of Object.entries(state.tenants))
      for (const stored of Object.values(tenant.configs)) yield { tenantId, row: candidateOf(stored) };
  }

  async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    return this.#change((state) => {
      const tenant = state.tenants[tenantId];
      const applied = swaps.map((swap) => {
        const stored = tenant?.configs[swap.id];
        // Compare-and-swap on the sealed key itself: a key replaced meanwhile is left alone.
        if (!tenant || !stored || stored.sealedKey === null || stored.sealedKey !== swap.from) return false;
        stored.sealedKey = swap.to;
        stored.record = applyConfigPatch(stored.record, { updatedAt: swap.updatedAt });
        tenant.audit.push({ ...structuredClone(swap.audit), tenantId });
        return true;
      });
      return { value: applied, write: applied.includes(true) };
    });
  }

  async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    return this.#change((state) => {
      const tenant = tenantOf(state, tenantId);
      const outcomes = items.map(({ record, sealedKey, audit }): ImportOutcome => {
        const configs = Object.values(tenant.configs);
        const taken =
          record.id in tenant.configs ||
          configs.some((c) => c.record.name === record.name) ||
          (record.isDefault && configs.some((c) => c.record.scope === record.scope && c.record.isDefault));
        if (taken) return 'conflict';
        tenant.configs[record.id] = { record: { ...structuredClone(record), tenantId }, sealedKey };
        for (const event of audit) tenant.audit.push({ ...structuredClone(event), tenantId });
        return 'created';
      });
      return { value: outcomes, write: outcomes.includes('created') };
    });
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const events = ((await this.#read()).tenants[tenantId]?.audit ?? [])
      .filter((e) => query.configId === undefined || e.configId === query.configId)
      .filter((e) => query.type === undefined || e.type === query.type)
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    return pageAfter(events, query.cursor, query.limit, 'descending');
  }

  async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    { audit }: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    return this.#change((state) => {
      const tenant = state.tenants[tenantId];
      const stored = tenant?.configs[configId];
      if (!tenant || !stored) return { value: null, write: false };
      const result = mergeKeyHealth(stored.health ?? null, tenantId, configId, change);
      stored.health = result.health;
      if (result.transition) tenant.audit.push({ ...structuredClone(audit[result.transition]), tenantId });
      return { value: result, write: true };
    });
  }

  readonly #cooldowns = new InProcessCooldowns();

  async putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void> {
    this.#cooldowns.put(tenantId, cooldown, new Date().toISOString());
  }

  async loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]> {
    return this.#cooldowns.load(tenantId, configIds, now);
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    const configs = (await this.#read()).tenants[tenantId]?.configs;
    return [...new Set(configIds)].flatMap((id) => (configs?.[id]?.health ? [configs[id].health] : []));
  }

  async getSettings(tenantId: string): Promise<SettingsRecord | null> {
    return (await this.#read()).tenants[tenantId]?.settings ?? null;
  }

  async putSettings(record: SettingsRecord, { audit, expectedRevision }: PutSettingsOptions): Promise<SettingsRecord> {
    return this.#change((state) => {
      const tenant = tenantOf(state, record.tenantId);
      if ((tenant.settings?.revision ?? 0) !== expectedRevision) {
        throw new ConflictError(
          'CONCURRENT_UPDATE',
          storeMessage('json-file', `the settings of this tenant changed since they were read`),
        );
      }
      tenant.settings = structuredClone(record);
      tenant.audit.push({ ...structuredClone(audit), tenantId: record.tenantId });
      return { value: structuredClone(record), write: true };
    });
  }

  async createAccessKey(record: AccessKeyRecord, { audit }: WriteOptions): Promise<AccessKeyRecord> {
    return this.#change((state) => {
      const tenant = tenantOf(state, record.tenantId);
      tenant.accessKeys = Object.assign(dictionary<AccessKeyRecord>(), tenant.accessKeys, {
        [record.id]: structuredClone(record),
      });
      tenant.audit.push({ ...structuredClone(audit), tenantId: record.tenantId });
      return { value: structuredClone(record), write: true };
    });
  }

  async getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null> {
    return keysOf((await this.#read()).tenants[tenantId])[id] ?? null;
  }

  async listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>> {
    const records = Object.values(keysOf((await this.#read()).tenants[tenantId])).sort((a, b) =>
      a.id < b.id ? -1 : 1,
    );
    return pageAfter(records, query.cursor, query.limit);
  }

  async revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    { audit }: WriteOptions,
  ): Promise<AccessKeyRecord | null> {
    return this.#change((state) => {
      const tenant = state.tenants[tenantId];
      const record = keysOf(tenant)[id];
      if (!tenant || !record) return { value: null, write: false };
      // Revoked once: a second revoke keeps the first time and writes no event.
      if (record.revokedAt !== null) return { value: record, write: false };
      record.revokedAt = revokedAt;
      tenant.audit.push({ ...structuredClone(audit), tenantId });
      return { value: structuredClone(record), write: true };
    });
  }

  /** One file read: the key (found in whichever tenant holds it), its tenant's candidates on its scope chain, its settings. */
  async loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null> {
    const state = await this.#read();
    for (const tenant of Object.values(state.tenants)) {
      const accessKey = keysOf(tenant)[id];
      if (!accessKey) continue;
      const chain = new Set(scopeChain(accessKey.scope));
      const candidates = Object.values(tenant.configs)
        .filter((c) => chain.has(c.record.scope))
        .map(candidateOf);
      return { accessKey, candidates, settings: tenant.settings ?? null };
    }
    return null;
  }

  /** Under the mutex: the check and the count are one step, so concurrent uses never overspend. */
  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    return this.#change<AccessKeyUseResult>((state) => {
      const tenant = tenantOf(state, tenantId);
      tenant.counters ??= dictionary();
      const counters = tenant.counters[id] ?? {};
      const requests = use.requests && counters.requests?.[0] === use.requests.window ? counters.requests[1] : 0;
      const tokens = use.tokens && counters.tokens?.[0] === use.tokens.window ? counters.tokens[1] : 0;
      if (use.tokens && tokens >= use.tokens.limit)
        return { value: { exceeded: 'tokens', requests, tokens }, write: false };
      if (use.requests && requests >= use.requests.limit)
        return { value: { exceeded: 'requests', requests, tokens }, write: false };
      if (use.requests) tenant.counters[id] = { ...counters, requests: [use.requests.window, requests + 1] };
      usageOf(tenant, tenantId, id, use.period).requests += 1;
      return { value: { exceeded: null, requests: use.requests ? requests + 1 : 0, tokens }, write: true };
    });
  }

  async chargeAccessKeyTokens(tenantId: string, id: string, charge: TokenCharge): Promise<void> {
    return this.#change((state) => {
      const tenant = tenantOf(state, tenantId);
      usageOf(tenant, tenantId, id, charge.period).tokens += charge.tokens;
      if (charge.window !== undefined) {
        tenant.counters ??= dictionary();
        const counters = tenant.counters[id] ?? {};
        const before = counters.tokens?.[0] === charge.window ? counters.tokens[1] : 0;
        tenant.counters[id] = { ...counters, tokens: [charge.window, before + charge.tokens] };
      }
      return { value: undefined, write: true };
    });
  }

  async listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>> {
    const rows = Object.values((await this.#read()).tenants[tenantId]?.usage ?? {})
      .filter(
        (u) =>
          (query.keyId === undefined || u.keyId === query.keyId) &&
          (query.from === undefined || u.period >= query.from) &&
          (query.to === undefined || u.period <= query.to),
      )
      .map((u) => ({ ...u, id: `${u.period}:${u.keyId}` }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = pageAfter(rows, query.cursor, query.limit);
    return { items: page.items.map(({ id: _id, ...usage }) => usage), nextCursor: page.nextCursor };
  }

  /** Reads the file afresh: every read returns new objects the caller may change. */
  async #read(): Promise<FileState> {
    try {
      const state = JSON.parse(await readFile(this.#path, 'utf8')) as FileState;
      // Ids and tenant ids come from callers: look them up in prototype-free
      // maps, so "constructor" or "__proto__" is just a key, never Object's.
      const tenants = dictionary<FileState['tenants'][string]>();
      for (const [id, tenant] of Object.entries(state.tenants)) {
        tenants[id] = {
          ...tenant,
          configs: Object.assign(dictionary<StoredConfig>(), tenant.configs),
          accessKeys: Object.assign(dictionary<AccessKeyRecord>(), tenant.accessKeys),
          counters: Object.assign(dictionary<Counters>(), tenant.counters),
          usage: Object.assign(dictionary<AccessKeyUsageRecord>(), tenant.usage),
        };
      }
      return { tenants };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { tenants: dictionary() };
      throw error;
    }
  }

  /** Read, change, write back; one at a time. If `change` throws, nothing is written. */
  #change<T>(change: (state: FileState) => { value: T; write: boolean }): Promise<T> {
    return this.#lock.run(async () => {
      const state = await this.#read();
      const { value, write } = change(state);
      if (write) {
        const temp = `${this.#path}.tmp`;
        await writeFile(temp, JSON.stringify(state));
        await rename(temp, this.#path);
      }
      return value;
    });
  }
}

/** A stored config as the sealed reads return it. */
function candidateOf(stored: StoredConfig): SealedConfigRecord {
  return {
    ...storedRecord(stored.record, stored.sealedKey),
    sealedKey: stored.sealedKey,
    pendingSealedKey: stored.pendingSealedKey ?? null,
    previousSealedKey: stored.previousSealedKey ?? null,
  };
}

/** An object with no prototype, safe to index by caller-supplied keys. */
function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function tenantOf(state: FileState, tenantId: string): FileState['tenants'][string] {
  state.tenants[tenantId] ??= { configs: dictionary(), audit: [] };
  return state.tenants[tenantId];
}

function keysOf(tenant: FileState['tenants'][string] | undefined): Record<string, AccessKeyRecord> {
  return tenant?.accessKeys ?? dictionary();
}

function usageOf(
  tenant: FileState['tenants'][string],
  tenantId: string,
  keyId: string,
  period: string,
): AccessKeyUsageRecord {
  tenant.usage ??= dictionary();
  const key = `${period}:${keyId}`;
  tenant.usage[key] ??= { tenantId, keyId, period, requests: 0, tokens: 0 };
  return tenant.usage[key];
}

function clearDefaults(configs: Record<string, StoredConfig>, scope: ScopePath, keepId: string): void {
  for (const stored of Object.values(configs)) {
    if (stored.record.scope === scope && stored.record.id !== keepId) stored.record.isDefault = false;
  }
}
