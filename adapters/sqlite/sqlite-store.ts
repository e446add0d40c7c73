/**
 * The embedded SQLite store: one database file, for a single instance (or a
 * few processes on one machine). Works over `better-sqlite3` or
 * `node:sqlite` through {@link SqliteDatabase}.
 *
 * @module
 */
import { ByokitError, ConflictError, StoreError, ValidationError } from '../../src/errors.js';
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
  StoreSealedConfigQuery,
  StoredKeyState,
  KeyCount,
  StorageAdapter,
  StoreCapabilities,
  UpdateOptions,
  WriteOptions,
} from '../../src/store/types.js';
import { scopeChain } from '../../src/resolve/scope.js';
import type {
  AccessKeyCandidates,
  AccessKeyQuery,
  AccessKeyRecord,
  AccessKeyUse,
  AccessKeyUseResult,
  AccessKeyUsageQuery,
  AccessKeyUsageRecord,
  TokenCharge,
} from '../../src/store/access-key-storage.js';
import type { PutSettingsOptions, SettingsRecord } from '../../src/store/settings-storage.js';
import {
  ACCESS_KEY_COLUMNS,
  accessKeyValues,
  toAccessKey,
  toSettings,
  toUsage,
  usageCursor,
  type AccessKeyRow,
} from './access-rows.js';
import type { SqliteDatabase, SqliteStatement, SqliteValue } from './database.js';
import { SQLITE_SCHEMA_VERSION, appliedVersion, applyMigrations } from './migrations.js';
import { openSqliteDatabase } from './open-database.js';
import type { SqliteDriver } from './open-database.js';
import {
  AUDIT_COLUMNS,
  CONFIG_COLUMNS,
  KEK_ID_SQL,
  PUBLIC_CONFIG_COLUMNS,
  SEALED_CONFIG_COLUMNS,
  auditValues,
  configValues,
  toAuditEvent,
  toCandidateRecord,
  toConfigRecord,
  ANY_SLOT_UNDER_OTHER_KEK_SQL,
  kekIdSql,
} from './rows.js';
import type { AuditRow, ConfigRow, SealedValues } from './rows.js';
import { tableNames } from './tables.js';
import { patchedSealedKeys, storedRecord } from '../../src/store/patch.js';
import { decodeStoreCursor, encodeStoreCursor } from '../../src/store/key-counts.js';

/** No key in any slot: a new config. */
const NO_KEYS: SealedValues = { sealedKey: null, pendingSealedKey: null, previousSealedKey: null };

/** The KEK id bound once per sealed column of {@link ANY_SLOT_UNDER_OTHER_KEK_SQL}. */
function kekThrice(kekId: string): string[] {
  return [kekId, kekId, kekId];
}
import { mergeKeyHealth } from '../../src/store/key-health.js';
import { InProcessCooldowns, type KeyCooldownRecord } from '../../src/store/cooldown-storage.js';
import { KEY_HEALTH_COLUMNS, keyHealthValues, toKeyHealth, type KeyHealthRow } from './key-health-rows.js';
import type { TableNames } from './tables.js';
import { byokitMessage } from '../../src/message.js';
import { applyConfigPatch, checkExpectedRevision, pageFetchLimit, pageOf } from '../../src/store/adapter-helpers.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Prefix of the table names (default `byokit_`: `byokit_configs`, `byokit_audit`, `byokit_migrations`). */
  tablePrefix?: string;
  /**
   * Apply missing migrations on first use (default `true`). With `false`,
   * call {@link SqliteStore.migrate} yourself (e.g. in a deploy step); until
   * then every call fails with `STORE_FAILED` naming the missing version.
   */
  autoMigrate?: boolean;
  /**
   * Set the connection up on first use (default `true`): `journal_mode=WAL`
   * (readers never block the writer), `busy_timeout` (wait for another
   * process's write lock instead of failing), `foreign_keys=ON` and
   * `secure_delete=ON` (deleted sealed keys are zeroed in the file, not left
   * in free pages). Set `false` to leave a connection you configured alone.
   */
  configureConnection?: boolean;
  /** Milliseconds to wait for another connection's write lock (default 5000). */
  busyTimeoutMs?: number;
}

/** Options of {@link SqliteStore.open}. */
export interface SqliteOpenOptions extends SqliteStoreOptions {
  /** Which driver opens the file (default `'auto'`: better-sqlite3 if installed, else `node:sqlite`). */
  driver?: SqliteDriver;
}

const UNIQUE_NAME = /UNIQUE constraint failed: \w+\.tenant_id, \w+\.name/;
const UNIQUE_ANY = /UNIQUE constraint failed/;

/** Adds one `WHERE` condition and the values of its placeholders, in order. */
function addCondition(where: string[], params: SqliteValue[], sql: string, ...values: SqliteValue[]): void {
  where.push(sql);
  params.push(...values);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown; errcode?: unknown } | null)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

/**
 * SQLite {@link StorageAdapter}. Each change and its audit event are one
 * `BEGIN IMMEDIATE` transaction; names are unique and the default exclusive
 * by unique indexes; the resolution read is one `SELECT`. The drivers are
 * synchronous, so a transaction never spans an `await`: concurrent calls in
 * one process run one after another, and other processes wait on the write
 * lock (`busy_timeout`).
 *
 * @example
 * ```ts
 * import { SqliteStore } from 'byokit/adapters/sqlite';
 * const store = await SqliteStore.open('./data/byokit.db');     // better-sqlite3 or node:sqlite
 * // or with a connection you opened and configured:
 * const store2 = new SqliteStore(new Database('./data/byokit.db'));
 * const vault = createVault({ store, keyring: Keyring.fromEnv() });
 * ```
 */
export class SqliteStore implements StorageAdapter {
  readonly name = 'sqlite';
  readonly capabilities: StoreCapabilities = { transactions: true };

  readonly #db: SqliteDatabase;
  readonly #tables: TableNames;
  readonly #autoMigrate: boolean;
  readonly #configure: boolean;
  readonly #busyTimeoutMs: number;
  readonly #statements = new Map<string, SqliteStatement>();
  /** Text of the filtered resolution read, per shape (see `#filteredRead`). */
  readonly #filteredSql = new Map<string, string | null>();
  /**
   * Key cooldowns live in this process (a file is rarely shared by
   * processes that call providers concurrently; a cooldown lost costs one
   * more 429, and a cooldown is never worth a disk write per 429).
   */
  readonly #cooldowns = new InProcessCooldowns();
  #owned = false;
  #configured = false;
  #ready = false;

  /**
   * Wraps an open connection. Nothing touches the database until the first
   * call (or {@link SqliteStore.migrate}).
   *
   * @param db - a `better-sqlite3` `Database` or `node:sqlite` `DatabaseSync`
   *   (anything with `prepare` and `exec`). Not closed by {@link close}: it is yours.
   */
  constructor(db: SqliteDatabase, options: SqliteStoreOptions = {}) {
    const missing = (['prepare', 'exec'] as const).filter(
      (method) => typeof (db as unknown as Record<string, unknown> | null)?.[method] !== 'function',
    );
    if (missing.length > 0) {
      throw new StoreError(
        'ADAPTER_INVALID',
        byokitMessage(
          'sqlite',
          `the database lacks ${missing.join(', ')}; pass a better-sqlite3 Database or a node:sqlite DatabaseSync`,
        ),
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError(byokitMessage('sqlite', 'options must be an object'), [
        { path: '(options)', message: 'must be an object' },
      ]);
    }
    if (
      options.busyTimeoutMs !== undefined &&
      !(Number.isFinite(options.busyTimeoutMs) && options.busyTimeoutMs >= 0)
    ) {
      throw new ValidationError(byokitMessage('sqlite', 'busyTimeoutMs must be a number of milliseconds, 0 or more'), [
        { path: 'busyTimeoutMs', message: 'must be a number, 0 or more' },
      ]);
    }
    this.#db = db;
    this.#tables = tableNames(options.tablePrefix);
    this.#autoMigrate = options.autoMigrate ?? true;
    this.#configure = options.configureConnection ?? true;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  }

  /**
   * Opens (creating it and its folder if needed) the database file at
   * `path` and returns a store that owns the connection: {@link close}
   * closes it. The driver is imported only here, lazily.
   *
   * @example
   * ```ts
   * const store = await SqliteStore.open('.byokit/demo.db');
   * ```
   */
  static async open(path: string, options: SqliteOpenOptions = {}): Promise<SqliteStore> {
    if (typeof path !== 'string' || path === '') {
      throw new ValidationError(byokitMessage('sqlite', 'the path must be a non-empty string'), [
        { path: 'path', message: 'must be a non-empty string' },
      ]);
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError(byokitMessage('sqlite', 'options must be an object'), [
        { path: '(options)', message: 'must be an object' },
      ]);
    }
    const { driver, ...storeOptions } = options;
    const store = new SqliteStore(await openSqliteDatabase(path, driver), storeOptions);
    store.#owned = true;
    return store;
  }

  /** The schema version this code needs (applied versions are in `<prefix>migrations`). */
  static readonly schemaVersion = SQLITE_SCHEMA_VERSION;

  /**
   * Applies missing migrations (idempotent; safe from several processes at
   * once). Returns the schema version before and after.
   */
  async migrate(): Promise<{
    /** The schema version before. */
    from: number;
    /** The schema version after. */
    to: number;
  }> {
    return this.#wrap('migrate', () => {
      this.#configureConnection();
      const result = applyMigrations(this.#db, this.#tables);
      this.#ready = true;
      return result;
    });
  }

  /** Closes the connection if {@link open} opened it; a connection you passed in stays open. */
  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#owned) this.#db.close?.();
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    return this.#wrap('createConfig', () =>
      this.#transaction(() => {
        if (record.isDefault) this.#clearOtherDefaults(record.tenantId, record.scope, record.id);
        this.#insertConfig(record, NO_KEYS);
        this.#insertAudit({ ...audit, tenantId: record.tenantId });
        return toConfigRecord(this.#selectRow(record.tenantId, record.id)!);
      }),
    );
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    return this.#wrap('getConfig', () => {
      const row = this.#statement(
        `SELECT ${PUBLIC_CONFIG_COLUMNS} FROM ${this.#tables.configs} WHERE tenant_id = ? AND id = ?`,
      ).get(tenantId, id);
      return row ? toConfigRecord(row as ConfigRow) : null;
    });
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    return this.#wrap('listConfigs', () => {
      const where = ['tenant_id = ?'];
      const params: SqliteValue[] = [tenantId];
      if (query.scope !== undefined) addCondition(where, params, 'scope = ?', query.scope);
      if (query.provider !== undefined) addCondition(where, params, 'provider = ?', query.provider);
      if (query.kekIdNot !== undefined)
        addCondition(where, params, `sealed_key IS NOT NULL AND ${KEK_ID_SQL} IS NOT ?`, query.kekIdNot);
      if (query.cursor !== undefined) addCondition(where, params, 'id > ?', query.cursor);
      params.push(pageFetchLimit(query.limit));
      const rows = this.#statement(
        `SELECT ${PUBLIC_CONFIG_COLUMNS} FROM ${this.#tables.configs} WHERE ${where.join(' AND ')} ORDER BY id ASC LIMIT ?`,
      ).all(...params) as ConfigRow[];
      return pageOf(rows.map(toConfigRecord), query.limit);
    });
  }

  async updateConfig(
    tenantId: string,
    id: string,
    patch: ConfigPatch,
    options: UpdateOptions,
  ): Promise<ConfigRecord | null> {
    return this.#wrap('updateConfig', () =>
      this.#transaction(() => {
        const row = this.#selectRow(tenantId, id);
        if (!row) return null;
        const current = toConfigRecord(row);
        checkExpectedRevision('sqlite', current, options.expectedRevision);
        // Only patchable fields: id, tenant, createdAt and revision never come from a patch.
        const next = applyConfigPatch(current, patch);
        // Also when a default config moves to another scope: it stays the default there, as in MemoryStore.
        if (next.isDefault) this.#clearOtherDefaults(tenantId, next.scope, id);
        const nextSealed = patchedSealedKeys(toCandidateRecord(row), patch);
        const assignments = CONFIG_COLUMNS.slice(2)
          .map((c) => `${c} = ?`)
          .join(', ');
        this.#statement(`UPDATE ${this.#tables.configs} SET ${assignments} WHERE tenant_id = ? AND id = ?`).run(
          ...configValues(next, nextSealed).slice(2),
          tenantId,
          id,
        );
        this.#insertAudit({ ...options.audit, tenantId });
        return storedRecord(next, nextSealed.sealedKey);
      }),
    );
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    return this.#wrap('deleteConfig', () =>
      this.#transaction(() => {
        const result = this.#statement(`DELETE FROM ${this.#tables.configs} WHERE tenant_id = ? AND id = ?`).run(
          tenantId,
          id,
        );
        if (Number(result.changes) === 0) return false;
        this.#statement(`DELETE FROM ${this.#tables.keyHealth} WHERE tenant_id = ? AND config_id = ?`).run(
          tenantId,
          id,
        );
        this.#insertAudit({ ...audit, tenantId });
        return true;
      }),
    );
  }

  async loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    const chain = [...new Set(scopes)];
    if (chain.length === 0) return [];
    return this.#wrap('loadCandidates', () => {
      if (!filter) return this.#selectCandidates(tenantId, chain);
      const { sql, params } = this.#filteredRead(tenantId, chain, filter);
      if (sql === null) return [];
      const rows = this.#statement(sql).all(...params) as ConfigRow[];
      const seen = new Set<string>();
      return rows.filter((row) => !seen.has(row.id) && seen.add(row.id)).map(toCandidateRecord);
    });
  }

  /** Every config of the tenant in `scopes`, with sealed keys: the unfiltered read, shared with `loadAccessKeyCandidates`. */
  #selectCandidates(tenantId: string, scopes: readonly ScopePath[]): SealedConfigRecord[] {
    // One statement for any number of scopes: the list travels as one JSON parameter.
    const rows = this.#statement(
      `SELECT ${SEALED_CONFIG_COLUMNS} FROM ${this.#tables.configs} WHERE tenant_id = ? AND scope IN (SELECT value FROM json_each(?)) ORDER BY id ASC`,
    ).all(tenantId, JSON.stringify(scopes)) as ConfigRow[];
    return rows.map(toCandidateRecord);
  }

  /**
   * The filtered resolution read as one statement: the named config (by id
   * or name, in the chain), and the winner of the walk, found as the best
   * of one `LIMIT 1` seek per group (scope × custom/own) on the usable-config
   * indexes, ranked in walk order; only the winner's row is read whole.
   * The statement's text depends only on the chain's length and the
   * filter's shape: it is built and prepared once per shape.
   */
  #filteredRead(
    tenantId: string,
    chain: readonly string[],
    filter: CandidateFilter,
  ): { sql: string | null; params: SqliteValue[] } {
    const provider = filter.provider;
    const named = filter.config !== null;
    const mode = provider === null ? (named ? 'none' : 'any') : provider === 'custom' ? 'own' : 'routed';
    const pool = filter.pool === true && (mode === 'own' || mode === 'routed');
    const key = `${chain.length}:${mode}:${named}:${pool}`;
    let sql = this.#filteredSql.get(key);
    if (sql === undefined) {
      sql = this.#filteredText(chain.length, mode, named, pool);
      this.#filteredSql.set(key, sql);
    }
    return { sql, params: [tenantId, provider, filter.config, filter.now, JSON.stringify(chain)] };
  }

  /**
   * The text of {@link SqliteStore.#filteredRead} for one shape. The values
   * come in through one `arg` row and are read by scalar subqueries, never
   * compared with `?` directly: with `ANALYZE` statistics (STAT4), SQLite
   * re-prepares a statement on every call whose bound values may change its
   * plan, and this statement is large; read from `arg`, they can't.
   */
  #filteredText(scopes: number, mode: 'none' | 'any' | 'own' | 'routed', named: boolean, pool = false): string | null {
    if (mode === 'none' && !named) return null;
    const t = this.#tables.configs;
    const tenant = '(SELECT tenant FROM arg)';
    const provider = '(SELECT provider FROM arg)';
    const usable =
      'enabled = 1 AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL) AND (key_expires_at IS NULL OR key_expires_at > (SELECT now FROM arg))';
    const parts: string[] = [];
    if (named) {
      parts.push(
        `SELECT ${SEALED_CONFIG_COLUMNS} FROM ${t} WHERE tenant_id = ${tenant} AND (id = (SELECT config FROM arg) OR name = (SELECT config FROM arg)) AND scope IN (SELECT value FROM json_each((SELECT chain FROM arg)))`,
      );
    }
    if (mode !== 'none') {
      const arms: string[] = [];
      const arm = (scope: string, where: string) =>
        arms.push(
          `SELECT * FROM (SELECT id, ${arms.length} AS pick_rank FROM ${t} WHERE tenant_id = ${tenant} AND scope = ${scope} AND ${where} AND ${usable} ORDER BY is_default DESC, id DESC LIMIT 1)`,
        );
      for (let i = 0; i < scopes; i++) {
        const scope = `(SELECT json_extract(chain, '$[${i}]') FROM arg)`;
        if (mode === 'routed')
          arm(scope, `provider = 'custom' AND EXISTS (SELECT 1 FROM json_each(routes) WHERE value = ${provider})`);
        arm(scope, mode === 'any' ? '1 = 1' : `provider = ${provider}`);
      }
      const winner = `SELECT id FROM (${arms.join(' UNION ALL ')}) ORDER BY pick_rank LIMIT 1`;
      // Without a pool: the one-winner statement exactly as it was (no CTE for the planner to weigh).
      if (!pool) {
        parts.push(`SELECT ${SEALED_CONFIG_COLUMNS} FROM ${t} WHERE tenant_id = ${tenant} AND id = (${winner})`);
        return `WITH arg(tenant, provider, config, now, chain) AS (SELECT ?, ?, ?, ?, ?) ${parts.join(' UNION ALL ')}`;
      }
      parts.push(`SELECT ${SEALED_CONFIG_COLUMNS} FROM ${t} WHERE tenant_id = ${tenant} AND id = (SELECT id FROM win)`);
      parts.push(
        `SELECT ${SEALED_CONFIG_COLUMNS} FROM ${t} WHERE tenant_id = ${tenant} AND provider = ${provider} AND ${usable} AND scope = (SELECT scope FROM ${t} WHERE tenant_id = ${tenant} AND id = (SELECT id FROM win) AND provider = ${provider})`,
      );
      return `WITH arg(tenant, provider, config, now, chain) AS (SELECT ?, ?, ?, ?, ?), win(id) AS (${winner}) ${parts.join(' UNION ALL ')}`;
    }
    return `WITH arg(tenant, provider, config, now, chain) AS (SELECT ?, ?, ?, ?, ?) ${parts.join(' UNION ALL ')}`;
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    return this.#wrap('loadSealedConfig', () => {
      const row = this.#selectRow(tenantId, id);
      return row ? toCandidateRecord(row) : null;
    });
  }

  async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    return this.#wrap('listSealedConfigs', () => {
      const cursor = query.cursor === undefined ? '' : 'AND id > ?';
      const rows = this.#statement(
        `SELECT ${SEALED_CONFIG_COLUMNS} FROM ${this.#tables.configs} WHERE tenant_id = ? AND ${ANY_SLOT_UNDER_OTHER_KEK_SQL} ${cursor} ORDER BY id ASC LIMIT ?`,
      ).all(
        ...[
          tenantId,
          ...kekThrice(query.kekIdNot),
          ...(query.cursor === undefined ? [] : [query.cursor]),
          pageFetchLimit(query.limit),
        ],
      ) as ConfigRow[];
      return pageOf(rows.map(toCandidateRecord), query.limit);
    });
  }

  /** Keyset paging over the primary key (tenant_id, id): rows written or swapped behind the cursor never shift a page. */
  async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    return this.#wrap('listSealedConfigsAcrossTenants', () => {
      const after = query.cursor === undefined ? null : decodeStoreCursor(query.cursor);
      const rows = this.#statement(
        `SELECT ${SEALED_CONFIG_COLUMNS} FROM ${this.#tables.configs} WHERE ${ANY_SLOT_UNDER_OTHER_KEK_SQL} ${after ? 'AND (tenant_id, id) > (?, ?)' : ''}
         ORDER BY tenant_id, id LIMIT ?`,
      ).all(...kekThrice(query.kekIdNot), ...(after ?? []), pageFetchLimit(query.limit)) as ConfigRow[];
      return pageOf(rows.map(toCandidateRecord), query.limit, (row) => encodeStoreCursor(row.tenantId, row.id));
    });
  }

  async countKeysByKek({ now }: { now: string }): Promise<KeyCount[]> {
    return this.#wrap('countKeysByKek', () => {
      const t = this.#tables.configs;
      const rows = this.#statement(
        `SELECT kek_id, state, COUNT(*) AS count FROM (
           SELECT ${kekIdSql('sealed_key')} AS kek_id,
             CASE WHEN enabled = 0 THEN 'disabled' WHEN key_expires_at IS NOT NULL AND key_expires_at <= ? THEN 'expired' ELSE 'active' END AS state
           FROM ${t} WHERE sealed_key IS NOT NULL
           UNION ALL SELECT ${kekIdSql('pending_sealed_key')}, 'pending' FROM ${t} WHERE pending_sealed_key IS NOT NULL
           UNION ALL SELECT ${kekIdSql('previous_sealed_key')}, 'previous' FROM ${t} WHERE previous_sealed_key IS NOT NULL
         ) GROUP BY kek_id, state`,
      ).all(now) as { kek_id: string | null; state: StoredKeyState; count: number | bigint }[];
      return rows.map((row) => ({ kekId: row.kek_id, state: row.state, count: Number(row.count) }));
    });
  }

  /** One transaction: each swap is an UPDATE guarded by the stored sealed key, and its event only if it applied. */
  async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    if (swaps.length === 0) return [];
    return this.#wrap('swapSealedKeys', () =>
      this.#transaction(() =>
        swaps.map((swap) => {
          const result = this.#statement(
            `UPDATE ${this.#tables.configs} SET sealed_key = ?, updated_at = ?, revision = revision + 1 WHERE tenant_id = ? AND id = ? AND sealed_key = ?`,
          ).run(swap.to, swap.updatedAt, tenantId, swap.id, swap.from);
          if (Number(result.changes) !== 1) return false;
          this.#insertAudit({ ...swap.audit, tenantId });
          return true;
        }),
      ),
    );
  }

  /**
   * One transaction: each item's INSERT either applies or fails on a unique
   * index (id, name, one default per scope) alone, which SQLite undoes for
   * that statement only: a `'conflict'`, the rest go on. Any other failure
   * (an audit insert, the disk) rolls the whole call back.
   */
  async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    if (items.length === 0) return [];
    return this.#wrap('importConfigs', () =>
      this.#transaction(() =>
        items.map(({ record, sealedKey, audit }): ImportOutcome => {
          try {
            this.#insertConfig({ ...record, tenantId }, { ...NO_KEYS, sealedKey });
          } catch (error) {
            if (error instanceof Error && UNIQUE_ANY.test(error.message)) return 'conflict';
            throw error;
          }
          for (const event of audit) this.#insertAudit({ ...event, tenantId });
          return 'created';
        }),
      ),
    );
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    return this.#wrap('listAudit', () => {
      const where = ['tenant_id = ?'];
      const params: SqliteValue[] = [tenantId];
      if (query.configId !== undefined) addCondition(where, params, 'config_id = ?', query.configId);
      if (query.type !== undefined) addCondition(where, params, 'type = ?', query.type);
      if (query.cursor !== undefined) addCondition(where, params, 'id < ?', query.cursor);
      params.push(pageFetchLimit(query.limit));
      const rows = this.#statement(
        `SELECT ${AUDIT_COLUMNS.join(', ')} FROM ${this.#tables.audit} WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
      ).all(...params) as AuditRow[];
      return pageOf(rows.map(toAuditEvent), query.limit);
    });
  }

  async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    { audit }: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    const t = this.#tables;
    return this.#wrap('recordKeyHealth', () =>
      this.#transaction(() => {
        if (
          !this.#statement(`SELECT 1 AS found FROM ${t.configs} WHERE tenant_id = ? AND id = ?`).get(tenantId, configId)
        )
          return null;
        const row = this.#statement(
          `SELECT ${KEY_HEALTH_COLUMNS.join(', ')} FROM ${t.keyHealth} WHERE tenant_id = ? AND config_id = ?`,
        ).get(tenantId, configId);
        const result = mergeKeyHealth(row ? toKeyHealth(row as KeyHealthRow) : null, tenantId, configId, change);
        this.#statement(
          `INSERT OR REPLACE INTO ${t.keyHealth} (${KEY_HEALTH_COLUMNS.join(', ')}) VALUES (${KEY_HEALTH_COLUMNS.map(() => '?').join(', ')})`,
        ).run(...keyHealthValues(result.health));
        if (result.transition) this.#insertAudit({ ...audit[result.transition], tenantId });
        return result;
      }),
    );
  }

  async getSettings(tenantId: string): Promise<SettingsRecord | null> {
    return this.#wrap('getSettings', () => this.#selectSettings(tenantId));
  }

  async putSettings(record: SettingsRecord, { audit, expectedRevision }: PutSettingsOptions): Promise<SettingsRecord> {
    return this.#wrap('putSettings', () =>
      this.#transaction(() => {
        // Inside BEGIN IMMEDIATE: no other writer between this read and the write.
        if ((this.#selectSettings(record.tenantId)?.revision ?? 0) !== expectedRevision) {
          throw new ConflictError(
            'CONCURRENT_UPDATE',
            byokitMessage('sqlite', `the settings of tenant "${record.tenantId}" changed since they were read`),
          );
        }
        this.#statement(
          `INSERT INTO ${this.#tables.settings} (tenant_id, document, revision, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET document = excluded.document, revision = excluded.revision, updated_at = excluded.updated_at`,
        ).run(record.tenantId, JSON.stringify(record.document), record.revision, record.updatedAt);
        this.#insertAudit({ ...audit, tenantId: record.tenantId });
        return this.#selectSettings(record.tenantId)!;
      }),
    );
  }

  async putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void> {
    this.#cooldowns.put(tenantId, cooldown, new Date().toISOString());
  }

  async loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]> {
    return this.#cooldowns.load(tenantId, configIds, now);
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    if (configIds.length === 0) return [];
    return this.#wrap('loadKeyHealth', () => {
      const rows = this.#statement(
        `SELECT ${KEY_HEALTH_COLUMNS.join(', ')} FROM ${this.#tables.keyHealth} WHERE tenant_id = ? AND config_id IN (SELECT value FROM json_each(?))`,
      ).all(tenantId, JSON.stringify(configIds)) as KeyHealthRow[];
      return rows.map(toKeyHealth);
    });
  }

  async createAccessKey(record: AccessKeyRecord, { audit }: WriteOptions): Promise<AccessKeyRecord> {
    return this.#wrap('createAccessKey', () =>
      this.#transaction(() => {
        this.#statement(
          `INSERT INTO ${this.#tables.accessKeys} (${ACCESS_KEY_COLUMNS.join(', ')}) VALUES (${ACCESS_KEY_COLUMNS.map(() => '?').join(', ')})`,
        ).run(...accessKeyValues(record));
        this.#insertAudit({ ...audit, tenantId: record.tenantId });
        return this.#selectAccessKey(record.tenantId, record.id)!;
      }),
    );
  }

  async getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null> {
    return this.#wrap('getAccessKey', () => this.#selectAccessKey(tenantId, id));
  }

  async listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>> {
    return this.#wrap('listAccessKeys', () => {
      const rows = this.#statement(
        `SELECT ${ACCESS_KEY_COLUMNS.join(', ')} FROM ${this.#tables.accessKeys} WHERE tenant_id = ? AND id > ? ORDER BY id ASC LIMIT ?`,
      ).all(tenantId, query.cursor ?? '', pageFetchLimit(query.limit)) as AccessKeyRow[];
      return pageOf(rows.map(toAccessKey), query.limit);
    });
  }

  async revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    { audit }: WriteOptions,
  ): Promise<AccessKeyRecord | null> {
    return this.#wrap('revokeAccessKey', () =>
      this.#transaction(() => {
        const result = this.#statement(
          `UPDATE ${this.#tables.accessKeys} SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`,
        ).run(revokedAt, tenantId, id);
        if (Number(result.changes) === 1) this.#insertAudit({ ...audit, tenantId });
        return this.#selectAccessKey(tenantId, id);
      }),
    );
  }

  async loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null> {
    return this.#wrap('loadAccessKeyCandidates', () =>
      // One read transaction: the key, its candidates and its settings from one snapshot of the file.
      this.#transaction(() => {
        const row = this.#statement(
          `SELECT ${ACCESS_KEY_COLUMNS.join(', ')} FROM ${this.#tables.accessKeys} WHERE id = ?`,
        ).get(id) as AccessKeyRow | undefined;
        if (!row) return null;
        const accessKey = toAccessKey(row);
        return {
          accessKey,
          candidates: this.#selectCandidates(accessKey.tenantId, scopeChain(accessKey.scope)),
          settings: this.#selectSettings(accessKey.tenantId),
        };
      }, 'BEGIN'),
    );
  }

  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    return this.#wrap('useAccessKey', () =>
      // BEGIN IMMEDIATE takes the write lock first: the check and the count are one step for every process on the file.
      this.#transaction(() => {
        const c = this.#statement(
          `SELECT requests_window, requests, tokens_window, tokens FROM ${this.#tables.accessKeyCounters} WHERE tenant_id = ? AND key_id = ?`,
        ).get(tenantId, id) as
          | {
              requests_window: string | null;
              requests: number | bigint;
              tokens_window: string | null;
              tokens: number | bigint;
            }
          | undefined;
        const requests = use.requests && c?.requests_window === use.requests.window ? Number(c.requests) : 0;
        const tokens = use.tokens && c?.tokens_window === use.tokens.window ? Number(c.tokens) : 0;
        const exceeded =
          use.tokens && tokens >= use.tokens.limit
            ? 'tokens'
            : use.requests && requests >= use.requests.limit
              ? 'requests'
              : null;
        if (exceeded) return { exceeded, requests, tokens };
        if (use.requests) {
          this.#statement(
            `INSERT INTO ${this.#tables.accessKeyCounters} (tenant_id, key_id, requests_window, requests) VALUES (?, ?, ?, ?)
             ON CONFLICT (tenant_id, key_id) DO UPDATE SET requests_window = excluded.requests_window, requests = excluded.requests`,
          ).run(tenantId, id, use.requests.window, requests + 1);
        }
        this.#addUsage(tenantId, id, use.period, 1, 0);
        return { exceeded, requests: use.requests ? requests + 1 : 0, tokens };
      }),
    );
  }

  async chargeAccessKeyTokens(tenantId: string, id: string, charge: TokenCharge): Promise<void> {
    return this.#wrap('chargeAccessKeyTokens', () =>
      this.#transaction(() => {
        this.#addUsage(tenantId, id, charge.period, 0, charge.tokens);
        if (charge.window === undefined) return;
        this.#statement(
          `INSERT INTO ${this.#tables.accessKeyCounters} (tenant_id, key_id, tokens_window, tokens) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, key_id) DO UPDATE SET
             tokens = CASE WHEN tokens_window = excluded.tokens_window THEN tokens + excluded.tokens ELSE excluded.tokens END,
             tokens_window = excluded.tokens_window`,
        ).run(tenantId, id, charge.window, charge.tokens);
      }),
    );
  }

  async listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>> {
    return this.#wrap('listAccessKeyUsage', () => {
      const where = ['tenant_id = ?'];
      const params: SqliteValue[] = [tenantId];
      if (query.keyId !== undefined) addCondition(where, params, 'key_id = ?', query.keyId);
      if (query.from !== undefined) addCondition(where, params, 'period >= ?', query.from);
      if (query.to !== undefined) addCondition(where, params, 'period <= ?', query.to);
      if (query.cursor !== undefined)
        addCondition(where, params, '(period, key_id) > (?, ?)', ...usageCursor(query.cursor));
      params.push(pageFetchLimit(query.limit));
      const rows = this.#statement(
        `SELECT tenant_id, key_id, period, requests, tokens FROM ${this.#tables.accessKeyUsage} WHERE ${where.join(' AND ')} ORDER BY period, key_id LIMIT ?`,
      ).all(...params) as Parameters<typeof toUsage>[0][];
      return pageOf(rows.map(toUsage), query.limit, (row) => `${row.period}:${row.keyId}`);
    });
  }

  #selectSettings(tenantId: string): SettingsRecord | null {
    const row = this.#statement(
      `SELECT tenant_id, document, revision, updated_at FROM ${this.#tables.settings} WHERE tenant_id = ?`,
    ).get(tenantId);
    return row ? toSettings(row as Parameters<typeof toSettings>[0]) : null;
  }

  #selectAccessKey(tenantId: string, id: string): AccessKeyRecord | null {
    const row = this.#statement(
      `SELECT ${ACCESS_KEY_COLUMNS.join(', ')} FROM ${this.#tables.accessKeys} WHERE tenant_id = ? AND id = ?`,
    ).get(tenantId, id);
    return row ? toAccessKey(row as AccessKeyRow) : null;
  }

  #addUsage(tenantId: string, keyId: string, period: string, requests: number, tokens: number): void {
    this.#statement(
      `INSERT INTO ${this.#tables.accessKeyUsage} (tenant_id, period, key_id, requests, tokens) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, period, key_id) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens`,
    ).run(tenantId, period, keyId, requests, tokens);
  }

  /** Runs `fn` with the schema ready, turning backend failures into `StoreError` (typed errors pass through). */
  #wrap<T>(operation: string, fn: () => T): Promise<T> {
    try {
      if (operation !== 'migrate') this.#ensureReady();
      return Promise.resolve(fn());
    } catch (error) {
      if (error instanceof ByokitError) return Promise.reject(error);
      // The driver's message may name columns but never bound values; it stays in `cause`.
      return Promise.reject(
        new StoreError('STORE_FAILED', byokitMessage('sqlite', `${operation} failed${errorCode(error)}`), {
          cause: error,
        }),
      );
    }
  }

  #ensureReady(): void {
    if (this.#ready) return;
    this.#configureConnection();
    if (this.#autoMigrate) {
      applyMigrations(this.#db, this.#tables);
    } else {
      const version = appliedVersion(this.#db, this.#tables);
      if (version < SQLITE_SCHEMA_VERSION) {
        throw new StoreError(
          'STORE_FAILED',
          byokitMessage(
            'sqlite',
            `the database schema is at version ${version}, this byokit needs ${SQLITE_SCHEMA_VERSION}: call store.migrate() (autoMigrate is off)`,
          ),
        );
      }
    }
    this.#ready = true;
  }

  #configureConnection(): void {
    if (!this.#configure || this.#configured) return;
    this.#db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA busy_timeout = ${Math.max(0, Math.floor(this.#busyTimeoutMs))}; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;`,
    );
    this.#configured = true;
  }

  /**
   * All-or-nothing: with `BEGIN IMMEDIATE` (the default) the write lock is
   * taken at BEGIN, so reads inside see no other writer; a plain `BEGIN`
   * gives a read with one snapshot.
   */
  #transaction<T>(fn: () => T, begin: 'BEGIN IMMEDIATE' | 'BEGIN' = 'BEGIN IMMEDIATE'): T {
    this.#db.exec(begin);
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // SQLite already rolled back (e.g. on SQLITE_FULL); the original error is the one to report.
      }
      if (error instanceof Error && UNIQUE_NAME.test(error.message)) {
        throw new ConflictError(
          'NAME_TAKEN',
          byokitMessage('sqlite', 'a config of that name already exists in this tenant'),
        );
      }
      throw error;
    }
  }

  #statement(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #selectRow(tenantId: string, id: string): ConfigRow | undefined {
    return this.#statement(
      `SELECT ${SEALED_CONFIG_COLUMNS} FROM ${this.#tables.configs} WHERE tenant_id = ? AND id = ?`,
    ).get(tenantId, id) as ConfigRow | undefined;
  }

  #insertConfig(record: ConfigRecord, sealed: SealedValues): void {
    this.#statement(
      `INSERT INTO ${this.#tables.configs} (${CONFIG_COLUMNS.join(', ')}) VALUES (${CONFIG_COLUMNS.map(() => '?').join(', ')})`,
    ).run(...configValues(record, sealed));
  }

  #insertAudit(event: AuditEvent): void {
    this.#statement(
      `INSERT INTO ${this.#tables.audit} (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map(() => '?').join(', ')})`,
    ).run(...auditValues(event));
  }

  #clearOtherDefaults(tenantId: string, scope: ScopePath, keepId: string): void {
    this.#statement(
      `UPDATE ${this.#tables.configs} SET is_default = 0 WHERE tenant_id = ? AND scope = ? AND is_default = 1 AND id <> ?`,
    ).run(tenantId, scope, keepId);
  }
}
