/**
 * The PostgreSQL storage adapter.
 *
 * Every call is ONE statement, and every write carries its audit insert in
 * that statement as a data-modifying CTE. A statement is atomic on its own,
 * so a change and its audit event commit together (if the audit insert
 * fails, the change is rolled back with it) without BEGIN/COMMIT. That is
 * what lets one code path serve a `pg` Pool (no connection checkout: a
 * BEGIN sent through `pool.query` could land on another connection than
 * its COMMIT), a single `pg` Client (concurrent callers' BEGIN/COMMIT
 * would interleave on the one connection) and PGlite alike.
 *
 * Exclusive defaults. A statement that sets a default first locks every
 * config of the target (tenant, scope), and the written record itself, in
 * one `SELECT ... ORDER BY id FOR UPDATE`, then clears whichever rows that
 * lock reports as default, and only if the locked version of the written
 * record says the write applies (it exists, its revision is the expected
 * one) and leaves it default; data-modifying CTEs all run whether or not
 * the main UPDATE matches, so the clearing must check that itself. Under
 * READ COMMITTED a row lock waits for the previous writer and yields the
 * row's newest committed version (not the statement's snapshot), so
 * concurrent "set default" calls on one scope queue on the locks in id
 * order (no deadlock) and each sees and clears the previous winner. An
 * advisory lock taken inside the statement would not do: the statement's
 * snapshot predates the lock, so it could not see the previous winner's
 * row. What row locks cannot see is a row inserted after the snapshot (a
 * concurrent create of a new default); the partial unique index then
 * rejects the write with 23505 and the statement is simply run again with
 * a fresh snapshot, as are deadlocks and serialization failures.
 *
 * @module
 */
import { ConflictError, StoreError, ValidationError } from '../../src/errors.js';
import type {
  AuditEvent,
  AuditQuery,
  CandidateFilter,
  SealedConfigRecord,
  ConfigImport,
  ConfigPatch,
  ConfigQuery,
  ConfigRecord,
  KeyHealthChange,
  KeyHealthRecord,
  KeyHealthResult,
  KeyHealthWriteOptions,
  ImportOutcome,
  Page,
  ScopePath,
  SealedConfigQuery,
  SealedKeySwap,
  KeyCount,
  StoredKeyState,
  StoreSealedConfigQuery,
  StorageAdapter,
  StoreCapabilities,
  UpdateOptions,
  WriteOptions,
} from '../../src/store/types.js';
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
import type { KeyCooldownRecord } from '../../src/store/cooldown-storage.js';
import type { PutSettingsOptions, SettingsRecord } from '../../src/store/settings-storage.js';
import {
  ACCESS_KEY_COLUMNS,
  SETTINGS_COLUMNS,
  USAGE_COLUMNS,
  accessKeyValues,
  toAccessKey,
  toSettings,
  toUsage,
} from './access-rows.js';
import { isRetryable, sqlState, toStoreError } from './errors.js';
import { KEY_HEALTH_COLUMNS, recordKeyHealthStatement, toKeyHealth } from './key-health-sql.js';
import { migrateStatement, postgresMigrations } from './migrations.js';
import { decodeStoreCursor, encodeStoreCursor } from '../../src/store/key-counts.js';
import { tableNames } from './names.js';
import type { PostgresLocation, TableNames } from './names.js';
import { isNamedStatementClient, statementName, type PostgresQueryable, type PostgresRow } from './queryable.js';
import {
  AUDIT_COLUMNS,
  AUDIT_JSON_COLUMNS,
  IMPORT_JSON_COLUMNS,
  IMPORT_JSON_VALUES,
  INSERT_COLUMNS,
  auditJson,
  auditJsonValues,
  KEK_ID_SQL,
  PATCH_COLUMNS,
  RECORD_COLUMNS,
  SEALED_SELECT,
  anySlotUnderOtherKek,
  kekIdSql,
  nullableText,
  SqlParams,
  auditValues,
  json,
  recordValues,
  toAuditEvent,
  toCandidate,
  toRecord,
} from './rows.js';
import { byokitMessage } from '../../src/message.js';
import { pageFetchLimit, pageOf } from '../../src/store/adapter-helpers.js';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions extends PostgresLocation {
  /**
   * How many times a write that lost a race it could not see coming (see
   * the module notes) is run again before its error is reported. Default
   * 100. A 23505 on the default index means another writer just committed
   * a default in that scope, so each retry follows someone else's progress;
   * N concurrent creates of a default in one scope need at most about N
   * rounds. Concurrent set-default updates of existing configs of one scope
   * queue on row locks instead and need no retry.
   */
  maxAttempts?: number;
  /**
   * Send the hot statements (the resolution read, one-row reads, rewrap and
   * import batches) as named prepared statements, so PostgreSQL parses and
   * plans them once per connection instead of on every call. Needs a client
   * whose `query` takes `{ name, text, values }`: the default is `true` for
   * a `pg` Pool, Client or PoolClient and `false` for anything else (PGlite,
   * a wrapper of your own). After a schema change of the byokit tables
   * while the pool is open, recycle its connections.
   */
  namedStatements?: boolean;
}

/**
 * {@link StorageAdapter} over PostgreSQL, through any client with
 * `query(text, params)`: a `pg` Pool or Client, PGlite, ...
 *
 * Create the tables with {@link PostgresStore.migrate} (safe to run from
 * several processes at once) or with the SQL of {@link postgresMigrations}
 * in your own migration tool.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { PostgresStore } from 'byokit/adapters/postgres';
 *
 * const store = new PostgresStore(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await store.migrate();
 * const vault = createVault({ store, keyring: Keyring.fromEnv() });
 * ```
 */
export class PostgresStore implements StorageAdapter {
  readonly name = 'postgres';
  /** Each change and its audit event are one atomic statement. */
  readonly capabilities: StoreCapabilities = { transactions: true };

  readonly #client: PostgresQueryable;
  readonly #t: TableNames;
  readonly #location: PostgresLocation;
  readonly #maxAttempts: number;
  readonly #named: boolean;
  /** Text of the filtered resolution read, per shape of filter (see `#filteredRead`). */
  readonly #filteredSql = new Map<string, string>();

  /**
   * @param client - a `pg` Pool or Client, PGlite, or anything with `query(text, params)`.
   * @param options - schema (default `public`) and table prefix (default `byokit_`).
   * @throws ValidationError if the schema or prefix is not a plain identifier.
   */
  constructor(client: PostgresQueryable, options: PostgresStoreOptions = {}) {
    if (typeof (client as Partial<PostgresQueryable> | null)?.query !== 'function') {
      throw new StoreError(
        'ADAPTER_INVALID',
        byokitMessage('postgres', 'the client must have a query(text, params) method'),
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError(byokitMessage('postgres', 'options must be an object'), [
        { path: '(options)', message: 'must be an object' },
      ]);
    }
    if (options.maxAttempts !== undefined && !(Number.isSafeInteger(options.maxAttempts) && options.maxAttempts >= 1)) {
      throw new ValidationError(byokitMessage('postgres', 'maxAttempts must be a positive integer'), [
        { path: 'maxAttempts', message: 'must be a positive integer' },
      ]);
    }
    this.#client = client;
    this.#location = { schema: options.schema, tablePrefix: options.tablePrefix };
    this.#t = tableNames(this.#location);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 100);
    if (options.namedStatements !== undefined && typeof options.namedStatements !== 'boolean') {
      throw new ValidationError(byokitMessage('postgres', 'namedStatements must be a boolean'), [
        { path: 'namedStatements', message: 'must be a boolean' },
      ]);
    }
    this.#named = options.namedStatements ?? isNamedStatementClient(client);
  }

  /**
   * Creates or upgrades the tables. Idempotent; concurrent calls (several
   * processes starting at once) serialise on an advisory lock, and each
   * migration is applied with its bookkeeping row in one transaction.
   */
  async migrate(): Promise<void> {
    await this.#run('migrate', migrateStatement(this.#t, postgresMigrations(this.#location)), []);
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    const p = new SqlParams();
    const t = this.#t;
    const ctes: string[] = [];
    const tenant = p.add(record.tenantId, 'text');
    let after = '';
    if (record.isDefault) {
      ctes.push(...this.#clearDefaults(tenant, p.add(record.id, 'text'), p.add(record.scope, 'text'), 'true'));
      after = 'WHERE (SELECT count(*) FROM cleared) >= 0';
    }
    ctes.push(
      `inserted AS (
        INSERT INTO ${t.configs} (${INSERT_COLUMNS})
        SELECT ${recordValues(p, record)} ${after}
        RETURNING ${RECORD_COLUMNS})`,
      `audited AS (INSERT INTO ${t.audit} (${AUDIT_COLUMNS}) SELECT ${auditValues(p, audit, tenant)} FROM inserted)`,
    );
    const rows = await this.#write('createConfig', `WITH ${ctes.join(',\n')}\nSELECT * FROM inserted`, p.values);
    const row = rows[0];
    if (!row) throw new StoreError('STORE_FAILED', byokitMessage('postgres', 'createConfig returned no row'));
    return toRecord(row);
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    const rows = await this.#run(
      'getConfig',
      `SELECT ${RECORD_COLUMNS} FROM ${this.#t.configs} WHERE tenant_id = $1::text AND id = $2::text`,
      [tenantId, id],
      true,
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const p = new SqlParams();
    const where = [`tenant_id = ${p.add(tenantId, 'text')}`];
    if (query.scope !== undefined) where.push(`scope = ${p.add(query.scope, 'text')}`);
    if (query.provider !== undefined) where.push(`provider = ${p.add(query.provider, 'text')}`);
    if (query.kekIdNot !== undefined)
      where.push(`sealed_key IS NOT NULL AND ${KEK_ID_SQL} IS DISTINCT FROM ${p.add(query.kekIdNot, 'text')}`);
    if (query.cursor !== undefined) where.push(`id > ${p.add(query.cursor, 'text')}`);
    const rows = await this.#run(
      'listConfigs',
      `SELECT ${RECORD_COLUMNS} FROM ${this.#t.configs} WHERE ${where.join(' AND ')}
       ORDER BY id LIMIT ${p.add(pageFetchLimit(query.limit), 'integer')}`,
      p.values,
    );
    return pageOf(rows.map(toRecord), query.limit);
  }

  async updateConfig(
    tenantId: string,
    id: string,
    patch: ConfigPatch,
    options: UpdateOptions,
  ): Promise<ConfigRecord | null> {
    const p = new SqlParams();
    const t = this.#t;
    const tenant = p.add(tenantId, 'text');
    const target = p.add(id, 'text');
    const sets: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      const column = PATCH_COLUMNS[field as keyof ConfigPatch];
      if (column && value !== undefined) sets.push(`${column[0]} = ${p.add(value, column[1])}`);
    }
    sets.push('revision = revision + 1');

    // `target` is the record as the statement's snapshot sees it: whether it exists, and its scope.
    const ctes = [
      `target AS (SELECT scope, revision FROM ${t.configs} WHERE tenant_id = ${tenant} AND id = ${target})`,
    ];
    const conditions = [`tenant_id = ${tenant}`, `id = ${target}`];
    const expected = options.expectedRevision === undefined ? undefined : p.add(options.expectedRevision, 'integer');
    if (expected !== undefined) conditions.push(`revision = ${expected}`);
    // The record may end up default in its (possibly new) scope: the others there must lose it.
    if (patch.isDefault === true || (patch.scope !== undefined && patch.isDefault === undefined)) {
      const scope = patch.scope === undefined ? '(SELECT scope FROM target)' : p.add(patch.scope, 'text');
      // Read from the LOCKED (newest committed) version of the record, never from the snapshot:
      // the update must apply (exists, revision matches), and the record must end up default.
      const rules = [`l.id = ${target}`];
      if (expected !== undefined)
        rules.push(`l.revision = ${expected}`, `EXISTS (SELECT 1 FROM target WHERE target.revision = ${expected})`);
      if (patch.isDefault !== true) rules.push('l.is_default');
      // A record moved away since the snapshot is not in the locked scope: clear nothing there;
      // the unique index catches a default in its new scope (23505, run again).
      if (patch.scope === undefined) rules.push(`l.scope = ${scope}`);
      ctes.push(
        ...this.#clearDefaults(
          tenant,
          target,
          scope,
          `EXISTS (SELECT 1 FROM locked AS l WHERE ${rules.join(' AND ')})`,
        ),
      );
      conditions.push('(SELECT count(*) FROM cleared) >= 0');
    }
    ctes.push(
      `updated AS (
        UPDATE ${t.configs} SET ${sets.join(', ')}
        WHERE ${conditions.join(' AND ')}
        RETURNING ${RECORD_COLUMNS})`,
      `audited AS (INSERT INTO ${t.audit} (${AUDIT_COLUMNS}) SELECT ${auditValues(p, options.audit, tenant)} FROM updated)`,
    );
    // One row always: whether the config existed (in the snapshot) and, if the update applied, the new record.
    const sql = `WITH ${ctes.join(',\n')}
      SELECT (SELECT count(*) FROM target)::integer AS found, updated.*
      FROM (SELECT 1) AS one LEFT JOIN updated ON true`;
    const row = (await this.#write('updateConfig', sql, p.values))[0];
    if (row && row.id !== null && row.id !== undefined) return toRecord(row);
    if (row && Number(row.found) === 1 && options.expectedRevision !== undefined) {
      throw new ConflictError('CONCURRENT_UPDATE', byokitMessage('postgres', `config ${id} changed since it was read`));
    }
    return null;
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    const p = new SqlParams();
    const t = this.#t;
    const tenant = p.add(tenantId, 'text');
    const sql = `WITH deleted AS (
        DELETE FROM ${t.configs} WHERE tenant_id = ${tenant} AND id = ${p.add(id, 'text')} RETURNING id),
      audited AS (INSERT INTO ${t.audit} (${AUDIT_COLUMNS}) SELECT ${auditValues(p, audit, tenant)} FROM deleted)
      SELECT count(*)::integer AS deleted FROM deleted`;
    const rows = await this.#write('deleteConfig', sql, p.values);
    return Number(rows[0]?.deleted) === 1;
  }

  async loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    // Scopes travel as one JSON array: the same parameter works on every client (no driver array encoding).
    if (!filter) {
      const rows = await this.#run(
        'loadCandidates',
        `SELECT ${RECORD_COLUMNS}, ${SEALED_SELECT} FROM ${this.#t.configs}
         WHERE tenant_id = $1::text AND scope IN (SELECT jsonb_array_elements_text($2::jsonb))
         ORDER BY id`,
        [tenantId, JSON.stringify(scopes)],
        true,
      );
      return rows.map(toCandidate);
    }
    const read = this.#filteredRead(tenantId, scopes, filter);
    const rows = await this.#run('loadCandidates', read.sql, read.params, true);
    const seen = new Set<string>();
    return rows.filter((row) => !seen.has(String(row.id)) && seen.add(String(row.id))).map(toCandidate);
  }

  /**
   * The filtered resolution read, one statement: the named config (by id or
   * by name, in the chain) and the winner of the walk. The winner is found
   * with one LATERAL `LIMIT 1` seek per scope and group (custom endpoints
   * routing the provider, then the provider's own configs) on the
   * usable-config indexes of migration 003, ranked in walk order: flat in
   * the tenant's size. Its text depends only on the filter's shape, so it
   * is a named statement, planned once per connection.
   */
  #filteredRead(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter: CandidateFilter,
  ): { sql: string; params: unknown[] } {
    const provider = filter.provider;
    const named = filter.config !== null;
    const mode = provider === null ? (named ? 'none' : 'any') : provider === 'custom' ? 'own' : 'routed';
    // Parameters in the order the text numbers them: tenant, chain, [config], [now, [provider]].
    const params: unknown[] = [tenantId, JSON.stringify(scopes)];
    if (named) params.push(filter.config);
    if (mode !== 'none') params.push(filter.now);
    if (mode === 'own' || mode === 'routed') params.push(provider);
    const pool = filter.pool === true && (mode === 'own' || mode === 'routed');
    const key = `${mode}:${named}:${pool}`;
    let sql = this.#filteredSql.get(key);
    if (sql === undefined) {
      sql = this.#filteredText(mode, named, pool);
      this.#filteredSql.set(key, sql);
    }
    return { sql, params };
  }

  /** The text of {@link PostgresStore.#filteredRead} for one shape of filter. */
  #filteredText(mode: 'none' | 'any' | 'own' | 'routed', named: boolean, pool = false): string {
    const t = this.#t;
    const p = new SqlParams();
    const tenant = p.add(null, 'text');
    const chain = p.add(null, 'jsonb');
    const parts: string[] = [];
    const select = `SELECT ${RECORD_COLUMNS}, ${SEALED_SELECT} FROM ${t.configs}`;
    if (named) {
      const config = p.add(null, 'text');
      const inChain = `scope IN (SELECT jsonb_array_elements_text(${chain}))`;
      parts.push(
        `${select} WHERE tenant_id = ${tenant} AND id = ${config} AND ${inChain}`,
        `${select} WHERE tenant_id = ${tenant} AND name = ${config} AND ${inChain}`,
      );
    }
    if (mode !== 'none') {
      const now = p.add(null, 'text');
      const usable = `enabled AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL) AND (key_expires_at IS NULL OR key_expires_at COLLATE "C" > ${now})`;
      const seek = (group: number, where: string) =>
        `(SELECT id, ${group} AS grp FROM ${t.configs} WHERE tenant_id = ${tenant} AND scope = chain.scope AND ${where} AND ${usable}
          ORDER BY is_default DESC, id DESC LIMIT 1)`;
      let groups: string;
      let provider = '';
      if (mode === 'any') groups = seek(0, 'true');
      else {
        provider = p.add(null, 'text');
        const own = seek(1, `provider = ${provider}`);
        groups =
          mode === 'own'
            ? own
            : `${seek(0, `provider = 'custom' AND routes @> jsonb_build_array(${provider})`)} UNION ALL ${own}`;
      }
      const winner = `SELECT pick.id, pick.grp, chain.scope FROM jsonb_array_elements_text(${chain}) WITH ORDINALITY AS chain(scope, ord)
        CROSS JOIN LATERAL (${groups}) AS pick
        ORDER BY chain.ord, pick.grp LIMIT 1`;
      if (!pool) {
        // Without a pool: the one-winner statement exactly as it was.
        parts.push(`${select} WHERE tenant_id = ${tenant} AND id = (
        SELECT pick.id FROM jsonb_array_elements_text(${chain}) WITH ORDINALITY AS chain(scope, ord)
        CROSS JOIN LATERAL (${groups}) AS pick
        ORDER BY chain.ord, pick.grp LIMIT 1)`);
      } else {
        // The winner and its pool (the other usable configs of its scope, when it is one of the provider's own): one statement.
        const poolRows = `${select} WHERE tenant_id = ${tenant} AND provider = ${provider} AND ${usable} AND scope = (SELECT scope FROM win WHERE grp = 1)`;
        const text = [...parts, `${select} WHERE tenant_id = ${tenant} AND id = (SELECT id FROM win)`, poolRows]
          .map((part) => `(${part})`)
          .join('\nUNION ALL\n');
        return `WITH win AS (${winner})\n${text}`;
      }
    }
    return parts.length === 1 ? parts[0]! : parts.map((part) => `(${part})`).join('\nUNION ALL\n');
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    const rows = await this.#run(
      'loadSealedConfig',
      `SELECT ${RECORD_COLUMNS}, ${SEALED_SELECT} FROM ${this.#t.configs} WHERE tenant_id = $1::text AND id = $2::text`,
      [tenantId, id],
      true,
    );
    return rows[0] ? toCandidate(rows[0]) : null;
  }

  async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const p = new SqlParams();
    const where = [`tenant_id = ${p.add(tenantId, 'text')}`, anySlotUnderOtherKek(p.add(query.kekIdNot, 'text'))];
    if (query.cursor !== undefined) where.push(`id > ${p.add(query.cursor, 'text')}`);
    const rows = await this.#run(
      'listSealedConfigs',
      `SELECT ${RECORD_COLUMNS}, ${SEALED_SELECT} FROM ${this.#t.configs} WHERE ${where.join(' AND ')}
       ORDER BY id LIMIT ${p.add(pageFetchLimit(query.limit), 'integer')}`,
      p.values,
      true,
    );
    return pageOf(rows.map(toCandidate), query.limit);
  }

  /**
   * Keyset paging over the primary key (tenant_id, id): configs written or
   * swapped behind the cursor never shift a page, and each page is one
   * index range scan from the cursor.
   */
  async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const p = new SqlParams();
    const where = [anySlotUnderOtherKek(p.add(query.kekIdNot, 'text'))];
    const after = query.cursor === undefined ? null : decodeStoreCursor(query.cursor);
    if (after) where.push(`(tenant_id, id) > (${p.add(after[0], 'text')}, ${p.add(after[1], 'text')})`);
    const rows = await this.#run(
      'listSealedConfigsAcrossTenants',
      `SELECT ${RECORD_COLUMNS}, ${SEALED_SELECT} FROM ${this.#t.configs} WHERE ${where.join(' AND ')}
       ORDER BY tenant_id, id LIMIT ${p.add(pageFetchLimit(query.limit), 'integer')}`,
      p.values,
      true,
    );
    return pageOf(rows.map(toCandidate), query.limit, (row) => encodeStoreCursor(row.tenantId, row.id));
  }

  async countKeysByKek({ now }: { now: string }): Promise<KeyCount[]> {
    const t = this.#t;
    const rows = await this.#run(
      'countKeysByKek',
      `SELECT kek_id, state, count(*)::integer AS count FROM (
         SELECT ${kekIdSql('sealed_key')} AS kek_id,
           CASE WHEN NOT enabled THEN 'disabled' WHEN key_expires_at COLLATE "C" <= $1::text THEN 'expired' ELSE 'active' END AS state
         FROM ${t.configs} WHERE sealed_key IS NOT NULL
         UNION ALL SELECT ${kekIdSql('pending_sealed_key')}, 'pending' FROM ${t.configs} WHERE pending_sealed_key IS NOT NULL
         UNION ALL SELECT ${kekIdSql('previous_sealed_key')}, 'previous' FROM ${t.configs} WHERE previous_sealed_key IS NOT NULL
       ) AS keys GROUP BY kek_id, state`,
      [now],
    );
    return rows.map((row) => ({
      kekId: nullableText(row, 'kek_id'),
      state: String(row.state) as StoredKeyState,
      count: Number(row.count),
    }));
  }

  /**
   * One statement for the whole batch: the swaps travel as one JSON
   * parameter; the UPDATE matches each row by id and by its stored sealed
   * key (under READ COMMITTED a row changed meanwhile is re-checked against
   * its newest version, so a key replaced concurrently is never
   * overwritten), and the audit insert takes the events of the rows it
   * updated, in the same statement.
   */
  async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    if (swaps.length === 0) return [];
    const t = this.#t;
    const input = swaps.map((swap) => ({
      id: swap.id,
      from: swap.from,
      to: swap.to,
      updated_at: swap.updatedAt,
      ...auditJson(swap.audit),
    }));
    const sql = `WITH input AS (
        SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(id text, "from" text, "to" text, updated_at text, ${AUDIT_JSON_COLUMNS})),
      swapped AS (
        UPDATE ${t.configs} AS c SET sealed_key = input."to", updated_at = input.updated_at, revision = c.revision + 1
        FROM input
        -- The id list as an InitPlan: one primary-key probe per swap whatever the statistics say
        -- (right after a bulk import they may still say the tenant has a handful of rows).
        WHERE c.tenant_id = $1::text AND c.id = ANY (ARRAY(SELECT id FROM input)) AND c.id = input.id AND c.sealed_key = input."from"
        RETURNING c.id),
      audited AS (
        INSERT INTO ${t.audit} (${AUDIT_COLUMNS})
        SELECT $1::text, ${auditJsonValues('input')} FROM input JOIN swapped ON swapped.id = input.id)
      SELECT id FROM swapped`;
    const rows = await this.#write('swapSealedKeys', sql, [tenantId, JSON.stringify(input)], true);
    const applied = new Set(rows.map((row) => String(row.id)));
    return swaps.map((swap) => applied.has(swap.id));
  }

  /**
   * One statement for the whole batch: the items travel as one JSON
   * parameter and are inserted in their order with ON CONFLICT DO NOTHING,
   * so an item that meets a taken id or name, or a second default of its
   * scope (a unique index, also against an earlier item of the batch or a
   * concurrent writer), is skipped on its own; the audit insert takes the
   * events of the rows inserted, in the same statement.
   */
  async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    if (items.length === 0) return [];
    const t = this.#t;
    const input = items.map(({ record: r, sealedKey }, ord) => ({
      ord,
      id: r.id,
      scope: r.scope,
      name: r.name,
      provider: r.provider,
      routes: r.routes,
      model: r.model,
      base_url: r.baseUrl,
      options: r.options,
      enabled: r.enabled,
      is_default: r.isDefault,
      key_hint: r.keyHint,
      key_set_at: r.keySetAt,
      key_expires_at: r.keyExpiresAt,
      last_validated_at: r.lastValidatedAt,
      last_validation_status: r.lastValidationStatus,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      revision: r.revision,
      sealed_key: sealedKey,
    }));
    const events = items.flatMap(({ record, audit }) =>
      audit.map((event) => ({ config: record.id, ...auditJson(event) })),
    );
    const sql = `WITH input AS (
        SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(ord integer, ${IMPORT_JSON_COLUMNS})),
      inserted AS (
        INSERT INTO ${t.configs} (${INSERT_COLUMNS})
        SELECT $1::text, ${IMPORT_JSON_VALUES} FROM input ORDER BY ord
        ON CONFLICT DO NOTHING
        RETURNING id),
      events AS (
        SELECT * FROM jsonb_to_recordset($3::jsonb) AS e(config text, ${AUDIT_JSON_COLUMNS})),
      audited AS (
        INSERT INTO ${t.audit} (${AUDIT_COLUMNS})
        SELECT $1::text, ${auditJsonValues('events')} FROM events JOIN inserted ON inserted.id = events.config)
      SELECT id FROM inserted`;
    const rows = await this.#write(
      'importConfigs',
      sql,
      [tenantId, JSON.stringify(input), JSON.stringify(events)],
      true,
    );
    const created = new Set(rows.map((row) => String(row.id)));
    return items.map(({ record }) => (created.has(record.id) ? 'created' : 'conflict'));
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const p = new SqlParams();
    const where = [`tenant_id = ${p.add(tenantId, 'text')}`];
    if (query.configId !== undefined) where.push(`config_id = ${p.add(query.configId, 'text')}`);
    if (query.type !== undefined) where.push(`type = ${p.add(query.type, 'text')}`);
    if (query.cursor !== undefined) where.push(`id < ${p.add(query.cursor, 'text')}`);
    const rows = await this.#run(
      'listAudit',
      `SELECT ${AUDIT_COLUMNS} FROM ${this.#t.audit} WHERE ${where.join(' AND ')}
       ORDER BY id DESC LIMIT ${p.add(pageFetchLimit(query.limit), 'integer')}`,
      p.values,
    );
    return pageOf(rows.map(toAuditEvent), query.limit);
  }

  async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    options: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    const token = globalThis.crypto.randomUUID();
    const { sql, params } = recordKeyHealthStatement(this.#t, tenantId, configId, change, options, token);
    let rows: PostgresRow[];
    try {
      rows = await this.#write('recordKeyHealth', sql, params);
    } catch (error) {
      // The foreign key: this tenant has no such config (never had, or it was just deleted).
      if (sqlState((error as { cause?: unknown }).cause) === '23503') return null;
      throw error;
    }
    const row = rows[0];
    if (!row) throw new StoreError('STORE_FAILED', byokitMessage('postgres', 'recordKeyHealth returned no row'));
    const health = toKeyHealth(row);
    // `'t'` from a client with raw text type parsers.
    const transitioned = row.transitioned === true || row.transitioned === 't';
    return { health, transition: transitioned ? (health.state === 'failing' ? 'failing' : 'recovered') : null };
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    if (configIds.length === 0) return [];
    const rows = await this.#run(
      'loadKeyHealth',
      `SELECT ${KEY_HEALTH_COLUMNS} FROM ${this.#t.keyHealth}
       WHERE tenant_id = $1::text AND config_id IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [tenantId, JSON.stringify(configIds)],
    );
    return rows.map(toKeyHealth);
  }

  /**
   * One statement: the upsert keeps the later `until` (`WHERE` on the
   * conflict update, which PostgreSQL evaluates on the locked row, so
   * concurrent writes end at the latest), and the tenant's expired rows
   * go with it.
   */
  async putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void> {
    const t = this.#t.keyCooldowns;
    await this.#run(
      'putKeyCooldown',
      `WITH expired AS (DELETE FROM ${t} WHERE tenant_id = $1::text AND until <= $5::text AND config_id <> $2::text)
       INSERT INTO ${t} (tenant_id, config_id, until, reason, set_at) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text)
       ON CONFLICT (tenant_id, config_id) DO UPDATE SET until = EXCLUDED.until, reason = EXCLUDED.reason, set_at = EXCLUDED.set_at
       WHERE ${t}.until < EXCLUDED.until`,
      [tenantId, cooldown.configId, cooldown.until, cooldown.reason, cooldown.setAt],
    );
  }

  async loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]> {
    if (configIds.length === 0) return [];
    const rows = await this.#run(
      'loadKeyCooldowns',
      `SELECT tenant_id, config_id, until, reason, set_at FROM ${this.#t.keyCooldowns}
       WHERE tenant_id = $1::text AND config_id IN (SELECT jsonb_array_elements_text($2::jsonb)) AND until > $3::text`,
      [tenantId, JSON.stringify(configIds), now],
    );
    return rows.map((row) => ({
      tenantId: String(row.tenant_id),
      configId: String(row.config_id),
      until: String(row.until),
      reason: String(row.reason) as KeyCooldownRecord['reason'],
      setAt: String(row.set_at),
    }));
  }

  async getSettings(tenantId: string): Promise<SettingsRecord | null> {
    const rows = await this.#run(
      'getSettings',
      `SELECT ${SETTINGS_COLUMNS} FROM ${this.#t.settings} WHERE tenant_id = $1::text`,
      [tenantId],
    );
    return rows[0] ? toSettings(rows[0]) : null;
  }

  /**
   * One statement. A first document is an `INSERT ... ON CONFLICT DO
   * NOTHING` (of concurrent first writes one inserts); a later one an
   * `UPDATE ... WHERE revision = expected`, which a concurrent winner's
   * new revision makes match nothing (READ COMMITTED re-checks the WHERE
   * on the newest version after waiting for its lock).
   */
  async putSettings(record: SettingsRecord, { audit, expectedRevision }: PutSettingsOptions): Promise<SettingsRecord> {
    const p = new SqlParams();
    const t = this.#t;
    const tenant = p.add(record.tenantId, 'text');
    const values = [
      tenant,
      p.add(record.document, 'jsonb'),
      p.add(record.revision, 'integer'),
      p.add(record.updatedAt, 'text'),
    ];
    const write =
      expectedRevision === 0
        ? `INSERT INTO ${t.settings} (${SETTINGS_COLUMNS}) VALUES (${values.join(', ')}) ON CONFLICT (tenant_id) DO NOTHING`
        : `UPDATE ${t.settings} SET document = ${values[1]}, revision = ${values[2]}, updated_at = ${values[3]}
           WHERE tenant_id = ${tenant} AND revision = ${p.add(expectedRevision, 'integer')}`;
    const sql = `WITH written AS (${write} RETURNING ${SETTINGS_COLUMNS}),
      audited AS (INSERT INTO ${t.audit} (${AUDIT_COLUMNS}) SELECT ${auditValues(p, audit, tenant)} FROM written)
      SELECT * FROM written`;
    const row = (await this.#write('putSettings', sql, p.values))[0];
    if (!row)
      throw new ConflictError(
        'CONCURRENT_UPDATE',
        byokitMessage('postgres', `the settings of tenant "${record.tenantId}" changed since they were read`),
      );
    return toSettings(row);
  }

  async createAccessKey(record: AccessKeyRecord, { audit }: WriteOptions): Promise<AccessKeyRecord> {
    const p = new SqlParams();
    const t = this.#t;
    const tenant = p.add(record.tenantId, 'text');
    const sql = `WITH inserted AS (
        INSERT INTO ${t.accessKeys} (${ACCESS_KEY_COLUMNS}) VALUES (${accessKeyValues(p, record)}) RETURNING ${ACCESS_KEY_COLUMNS}),
      audited AS (INSERT INTO ${t.audit} (${AUDIT_COLUMNS}) SELECT ${auditValues(p, audit, tenant)} FROM inserted)
      SELECT * FROM inserted`;
    const row = (await this.#write('createAccessKey', sql, p.values))[0];
    if (!row) throw new StoreError('STORE_FAILED', byokitMessage('postgres', 'createAccessKey returned no row'));
    return toAccessKey(row);
  }

  async getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null> {
    const rows = await this.#run(
      'getAccessKey',
      `SELECT ${ACCESS_KEY_COLUMNS} FROM ${this.#t.accessKeys} WHERE tenant_id = $1::text AND id = $2::text`,
      [tenantId, id],
    );
    return rows[0] ? toAccessKey(rows[0]) : null;
  }

  async listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>> {
    const rows = await this.#run(
      'listAccessKeys',
      `SELECT ${ACCESS_KEY_COLUMNS} FROM ${this.#t.accessKeys} WHERE tenant_id = $1::text AND id > $2::text ORDER BY id LIMIT $3::integer`,
      [tenantId, query.cursor ?? '', pageFetchLimit(query.limit)],
    );
    return pageOf(rows.map(toAccessKey), query.limit);
  }

  /**
   * One statement: the key's row is locked first (its newest committed
   * version, after any concurrent revoke), revoked only if that version
   * is not, with the event only then.
   */
  async revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    { audit }: WriteOptions,
  ): Promise<AccessKeyRecord | null> {
    const p = new SqlParams();
    const t = this.#t;
    const tenant = p.add(tenantId, 'text');
    const target = p.add(id, 'text');
    const at = p.add(revokedAt, 'text');
    const sql = `WITH locked AS (
        SELECT ${ACCESS_KEY_COLUMNS} FROM ${t.accessKeys} WHERE tenant_id = ${tenant} AND id = ${target} FOR UPDATE),
      revoked AS (
        UPDATE ${t.accessKeys} AS k SET revoked_at = ${at} FROM locked
        WHERE k.tenant_id = locked.tenant_id AND k.id = locked.id AND locked.revoked_at IS NULL RETURNING k.id),
      audited AS (INSERT INTO ${t.audit} (${AUDIT_COLUMNS}) SELECT ${auditValues(p, audit, tenant)} FROM revoked)
      SELECT ${ACCESS_KEY_COLUMNS.replace('revoked_at', `coalesce(revoked_at, ${at}) AS revoked_at`)} FROM locked`;
    const row = (await this.#write('revokeAccessKey', sql, p.values))[0];
    return row ? toAccessKey(row) : null;
  }

  /**
   * One statement: the key by id, its tenant's configs on the chain of its
   * scope (computed in SQL: '' , 'a', 'a/b', ...), and its tenant's
   * settings, as one row per candidate (one row with no candidate columns
   * when it has none; no row for an unknown id).
   */
  async loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null> {
    const t = this.#t;
    const rows = await this.#run(
      'loadAccessKeyCandidates',
      `WITH ak AS (SELECT ${ACCESS_KEY_COLUMNS} FROM ${t.accessKeys} WHERE id = $1::text),
        chain AS (
          SELECT array_to_string((string_to_array(ak.scope, '/'))[1:n], '/') AS scope
          FROM ak, generate_series(0, cardinality(string_to_array(ak.scope, '/'))) AS n)
       SELECT to_jsonb(ak) AS access_key,
         (SELECT to_jsonb(s) FROM ${t.settings} AS s WHERE s.tenant_id = ak.tenant_id) AS settings,
         c.*
       FROM ak LEFT JOIN LATERAL (
         SELECT ${RECORD_COLUMNS}, ${SEALED_SELECT} FROM ${t.configs}
         WHERE tenant_id = ak.tenant_id AND scope IN (SELECT scope FROM chain)) AS c ON true
       ORDER BY c.id`,
      [id],
    );
    const first = rows[0];
    if (!first) return null;
    return {
      accessKey: toAccessKey(json(first, 'access_key') as PostgresRow),
      candidates: rows.filter((row) => row.id !== null && row.id !== undefined).map(toCandidate),
      settings:
        first.settings === null || first.settings === undefined
          ? null
          : toSettings(json(first, 'settings') as PostgresRow),
    };
  }

  /**
   * One statement, atomic under any number of concurrent callers: the
   * counters row is locked first (its newest committed version), the
   * decision is made on it, and the count written only when it allows.
   * A first use races a concurrent first use for the row: when the row
   * appears after this statement's snapshot, nothing is written and the
   * statement runs again (then it sees and locks that row).
   */
  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    const t = this.#t;
    for (let attempt = 1; ; attempt++) {
      const p = new SqlParams();
      const tenant = p.add(tenantId, 'text');
      const key = p.add(id, 'text');
      const period = p.add(use.period, 'text');
      const rw = p.add(use.requests?.window ?? null, 'text');
      const rlimit = p.add(use.requests?.limit ?? null, 'bigint');
      const tw = p.add(use.tokens?.window ?? null, 'text');
      const tlimit = p.add(use.tokens?.limit ?? null, 'bigint');
      const sql = `WITH locked AS (
          SELECT requests_window, requests, tokens_window, tokens FROM ${t.accessKeyCounters}
          WHERE tenant_id = ${tenant} AND key_id = ${key} FOR UPDATE),
        state AS (
          SELECT coalesce((SELECT requests FROM locked WHERE requests_window = ${rw}), 0) AS requests,
                 coalesce((SELECT tokens FROM locked WHERE tokens_window = ${tw}), 0) AS tokens),
        decision AS (
          SELECT requests, tokens, CASE
            WHEN ${tlimit} IS NOT NULL AND tokens >= ${tlimit} THEN 'tokens'
            WHEN ${rlimit} IS NOT NULL AND requests >= ${rlimit} THEN 'requests' END AS exceeded
          FROM state),
        counted AS (
          INSERT INTO ${t.accessKeyCounters} AS c (tenant_id, key_id, requests_window, requests)
          SELECT ${tenant}, ${key}, ${rw}, requests + 1 FROM decision WHERE exceeded IS NULL AND ${rw} IS NOT NULL
          ON CONFLICT (tenant_id, key_id) DO UPDATE SET requests_window = excluded.requests_window, requests = excluded.requests
            WHERE EXISTS (SELECT 1 FROM locked)
          RETURNING c.requests),
        used AS (
          INSERT INTO ${t.accessKeyUsage} AS u (tenant_id, period, key_id, requests)
          SELECT ${tenant}, ${period}, ${key}, 1 FROM decision
          WHERE exceeded IS NULL AND (${rw} IS NULL OR EXISTS (SELECT 1 FROM counted))
          ON CONFLICT (tenant_id, period, key_id) DO UPDATE SET requests = u.requests + 1
          RETURNING 1)
        SELECT exceeded, requests, tokens, (SELECT requests FROM counted) AS counted FROM decision`;
      const row = (await this.#write('useAccessKey', sql, p.values))[0]!;
      const exceeded = (row.exceeded ?? null) as AccessKeyUseResult['exceeded'];
      const raced =
        exceeded === null && use.requests !== undefined && (row.counted === null || row.counted === undefined);
      if (!raced)
        return {
          exceeded,
          requests: exceeded === null && use.requests ? Number(row.counted) : Number(row.requests),
          tokens: Number(row.tokens),
        };
      if (attempt >= this.#maxAttempts)
        throw new StoreError(
          'STORE_FAILED',
          byokitMessage('postgres', 'useAccessKey kept losing the race for a new counters row'),
        );
    }
  }

  /** One statement: both additions are `ON CONFLICT DO UPDATE ... + excluded`, which add to the newest version. */
  async chargeAccessKeyTokens(tenantId: string, id: string, charge: TokenCharge): Promise<void> {
    const p = new SqlParams();
    const t = this.#t;
    const tenant = p.add(tenantId, 'text');
    const key = p.add(id, 'text');
    const tokens = p.add(charge.tokens, 'bigint');
    const window = p.add(charge.window ?? null, 'text');
    const sql = `WITH used AS (
        INSERT INTO ${t.accessKeyUsage} AS u (tenant_id, period, key_id, tokens) VALUES (${tenant}, ${p.add(charge.period, 'text')}, ${key}, ${tokens})
        ON CONFLICT (tenant_id, period, key_id) DO UPDATE SET tokens = u.tokens + excluded.tokens RETURNING 1),
      budget AS (
        INSERT INTO ${t.accessKeyCounters} AS c (tenant_id, key_id, tokens_window, tokens)
        SELECT ${tenant}, ${key}, ${window}, ${tokens} WHERE ${window} IS NOT NULL
        ON CONFLICT (tenant_id, key_id) DO UPDATE SET
          tokens = CASE WHEN c.tokens_window = excluded.tokens_window THEN c.tokens + excluded.tokens ELSE excluded.tokens END,
          tokens_window = excluded.tokens_window
        RETURNING 1)
      SELECT (SELECT count(*) FROM used) + (SELECT count(*) FROM budget) AS written`;
    await this.#write('chargeAccessKeyTokens', sql, p.values);
  }

  async listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>> {
    const p = new SqlParams();
    const where = [`tenant_id = ${p.add(tenantId, 'text')}`];
    if (query.keyId !== undefined) where.push(`key_id = ${p.add(query.keyId, 'text')}`);
    if (query.from !== undefined) where.push(`period >= ${p.add(query.from, 'text')}`);
    if (query.to !== undefined) where.push(`period <= ${p.add(query.to, 'text')}`);
    if (query.cursor !== undefined) {
      const colon = query.cursor.indexOf(':');
      const [period, keyId] =
        colon < 0 ? [query.cursor, ''] : [query.cursor.slice(0, colon), query.cursor.slice(colon + 1)];
      where.push(`(period, key_id) > (${p.add(period, 'text')}, ${p.add(keyId, 'text')})`);
    }
    const rows = await this.#run(
      'listAccessKeyUsage',
      `SELECT ${USAGE_COLUMNS} FROM ${this.#t.accessKeyUsage} WHERE ${where.join(' AND ')}
       ORDER BY period, key_id LIMIT ${p.add(pageFetchLimit(query.limit), 'integer')}`,
      p.values,
    );
    return pageOf(rows.map(toUsage), query.limit, (row) => `${row.period}:${row.keyId}`);
  }

  /**
   * CTEs `locked` and `cleared`. `locked` locks, in one id-ordered pass,
   * every config of (tenant, scope) and the written record `keepId` itself
   * (wherever it is now), and reports their newest committed versions.
   * `cleared` then clears the defaults among them in `scope`, except
   * `keepId`, when `whenDefault` holds; `whenDefault` may read the locked
   * version of the written record as `locked`. Statements that use them
   * must make their own write wait for `cleared` (reference it), so the
   * old default is gone before the partial unique index checks the new one.
   */
  #clearDefaults(tenant: string, keepId: string, scope: string, whenDefault: string): string[] {
    const t = this.#t;
    return [
      `locked AS (
        SELECT id, scope, is_default, revision FROM ${t.configs}
        WHERE tenant_id = ${tenant} AND (scope = ${scope} OR id = ${keepId})
        ORDER BY id FOR UPDATE)`,
      `cleared AS (
        UPDATE ${t.configs} AS c SET is_default = false FROM locked
        WHERE c.tenant_id = ${tenant} AND c.id = locked.id AND locked.is_default AND locked.id <> ${keepId}
          AND locked.scope = ${scope} AND ${whenDefault}
        RETURNING c.id)`,
    ];
  }

  /**
   * Sends one statement: as a named prepared statement when `prepared` and
   * the client takes them (its text is fixed per call shape), else as text.
   */
  async #send(sql: string, params: unknown[], prepared: boolean): Promise<PostgresRow[]> {
    if (prepared && this.#named) {
      const client = this.#client as unknown as {
        query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: PostgresRow[] }>;
      };
      return (await client.query({ name: statementName(sql), text: sql, values: params })).rows;
    }
    return (await this.#client.query(sql, params)).rows;
  }

  /** Runs a write, again with a fresh snapshot if it lost a race it could not see (see the module notes). */
  async #write(operation: string, sql: string, params: unknown[], prepared = false): Promise<PostgresRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#send(sql, params, prepared);
      } catch (error) {
        if (attempt >= this.#maxAttempts || !isRetryable(error, this.#t)) throw toStoreError(error, operation, this.#t);
        // A short random pause keeps retrying losers from colliding in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt * 2));
      }
    }
  }

  async #run(operation: string, sql: string, params: unknown[], prepared = false): Promise<PostgresRow[]> {
    try {
      return await this.#send(sql, params, prepared);
    } catch (error) {
      throw toStoreError(error, operation, this.#t);
    }
  }
}
