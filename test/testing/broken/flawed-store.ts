/**
 * A small store with switchable flaws, each breaking one rule of the
 * contract. The conformance suite must fail on every one of them.
 */
import { ConflictError } from '../../../src/errors.js';
import { sealedKekId } from '../../../src/crypto/sealed-kek-id.js';
import { mergeKeyHealth } from '../../../src/store/key-health.js';
import { countKeysByKek, holdsKeyUnderOtherKek, pageAcrossTenants } from '../../../src/store/key-counts.js';
import { scopeChain } from '../../../src/resolve/scope.js';
import type { KeyCooldownRecord } from '../../../src/store/cooldown-storage.js';
import type {
  AccessKeyCandidates,
  AccessKeyQuery,
  AccessKeyRecord,
  AccessKeyUse,
  AccessKeyUseResult,
  AccessKeyUsageQuery,
  AccessKeyUsageRecord,
  TokenCharge,
} from '../../../src/store/access-key-storage.js';
import type { PutSettingsOptions, SettingsRecord } from '../../../src/store/settings-storage.js';
import { byResolutionPreference, isUsableCandidate, selectCandidates } from '../../../src/store/candidates.js';
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
  UpdateOptions,
  WriteOptions,
} from '../../../src/store/types.js';

export const FLAWS = [
  'tenantBlindGet',
  'tenantBlindUpdate',
  'undefinedForMissing',
  'noRevisionBump',
  'ignoreExpectedRevision',
  'noDefaultClearing',
  'defaultsClearedAcrossScopes',
  'caseInsensitiveNames',
  'noRenameCheck',
  'sealedKeyInGet',
  'prefixScopes',
  'auditOldestFirst',
  'auditBeforeNameCheck',
  'softDelete',
  'racyDefaults',
  'racyNames',
  'splitKeyWrite',
  'auditAfterChange',
  'cursorOnLastPage',
  'cursorSkipsOne',
  'listByInsertion',
  'kekIdNotIncludesNoKey',
  'auditCascade',
  'undefinedPatchClears',
  'clearDefaultsBeforeRevisionCheck',
  'clearDefaultsForMissing',
  'noDefaultClearingOnMove',
  'racyMoves',
  'patchOverwritesFixedFields',
  'idKeyedRows',
  'auditUnderEventTenant',
  'storedKekId',
  'tenantBlindSealedRead',
  'sealedReadWithoutKey',
  'healthBumpsRevision',
  'racyHealth',
  'tenantBlindHealth',
  'healthSurvivesDelete',
  'staleSuccessClears',
  'noHealthAudit',
  'settingsIgnoreRevision',
  'racySettings',
  'tenantBlindAccessKey',
  'revokeTwice',
  'candidatesOfAllTenants',
  'candidatesByPrefix',
  'racyQuota',
  'quotaCountsRefusals',
  'tokenBudgetIgnored',
  'lostTokenCharges',
  'usageAcrossTenants',
  'filterDropsWinner',
  'filterIgnoresExpiry',
  'filterSkipsCustomEndpoints',
  'filterIgnored',
  'swapIgnoresStoredKey',
  'swapWithoutAudit',
  'racySwaps',
  'sealedListingWithoutKeys',
  'importOverwritesNames',
  'importConflictFailsBatch',
  'importSkipsDefaultCheck',
  'poolIgnored',
  'cooldownShortened',
  'cooldownTenantBlind',
  'cooldownNeverExpires',
  'racyCooldowns',
  'walkActiveSlotOnly',
  'walkCursorIgnoresTenant',
  'countIgnoresExpiry',
  'stagedKeysInPlainReads',
] as const;
export type Flaw = (typeof FLAWS)[number];

/** The staged sealed keys, kept inside a row's record. */
interface Staged {
  pendingSealedKey?: string | null;
  previousSealedKey?: string | null;
}

interface Row {
  record: ConfigRecord;
  sealedKey: string | null;
  deleted?: boolean;
  /** The tenant whose keyspace holds the row, when it differs from what the record says (a copied row). */
  filedUnder?: string;
}

/** Health records by `${tenant}/${configId}` (the flaw tenantBlindHealth: by config id alone). */
type HealthMap = Map<string, KeyHealthRecord>;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class FlawedStore implements StorageAdapter {
  readonly name = 'flawed';
  readonly capabilities = { transactions: true };
  readonly rows: Row[] = [];
  readonly audit: AuditEvent[] = [];
  readonly health: HealthMap = new Map();
  auditBroken = false;

  constructor(private readonly flaw: Flaw) {}

  /** Stores the event under the call's tenant (the flaw: under the tenant the event names). */
  #writeAudit(event: AuditEvent, tenantId: string): void {
    if (this.auditBroken) throw new Error('audit write failed');
    this.audit.push(
      this.flaw === 'auditUnderEventTenant' ? structuredClone(event) : { ...structuredClone(event), tenantId },
    );
  }

  #live(tenantId: string): Row[] {
    return this.rows.filter((r) => !r.deleted && (r.filedUnder ?? r.record.tenantId) === tenantId);
  }

  #find(tenantId: string, id: string, tenantBlind = false): Row | undefined {
    return this.rows.find(
      (r) => !r.deleted && r.record.id === id && (tenantBlind || (r.filedUnder ?? r.record.tenantId) === tenantId),
    );
  }

  /** A row's record as reads return it: the KEK id its sealed key names (the flaw: whatever the record holds). */
  #read(row: Row): ConfigRecord {
    // The staged sealed keys ride in the record (a patch spreads them in); plain reads drop them.
    const {
      pendingSealedKey: _p,
      previousSealedKey: _q,
      ...record
    } = structuredClone(row.record) as ConfigRecord & Staged;
    if (this.flaw === 'stagedKeysInPlainReads')
      return { ...structuredClone(row.record), kekId: sealedKekId(row.sealedKey) };
    return this.flaw === 'storedKekId' ? record : { ...record, kekId: sealedKekId(row.sealedKey) };
  }

  /** A row as the sealed reads return it. */
  #sealed(row: Row, sealedKey = row.sealedKey): SealedConfigRecord {
    const staged = row.record as ConfigRecord & Staged;
    return {
      ...this.#read(row),
      sealedKey,
      pendingSealedKey: staged.pendingSealedKey ?? null,
      previousSealedKey: staged.previousSealedKey ?? null,
    };
  }

  async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const live = this.rows
      .filter((r) => !r.deleted)
      .map((r) => ({ tenantId: r.filedUnder ?? r.record.tenantId, row: this.#sealed(r) }));
    if (this.flaw === 'walkActiveSlotOnly')
      return pageAcrossTenants(
        live.map((e) => ({ ...e, row: { ...e.row, pendingSealedKey: null, previousSealedKey: null } })),
        query,
      );
    if (this.flaw === 'walkCursorIgnoresTenant') {
      // The cursor keeps the last id only: rows of later tenants with smaller ids are skipped.
      const matching = live
        .filter(
          (e) =>
            holdsKeyUnderOtherKek(e.row, query.kekIdNot) && (query.cursor === undefined || e.row.id > query.cursor),
        )
        .sort((x, y) =>
          x.tenantId === y.tenantId ? (x.row.id < y.row.id ? -1 : 1) : x.tenantId < y.tenantId ? -1 : 1,
        );
      const items = matching.slice(0, query.limit).map((e) => e.row);
      return { items, nextCursor: matching.length > query.limit ? items.at(-1)!.id : null };
    }
    return pageAcrossTenants(live, query);
  }

  async countKeysByKek({ now }: { now: string }): Promise<KeyCount[]> {
    return countKeysByKek(
      this.rows.filter((r) => !r.deleted).map((r) => this.#sealed(r)),
      this.flaw === 'countIgnoresExpiry' ? '' : now,
    );
  }

  /** The copied-row attack: the row filed under another tenant, its own tenant field kept or rewritten. */
  copyRow(from: { tenantId: string; id: string }, toTenantId: string, keepStoredTenant: boolean): boolean {
    const row = this.#find(from.tenantId, from.id);
    if (!row) throw new Error('no such row');
    const record = { ...structuredClone(row.record), ...(keepStoredTenant ? {} : { tenantId: toTenantId }) };
    this.rows.push({ record, sealedKey: row.sealedKey, filedUnder: toTenantId });
    return true;
  }

  #sameName(a: string, b: string): boolean {
    return this.flaw === 'caseInsensitiveNames' ? a.toLowerCase() === b.toLowerCase() : a === b;
  }

  #clearDefaults(tenantId: string, scope: string, keepId: string): void {
    if (this.flaw === 'noDefaultClearing') return;
    for (const row of this.#live(tenantId)) {
      if ((this.flaw === 'defaultsClearedAcrossScopes' || row.record.scope === scope) && row.record.id !== keepId)
        row.record.isDefault = false;
    }
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    if (this.flaw === 'auditBeforeNameCheck') this.#writeAudit(audit, record.tenantId);
    if (this.flaw === 'racyNames') await tick();
    if (this.flaw === 'idKeyedRows') {
      for (let i = this.rows.length - 1; i >= 0; i--) if (this.rows[i]!.record.id === record.id) this.rows.splice(i, 1);
    }
    if (this.#live(record.tenantId).some((r) => this.#sameName(r.record.name, record.name))) {
      throw new ConflictError('NAME_TAKEN', 'name taken');
    }
    if (this.flaw === 'racyNames') await tick();
    if (this.flaw !== 'auditBeforeNameCheck' && this.flaw !== 'auditAfterChange')
      this.#writeAudit(audit, record.tenantId);
    if (record.isDefault) this.#clearDefaults(record.tenantId, record.scope, record.id);
    const row: Row = { record: structuredClone(record), sealedKey: null };
    this.rows.push(row);
    if (this.flaw === 'auditAfterChange') this.#writeAudit(audit, record.tenantId);
    return this.#read(row);
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    const row = this.#find(tenantId, id, this.flaw === 'tenantBlindGet');
    if (!row) return this.flaw === 'undefinedForMissing' ? (undefined as unknown as null) : null;
    return this.flaw === 'sealedKeyInGet'
      ? ({ ...this.#read(row), sealedKey: row.sealedKey } as ConfigRecord)
      : this.#read(row);
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const kekIdOf = (r: ConfigRecord) =>
      this.flaw === 'storedKekId' ? r.kekId : sealedKekId(this.rows.find((row) => row.record === r)?.sealedKey);
    let rows = this.#live(tenantId)
      .map((r) => r.record)
      .filter((r) => query.scope === undefined || r.scope === query.scope)
      .filter((r) => query.provider === undefined || r.provider === query.provider)
      .filter(
        (r) =>
          query.kekIdNot === undefined ||
          (this.flaw === 'kekIdNotIncludesNoKey'
            ? kekIdOf(r) !== query.kekIdNot
            : this.#keyed(r) && kekIdOf(r) !== query.kekIdNot),
      );
    if (this.flaw !== 'listByInsertion') rows = rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    const cursor = query.cursor;
    const start =
      cursor === undefined
        ? 0
        : rows.findIndex((r) => (this.flaw === 'listByInsertion' ? r.id === cursor : r.id > cursor)) +
          (this.flaw === 'listByInsertion' ? 1 : 0);
    const from = start < 0 ? rows.length : start + (this.flaw === 'cursorSkipsOne' && cursor !== undefined ? 1 : 0);
    const items = rows.slice(from, from + query.limit);
    const more = from + query.limit < rows.length || (this.flaw === 'cursorOnLastPage' && items.length === query.limit);
    return {
      items: items.map((r) => this.#read(this.#rowOf(r))),
      nextCursor: more && items.length > 0 ? items.at(-1)!.id : null,
    };
  }

  #rowOf(record: ConfigRecord): Row {
    return this.rows.find((row) => row.record === record)!;
  }

  /** Whether the record's row holds a sealed key (the flaw storedKekId: whether the record claims a KEK). */
  #keyed(record: ConfigRecord): boolean {
    return this.flaw === 'storedKekId' ? record.kekId !== null : this.#rowOf(record).sealedKey !== null;
  }

  async updateConfig(
    tenantId: string,
    id: string,
    patch: ConfigPatch,
    options: UpdateOptions,
  ): Promise<ConfigRecord | null> {
    const row = this.#find(tenantId, id, this.flaw === 'tenantBlindUpdate');
    if (!row) {
      if (this.flaw === 'clearDefaultsForMissing' && patch.isDefault === true)
        this.#clearDefaults(tenantId, patch.scope ?? '', id);
      return null;
    }
    if (
      this.flaw === 'clearDefaultsBeforeRevisionCheck' &&
      (patch.isDefault === true || (patch.scope !== undefined && patch.isDefault === undefined && row.record.isDefault))
    ) {
      this.#clearDefaults(tenantId, patch.scope ?? row.record.scope, id);
    }
    if (
      this.flaw !== 'ignoreExpectedRevision' &&
      options.expectedRevision !== undefined &&
      options.expectedRevision !== row.record.revision
    ) {
      throw new ConflictError('CONCURRENT_UPDATE', 'changed');
    }
    // Fields outside ConfigPatch (revision, createdAt, id, tenantId) never come from a patch; the flaw takes them.
    const {
      sealedKey,
      revision: _revision,
      createdAt: _createdAt,
      id: _id,
      tenantId: _tenantId,
      ...fixedDropped
    } = patch as ConfigPatch & Partial<ConfigRecord>;
    const fields: ConfigPatch =
      this.flaw === 'patchOverwritesFixedFields' ? (({ sealedKey: _s, ...all }) => all)(patch) : fixedDropped;
    if (fields.name !== undefined && this.flaw !== 'noRenameCheck') {
      if (this.#live(row.record.tenantId).some((r) => r !== row && this.#sameName(r.record.name, fields.name!)))
        throw new ConflictError('NAME_TAKEN', 'name taken');
    }
    if (this.flaw !== 'auditAfterChange') this.#writeAudit(options.audit, tenantId);
    const defined =
      this.flaw === 'undefinedPatchClears'
        ? fields
        : Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (this.flaw === 'racyDefaults' && fields.isDefault) {
      const others = this.#live(tenantId).filter((r) => r.record.scope === row.record.scope && r !== row);
      await tick();
      for (const other of others) other.record.isDefault = false;
      await tick();
      row.record = { ...row.record, ...defined, revision: row.record.revision + 1 };
    } else if (this.flaw === 'racyMoves' && fields.scope !== undefined && fields.isDefault === undefined) {
      // Decides "stays default" from a read taken before it yields: a set-default meanwhile is missed.
      const wasDefault = row.record.isDefault;
      await tick();
      if (wasDefault) this.#clearDefaults(tenantId, fields.scope, id);
      row.record = { ...row.record, ...defined, revision: row.record.revision + 1 };
    } else if (this.flaw === 'splitKeyWrite' && sealedKey !== undefined) {
      row.sealedKey = sealedKey;
      await tick();
      row.record = { ...row.record, ...defined, revision: row.record.revision + 1 };
    } else {
      row.record = {
        ...row.record,
        ...defined,
        revision: row.record.revision + (this.flaw === 'noRevisionBump' ? 0 : 1),
      };
      const moveOnly = fields.scope !== undefined && fields.isDefault === undefined;
      if (row.record.isDefault && !(this.flaw === 'noDefaultClearingOnMove' && moveOnly))
        this.#clearDefaults(tenantId, row.record.scope, id);
      if (sealedKey !== undefined) row.sealedKey = sealedKey;
    }
    if (this.flaw === 'auditAfterChange') this.#writeAudit(options.audit, tenantId);
    return this.#read(row);
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    const row = this.#find(tenantId, id);
    if (!row) return false;
    if (this.flaw !== 'auditAfterChange') this.#writeAudit(audit, tenantId);
    if (this.flaw === 'softDelete') row.deleted = true;
    else this.rows.splice(this.rows.indexOf(row), 1);
    if (this.flaw !== 'healthSurvivesDelete') this.health.delete(this.#healthKey(tenantId, id));
    if (this.flaw === 'auditCascade') {
      for (let i = this.audit.length - 1; i >= 0; i--)
        if (this.audit[i]!.configId === id && this.audit[i]!.type !== 'config.deleted') this.audit.splice(i, 1);
    }
    if (this.flaw === 'auditAfterChange') this.#writeAudit(audit, tenantId);
    return true;
  }

  async loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    const match = (scope: string) =>
      scopes.some((s) => (this.flaw === 'prefixScopes' ? scope.startsWith(s) : scope === s));
    const rows = this.#live(tenantId)
      .filter((r) => match(r.record.scope))
      .map((r) => this.#sealed(r));
    if (!filter || this.flaw === 'filterIgnored') return rows;
    const named = rows.filter((r) => filter.config !== null && (r.id === filter.config || r.name === filter.config));
    if (this.flaw === 'filterDropsWinner') return named;
    if (this.flaw === 'filterIgnoresExpiry' || this.flaw === 'filterSkipsCustomEndpoints') {
      if (filter.provider === null) return selectCandidates(rows, scopes, filter);
      // The walk done wrong: expiry not checked, or custom endpoints left out.
      for (const scope of scopes) {
        const groups = [
          ...(this.flaw === 'filterSkipsCustomEndpoints'
            ? []
            : [
                rows.filter((r) => r.scope === scope && r.provider === 'custom' && r.routes.includes(filter.provider!)),
              ]),
          rows.filter((r) => r.scope === scope && r.provider === filter.provider),
        ];
        for (const group of groups) {
          const usable = (r: SealedConfigRecord) =>
            this.flaw === 'filterIgnoresExpiry'
              ? r.enabled && (r.sealedKey !== null || r.keyHint !== null)
              : isUsableCandidate(r, filter.now);
          const winner = group.sort(byResolutionPreference).find(usable);
          if (winner) return [...named.filter((r) => r !== winner), winner];
        }
      }
      return named;
    }
    return selectCandidates(rows, scopes, this.flaw === 'poolIgnored' ? { ...filter, pool: false } : filter);
  }

  /** Cooldowns by `${tenant}/${configId}` (the flaw cooldownTenantBlind: by config id alone). */
  readonly cooldowns = new Map<string, KeyCooldownRecord>();

  #cooldownKey(tenantId: string, configId: string): string {
    return this.flaw === 'cooldownTenantBlind' ? configId : `${tenantId}/${configId}`;
  }

  async putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void> {
    const key = this.#cooldownKey(tenantId, cooldown.configId);
    // The flaw racyCooldowns: read, yield, then write what the stale read allowed.
    const early = this.cooldowns.get(key);
    await tick();
    const held = this.flaw === 'racyCooldowns' ? early : this.cooldowns.get(key);
    if (held && held.until >= cooldown.until && this.flaw !== 'cooldownShortened') return;
    this.cooldowns.set(key, {
      ...cooldown,
      tenantId: this.flaw === 'cooldownTenantBlind' ? cooldown.tenantId : tenantId,
    });
  }

  async loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]> {
    return [...new Set(configIds)].flatMap((id) => {
      const held = this.cooldowns.get(this.#cooldownKey(tenantId, id));
      // The flaw cooldownNeverExpires: `now` ignored, so an ended cooldown still counts.
      return held && (held.until > now || this.flaw === 'cooldownNeverExpires') ? [{ ...held }] : [];
    });
  }

  async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const rows = this.#live(tenantId)
      .filter(
        (r) =>
          (this.flaw === 'sealedListingWithoutKeys' && sealedKekId(r.sealedKey) !== query.kekIdNot) ||
          holdsKeyUnderOtherKek(this.#sealed(r), query.kekIdNot),
      )
      .sort((a, b) => (a.record.id < b.record.id ? -1 : 1));
    const after = query.cursor === undefined ? rows : rows.filter((r) => r.record.id > query.cursor!);
    const items = after.slice(0, query.limit).map((r) => this.#sealed(r));
    return { items, nextCursor: after.length > query.limit ? items.at(-1)!.id : null };
  }

  async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    const applied: boolean[] = [];
    for (const swap of swaps) {
      const row = this.#find(tenantId, swap.id);
      const matches = row !== undefined && (this.flaw === 'swapIgnoresStoredKey' || row.sealedKey === swap.from);
      // Reads, yields, then writes: another swap of the same key gets in between.
      if (this.flaw === 'racySwaps') await tick();
      if (!row || !matches) {
        applied.push(false);
        continue;
      }
      if (this.flaw !== 'swapWithoutAudit') this.#writeAudit(swap.audit, tenantId);
      row.sealedKey = swap.to;
      row.record = { ...row.record, updatedAt: swap.updatedAt, revision: row.record.revision + 1 };
      applied.push(true);
    }
    return applied;
  }

  async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    const outcomes: ImportOutcome[] = [];
    for (const { record, sealedKey, audit } of items) {
      const live = this.#live(tenantId);
      const taken =
        live.some((r) => r.record.id === record.id) ||
        (this.flaw !== 'importOverwritesNames' && live.some((r) => this.#sameName(r.record.name, record.name))) ||
        (this.flaw !== 'importSkipsDefaultCheck' &&
          record.isDefault &&
          live.some((r) => r.record.scope === record.scope && r.record.isDefault));
      if (taken) {
        if (this.flaw === 'importConflictFailsBatch') throw new ConflictError('NAME_TAKEN', 'name taken');
        outcomes.push('conflict');
        continue;
      }
      if (this.flaw === 'importOverwritesNames') {
        for (const r of live) if (r.record.name === record.name) r.deleted = true;
      }
      for (const event of audit) this.#writeAudit(event, tenantId);
      this.rows.push({ record: { ...structuredClone(record), tenantId }, sealedKey });
      outcomes.push('created');
    }
    return outcomes;
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    const row = this.#find(tenantId, id, this.flaw === 'tenantBlindSealedRead');
    if (!row) return null;
    return this.#sealed(row, this.flaw === 'sealedReadWithoutKey' ? null : row.sealedKey);
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const events = this.audit
      .filter((e) => e.tenantId === tenantId)
      .filter((e) => query.configId === undefined || e.configId === query.configId)
      .filter((e) => query.type === undefined || e.type === query.type)
      .sort((a, b) => (this.flaw === 'auditOldestFirst' ? (a.id < b.id ? -1 : 1) : a.id < b.id ? 1 : -1));
    const cursor = query.cursor;
    const after =
      cursor === undefined
        ? events
        : events.filter((e) => (this.flaw === 'auditOldestFirst' ? e.id > cursor : e.id < cursor));
    const items = after.slice(0, query.limit);
    return { items: structuredClone(items), nextCursor: after.length > query.limit ? items.at(-1)!.id : null };
  }

  #healthKey(tenantId: string, configId: string): string {
    return this.flaw === 'tenantBlindHealth' ? configId : `${tenantId}/${configId}`;
  }

  async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    { audit }: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    const row = this.#find(tenantId, configId, this.flaw === 'tenantBlindHealth');
    if (!row) return null;
    const key = this.#healthKey(tenantId, configId);
    const stored = this.health.get(key) ?? null;
    if (this.flaw === 'racyHealth') await tick();
    let result = mergeKeyHealth(stored, tenantId, configId, change);
    if (this.flaw === 'staleSuccessClears' && result.health.state === 'failing' && change.successAt !== undefined) {
      result = {
        health: { ...result.health, state: 'ok', failureCount: 0, firstFailureAt: null },
        transition: stored?.state === 'failing' ? 'recovered' : null,
      };
    }
    if (result.transition && this.flaw !== 'noHealthAudit') this.#writeAudit(audit[result.transition], tenantId);
    this.health.set(key, result.health);
    if (this.flaw === 'healthBumpsRevision') row.record = { ...row.record, revision: row.record.revision + 1 };
    return structuredClone(result);
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    return [...new Set(configIds)].flatMap((id) => {
      const health = this.health.get(this.#healthKey(tenantId, id));
      return health ? [structuredClone(health)] : [];
    });
  }

  readonly settings: SettingsRecord[] = [];
  readonly accessKeys: AccessKeyRecord[] = [];
  readonly counters = new Map<string, { r?: [string, number]; t?: [string, number] }>();
  readonly usage: AccessKeyUsageRecord[] = [];

  async getSettings(tenantId: string): Promise<SettingsRecord | null> {
    return structuredClone(this.settings.find((s) => s.tenantId === tenantId) ?? null);
  }

  async putSettings(record: SettingsRecord, { audit, expectedRevision }: PutSettingsOptions): Promise<SettingsRecord> {
    const index = this.settings.findIndex((s) => s.tenantId === record.tenantId);
    const current = this.settings[index]?.revision ?? 0;
    if (this.flaw === 'racySettings') await tick();
    if (this.flaw !== 'settingsIgnoreRevision' && current !== expectedRevision)
      throw new ConflictError('CONCURRENT_UPDATE', 'changed');
    this.#writeAudit(audit, record.tenantId);
    if (index >= 0) this.settings.splice(index, 1);
    this.settings.push(structuredClone(record));
    return structuredClone(record);
  }

  async createAccessKey(record: AccessKeyRecord, { audit }: WriteOptions): Promise<AccessKeyRecord> {
    this.#writeAudit(audit, record.tenantId);
    this.accessKeys.push(structuredClone(record));
    return structuredClone(record);
  }

  #key(tenantId: string, id: string): AccessKeyRecord | undefined {
    return this.accessKeys.find(
      (k) => k.id === id && (this.flaw === 'tenantBlindAccessKey' || k.tenantId === tenantId),
    );
  }

  async getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null> {
    return structuredClone(this.#key(tenantId, id) ?? null);
  }

  async listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>> {
    const all = this.accessKeys
      .filter((k) => k.tenantId === tenantId && (query.cursor === undefined || k.id > query.cursor))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = all.slice(0, query.limit);
    return structuredClone({ items, nextCursor: all.length > query.limit ? items.at(-1)!.id : null });
  }

  async revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    { audit }: WriteOptions,
  ): Promise<AccessKeyRecord | null> {
    const key = this.#key(tenantId, id);
    if (!key) return null;
    if (key.revokedAt === null || this.flaw === 'revokeTwice') {
      this.#writeAudit(audit, tenantId);
      key.revokedAt = revokedAt;
    }
    return structuredClone(key);
  }

  async loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null> {
    const key = this.accessKeys.find((k) => k.id === id);
    if (!key) return null;
    const chain = scopeChain(key.scope);
    const match = (scope: string) =>
      chain.some((s) => (this.flaw === 'candidatesByPrefix' ? scope.startsWith(s) : scope === s));
    const candidates = this.rows
      .filter(
        (r) =>
          !r.deleted &&
          match(r.record.scope) &&
          (this.flaw === 'candidatesOfAllTenants' || (r.filedUnder ?? r.record.tenantId) === key.tenantId),
      )
      .map((r) => this.#sealed(r));
    return { accessKey: structuredClone(key), candidates, settings: await this.getSettings(key.tenantId) };
  }

  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    const key = `${tenantId} ${id}`;
    const c = this.counters.get(key) ?? {};
    const requests = use.requests && c.r?.[0] === use.requests.window ? c.r[1] : 0;
    const tokens = use.tokens && c.t?.[0] === use.tokens.window ? c.t[1] : 0;
    if (this.flaw === 'racyQuota') await tick();
    const overTokens = this.flaw !== 'tokenBudgetIgnored' && use.tokens !== undefined && tokens >= use.tokens.limit;
    const exceeded = overTokens ? 'tokens' : use.requests && requests >= use.requests.limit ? 'requests' : null;
    if (exceeded && this.flaw !== 'quotaCountsRefusals') return { exceeded, requests, tokens };
    if (use.requests) this.counters.set(key, { ...this.counters.get(key), r: [use.requests.window, requests + 1] });
    this.#usageRow(tenantId, id, use.period).requests += 1;
    return { exceeded, requests: use.requests ? requests + 1 : 0, tokens };
  }

  async chargeAccessKeyTokens(tenantId: string, id: string, charge: TokenCharge): Promise<void> {
    const row = this.#usageRow(tenantId, id, charge.period);
    const before = row.tokens;
    if (this.flaw === 'lostTokenCharges') await tick();
    row.tokens = before + charge.tokens;
    if (charge.window === undefined) return;
    const key = `${tenantId} ${id}`;
    const c = this.counters.get(key) ?? {};
    this.counters.set(key, { ...c, t: [charge.window, (c.t?.[0] === charge.window ? c.t[1] : 0) + charge.tokens] });
  }

  #usageRow(tenantId: string, keyId: string, period: string): AccessKeyUsageRecord {
    let row = this.usage.find((u) => u.tenantId === tenantId && u.keyId === keyId && u.period === period);
    if (!row) this.usage.push((row = { tenantId, keyId, period, requests: 0, tokens: 0 }));
    return row;
  }

  async listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>> {
    const sortKey = (u: AccessKeyUsageRecord) => `${u.period}:${u.keyId}`;
    const all = this.usage
      .filter((u) => this.flaw === 'usageAcrossTenants' || u.tenantId === tenantId)
      .filter(
        (u) => (query.keyId ?? u.keyId) === u.keyId && u.period >= (query.from ?? '') && u.period <= (query.to ?? '~'),
      )
      .filter((u) => query.cursor === undefined || sortKey(u) > query.cursor)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const items = all.slice(0, query.limit);
    return structuredClone({ items, nextCursor: all.length > query.limit ? sortKey(items.at(-1)!) : null });
  }

  /** Everything held, deleted rows included (a soft delete keeps the sealed key). */
  dump(): string {
    return JSON.stringify({
      rows: this.rows,
      audit: this.audit,
      settings: this.settings,
      accessKeys: this.accessKeys,
      counters: [...this.counters],
      usage: this.usage,
    });
  }
}
