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
} from '../../src/store/types.js';
import { isRetryable, sqlState, toStoreError } from './errors.js';
import { KEY_HEALTH_COLUMNS, recordKeyHealthStatement, toKeyHealth } from './key-health-sql.js';
import { migrateStatement, postgresMigrations } from './migrations.js';
import { tableNames } from './names.js';
import type { PostgresLocation, TableNames } from './names.js';
import type { PostgresQueryable, PostgresRow } from './queryable.js';
import {
  AUDIT_COLUMNS,
  INSERT_COLUMNS,
  KEK_ID_SQL,
  PATCH_COLUMNS,
  RECORD_COLUMNS,
  SqlParams,
  auditValues,
  recordValues,
  toAuditEvent,
  toCandidate,
  toRecord,
} from './rows.js';

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

  /**
   * @param client - a `pg` Pool or Client, PGlite, or anything with `query(text, params)`.
   * @param options - schema (default `public`) and table prefix (default `byokit_`).
   * @throws ValidationError if the schema or prefix is not a plain identifier.
   */
  constructor(client: PostgresQueryable, options: PostgresStoreOptions = {}) {
    if (typeof (client as Partial<PostgresQueryable> | null)?.query !== 'function') {
      throw new StoreError('ADAPTER_INVALID', '[byokit] [postgres] the client must have a query(text, params) method');
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('[byokit] [postgres] options must be an object', [{ path: '(options)', message: 'must be an object' }]);
    }
    if (options.maxAttempts !== undefined && !(Number.isSafeInteger(options.maxAttempts) && options.maxAttempts >= 1)) {
      throw new ValidationError('[byokit] [postgres] maxAttempts must be a positive integer', [{ path: 'maxAttempts', message: 'must be a positive integer' }]);
    }
    this.#client = client;
    this.#location = { schema: options.schema, tablePrefix: options.tablePrefix };
    this.#t = tableNames(this.#location);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 100);
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
    if (!row) throw new StoreError('STORE_FAILED', '[byokit] [postgres] createConfig returned no row');
    return toRecord(row);
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    const rows = await this.#run(
      'getConfig',
      `SELECT ${RECORD_COLUMNS} FROM ${this.#t.configs} WHERE tenant_id = $1::text AND id = $2::text`,
      [tenantId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const p = new SqlParams();
    const where = [`tenant_id = ${p.add(tenantId, 'text')}`];
    if (query.scope !== undefined) where.push(`scope = ${p.add(query.scope, 'text')}`);
    if (query.provider !== undefined) where.push(`provider = ${p.add(query.provider, 'text')}`);
    if (query.kekIdNot !== undefined) where.push(`sealed_key IS NOT NULL AND ${KEK_ID_SQL} IS DISTINCT FROM ${p.add(query.kekIdNot, 'text')}`);
    if (query.cursor !== undefined) where.push(`id > ${p.add(query.cursor, 'text')}`);
    const rows = await this.#run(
      'listConfigs',
      `SELECT ${RECORD_COLUMNS} FROM ${this.#t.configs} WHERE ${where.join(' AND ')}
       ORDER BY id LIMIT ${p.add(query.limit + 1, 'integer')}`,
      p.values,
    );
    return pageOf(rows.map(toRecord), query.limit);
  }

  async updateConfig(tenantId: string, id: string, patch: ConfigPatch, options: UpdateOptions): Promise<ConfigRecord | null> {
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
    const ctes = [`target AS (SELECT scope, revision FROM ${t.configs} WHERE tenant_id = ${tenant} AND id = ${target})`];
    const conditions = [`tenant_id = ${tenant}`, `id = ${target}`];
    const expected = options.expectedRevision === undefined ? undefined : p.add(options.expectedRevision, 'integer');
    if (expected !== undefined) conditions.push(`revision = ${expected}`);
    // The record may end up default in its (possibly new) scope: the others there must lose it.
    if (patch.isDefault === true || (patch.scope !== undefined && patch.isDefault === undefined)) {
      const scope = patch.scope === undefined ? '(SELECT scope FROM target)' : p.add(patch.scope, 'text');
      // Read from the LOCKED (newest committed) version of the record, never from the snapshot:
      // the update must apply (exists, revision matches), and the record must end up default.
      const rules = ['l.id = ' + target];
      if (expected !== undefined) rules.push(`l.revision = ${expected}`, `EXISTS (SELECT 1 FROM target WHERE target.revision = ${expected})`);
      if (patch.isDefault !== true) rules.push('l.is_default');
      // A record moved away since the snapshot is not in the locked scope: clear nothing there;
      // the unique index catches a default in its new scope (23505, run again).
      if (patch.scope === undefined) rules.push(`l.scope = ${scope}`);
      ctes.push(...this.#clearDefaults(tenant, target, scope, `EXISTS (SELECT 1 FROM locked AS l WHERE ${rules.join(' AND ')})`));
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
      throw new ConflictError('CONCURRENT_UPDATE', `[byokit] [postgres] config ${id} changed since it was read`);
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

  async loadCandidates(tenantId: string, scopes: readonly ScopePath[]): Promise<CandidateRecord[]> {
    // Scopes travel as one JSON array: the same parameter works on every client (no driver array encoding).
    const rows = await this.#run(
      'loadCandidates',
      `SELECT ${RECORD_COLUMNS}, sealed_key FROM ${this.#t.configs}
       WHERE tenant_id = $1::text AND scope IN (SELECT jsonb_array_elements_text($2::jsonb))
       ORDER BY id`,
      [tenantId, JSON.stringify(scopes)],
    );
    return rows.map(toCandidate);
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<CandidateRecord | null> {
    const rows = await this.#run(
      'loadSealedConfig',
      `SELECT ${RECORD_COLUMNS}, sealed_key FROM ${this.#t.configs} WHERE tenant_id = $1::text AND id = $2::text`,
      [tenantId, id],
    );
    return rows[0] ? toCandidate(rows[0]) : null;
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
       ORDER BY id DESC LIMIT ${p.add(query.limit + 1, 'integer')}`,
      p.values,
    );
    return pageOf(rows.map(toAuditEvent), query.limit);
  }

  async recordKeyHealth(tenantId: string, configId: string, change: KeyHealthChange, options: KeyHealthWriteOptions): Promise<KeyHealthResult | null> {
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
    if (!row) throw new StoreError('STORE_FAILED', '[byokit] [postgres] recordKeyHealth returned no row');
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

  /** Runs a write, again with a fresh snapshot if it lost a race it could not see (see the module notes). */
  async #write(operation: string, sql: string, params: unknown[]): Promise<PostgresRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.#client.query(sql, params)).rows;
      } catch (error) {
        if (attempt >= this.#maxAttempts || !isRetryable(error, this.#t)) throw toStoreError(error, operation, this.#t);
        // A short random pause keeps retrying losers from colliding in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt * 2));
      }
    }
  }

  async #run(operation: string, sql: string, params: unknown[]): Promise<PostgresRow[]> {
    try {
      return (await this.#client.query(sql, params)).rows;
    } catch (error) {
      throw toStoreError(error, operation, this.#t);
    }
  }
}

function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}
