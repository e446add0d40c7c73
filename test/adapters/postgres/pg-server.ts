/**
 * Test plumbing for the PostgreSQL adapter: where the server is, whether it
 * answers, and a fresh schema per test.
 *
 * Outside CI an unreachable server skips the server-backed files, with the
 * reason in the title; with `CI=true` it fails them, so a broken CI service
 * can never pass as green.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { PostgresStore } from '../../../adapters/postgres/index.js';
import type { PostgresQueryable, PostgresStoreOptions } from '../../../adapters/postgres/index.js';
import type { StoreUnderTest } from '../../../src/testing/index.js';
import { isCI } from '../../in-ci.js';

/** The server the tests use. */
export const PG_URL = process.env.BYOKIT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = isCI();

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL unreachable at BYOKIT_PG_URL=${PG_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why the server can't be used, or `null` when it answers. */
export const unreachable: string | null = await probe();

/**
 * `describe` for tests that need the server: runs them when it answers;
 * otherwise fails (CI) or skips with the reason in the title (local runs).
 */
export function describeWithServer(name: string, body: () => void): void {
  if (unreachable === null) {
    describe(name, body);
  } else if (IN_CI) {
    describe(name, () => {
      it('needs a reachable PostgreSQL server (CI=true: failing instead of skipping)', () => {
        throw new Error(unreachable);
      });
    });
  } else {
    describe.skipIf(true)(`${name} (skipped: ${unreachable}; set CI=true to fail instead)`, body);
  }
}

/** A new pool on the test server. */
export function newPool(max = 10): pg.Pool {
  return new pg.Pool({ connectionString: PG_URL, max });
}

/** A fresh schema name, unique per test. */
export function freshSchemaName(): string {
  return `byokit_test_${randomBytes(6).toString('hex')}`;
}

/**
 * Rows of every table of a store, as JSON text: the raw look behind the
 * adapter. Tables a schema does not have yet (one not migrated to 003) are
 * left out.
 */
export async function dumpTables(db: PostgresQueryable, schema: string, prefix = 'byokit_'): Promise<string> {
  const names = ['configs', 'audit', 'settings', 'access_keys', 'access_key_counters', 'access_key_usage'];
  const present = new Set(
    (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema])).rows.map(
      (row) => String(row.table_name),
    ),
  );
  const parts = names
    .filter((name) => present.has(`${prefix}${name}`))
    .map(
      (name) =>
        `'${name}', (SELECT coalesce(json_agg(t ORDER BY t::text), '[]'::json) FROM "${schema}"."${prefix}${name}" t)`,
    );
  const rows = await db.query(`SELECT json_build_object(${parts.join(', ')})::text AS dump`);
  return String(rows.rows[0]?.dump);
}

/**
 * Makes every later audit insert fail inside the database (a NOT VALID
 * check constraint ignores existing rows and rejects every new one).
 */
export async function breakAudit(db: PostgresQueryable, schema: string, prefix = 'byokit_'): Promise<void> {
  await db.query(
    `ALTER TABLE "${schema}"."${prefix}audit" ADD CONSTRAINT audit_broken_for_test CHECK (false) NOT VALID`,
  );
}

/**
 * The copied-row attack on PostgreSQL: copies a config row (sealed key
 * included) under another tenant with its tenant column rewritten, whatever
 * columns the table has. A row has one tenant column, so a verbatim copy
 * (still naming the source tenant) can't exist here: `false`.
 */
export async function copyPostgresRow(
  db: PostgresQueryable,
  schema: string,
  prefix: string,
  from: { tenantId: string; id: string },
  toTenantId: string,
  keepStoredTenant: boolean,
): Promise<boolean> {
  if (keepStoredTenant) return false;
  const table = `"${schema}"."${prefix}configs"`;
  const result = await db.query(
    `INSERT INTO ${table}
     SELECT (jsonb_populate_record(NULL::${table}, to_jsonb(c) || jsonb_build_object('tenant_id', $3::text))).*
     FROM ${table} AS c WHERE c.tenant_id = $1::text AND c.id = $2::text
     RETURNING id`,
    [from.tenantId, from.id, toTenantId],
  );
  if (result.rows.length !== 1) throw new Error(`no config ${from.id} in tenant ${from.tenantId} to copy`);
  return true;
}

/**
 * A store in a fresh schema of the server, reached through `client` (a
 * Pool, a Client, ...); `admin` creates and drops the schema.
 */
export async function storeInFreshSchema(
  client: PostgresQueryable,
  admin: PostgresQueryable,
  options: Omit<PostgresStoreOptions, 'schema'> = {},
): Promise<StoreUnderTest & { store: PostgresStore; schema: string }> {
  const schema = freshSchemaName();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const store = new PostgresStore(client, { ...options, schema });
  await store.migrate();
  const prefix = options.tablePrefix ?? 'byokit_';
  return {
    store,
    schema,
    rawDump: () => dumpTables(admin, schema, prefix),
    breakAuditWrites: () => breakAudit(admin, schema, prefix),
    copyRowBehindAdapter: (from, toTenantId, { keepStoredTenant }) =>
      copyPostgresRow(admin, schema, prefix, from, toTenantId, keepStoredTenant),
    cleanup: async () => {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}

/** Wraps a client and counts the statements sent through it. */
export function countingClient<C extends PostgresQueryable>(
  inner: C,
): PostgresQueryable & { count: number; texts: string[] } {
  const counter = {
    count: 0,
    texts: [] as string[],
    query(text: string, params?: unknown[]) {
      counter.count += 1;
      counter.texts.push(text);
      return inner.query(text, params);
    },
  };
  return counter;
}
