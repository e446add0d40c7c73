/**
 * Migrations: the shipped SQL files are exactly what `migrate()` runs,
 * `migrate()` is idempotent and safe to run concurrently, and the schema
 * and prefix are validated identifiers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore, postgresMigrations } from '../../../adapters/postgres/index.js';
import type { PostgresQueryable } from '../../../adapters/postgres/index.js';
import { migrateStatement } from '../../../adapters/postgres/migrations.js';
import { tableNames } from '../../../adapters/postgres/names.js';
import { ValidationError } from '../../../src/errors.js';
import { sealSecret } from '../../../src/crypto/envelope.js';
import { Keyring, createVault } from '../../../src/index.js';
import { CANARY } from '../../vault/helpers.js';
import { makeAuditEventFor, makeConfigRecord } from '../../../src/testing/index.js';
import { describeWithServer, freshSchemaName, newPool } from './pg-server.js';

const MIGRATIONS_DIR = new URL('../../../adapters/postgres/migrations/', import.meta.url);

/** Everything the migrations define in a schema, with the schema name blanked out, for comparing two schemas. */
async function fingerprint(db: PostgresQueryable, schema: string): Promise<unknown> {
  const { rows } = await db.query(
    `SELECT json_build_object(
       'columns', (SELECT json_agg(json_build_object('table', table_name, 'column', column_name, 'type', data_type,
                     'nullable', is_nullable, 'default', column_default, 'collation', collation_name)
                     ORDER BY table_name, ordinal_position)
                   FROM information_schema.columns WHERE table_schema = $1),
       'indexes', (SELECT json_agg(json_build_object('name', indexname, 'def', replace(indexdef, $1, '<schema>')) ORDER BY indexname)
                   FROM pg_indexes WHERE schemaname = $1)
     )::text AS fingerprint`,
    [schema],
  );
  return JSON.parse(String(rows[0]?.fingerprint));
}

describe('postgres migrations: the shipped SQL files', () => {
  it('are exactly the SQL of postgresMigrations() for the default schema and prefix, one file per migration', () => {
    const migrations = postgresMigrations();
    expect(migrations.map((m) => m.version)).toStrictEqual(migrations.map((_, i) => i + 1));
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files).toStrictEqual(migrations.map((m) => `${m.name}.sql`));
    for (const m of migrations) expect(readFileSync(new URL(`${m.name}.sql`, MIGRATIONS_DIR), 'utf8')).toBe(m.sql);
  });

  it('with schema and prefix substituted, are exactly what migrate() runs for another schema and prefix', () => {
    const location = { schema: 'tenant_data', tablePrefix: 'acme_' };
    const custom = postgresMigrations(location);
    const statement = migrateStatement(tableNames(location), custom);
    for (const m of custom) {
      const shipped = readFileSync(new URL(`${m.name}.sql`, MIGRATIONS_DIR), 'utf8');
      const substituted = shipped.replaceAll('"public"', '"tenant_data"').replaceAll('byokit_', 'acme_');
      expect(substituted).toBe(m.sql);
      expect(statement).toContain(m.sql);
    }
  });
});

describe('postgres migrations: schema and prefix validation', () => {
  const db = { query: () => Promise.reject(new Error('must not be called')) };

  it.each([
    { schema: '' },
    { schema: '1abc' },
    { schema: 'a-b' },
    { schema: 'a"; DROP TABLE x; --' },
    { schema: 'x'.repeat(64) },
    { tablePrefix: 'x-' },
    { tablePrefix: '9_' },
    { tablePrefix: 'p"' },
    { tablePrefix: 'x'.repeat(32) },
  ])('rejects %o with a ValidationError naming the option, before any query', (location) => {
    const path = Object.keys(location)[0];
    for (const attempt of [() => new PostgresStore(db, location), () => postgresMigrations(location)]) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
      expect((error as ValidationError).issues.map((i) => i.path)).toStrictEqual([path]);
      expect((error as Error).message).toMatch(/^\[byokit\] \[postgres\] /);
    }
  });

  it('accepts plain identifiers, an empty prefix and the longest prefix, and quotes them', () => {
    expect(() => new PostgresStore(db, { schema: 'Mixed_Case1', tablePrefix: '' })).not.toThrow();
    expect(() => new PostgresStore(db, { tablePrefix: 'x'.repeat(31) })).not.toThrow();
    const [init] = postgresMigrations({ schema: 'Mixed_Case1', tablePrefix: 'P_' });
    expect(init?.sql).toContain('CREATE TABLE IF NOT EXISTS "Mixed_Case1"."P_configs"');
  });

  it('rejects a client without query()', () => {
    expect(() => new PostgresStore({} as PostgresQueryable)).toThrow(
      expect.objectContaining({ code: 'ADAPTER_INVALID' }),
    );
  });
});

describeWithServer('postgres migrations on the server', () => {
  const admin = newPool(4);
  afterAll(() => admin.end());

  async function withSchema(run: (schema: string) => Promise<void>): Promise<void> {
    const schema = freshSchemaName();
    try {
      await run(schema);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }

  it('migrate() creates a case-sensitive schema that does not exist yet, with an empty prefix, and the store works there', async () => {
    const schema = `Mixed_${freshSchemaName()}`;
    try {
      const store = new PostgresStore(admin, { schema, tablePrefix: '' });
      await store.migrate();
      const record = makeConfigRecord({ tenantId: 't1' });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      expect(await store.getConfig('t1', record.id)).toStrictEqual(record);
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}"."configs"`);
      expect(rows[0]).toStrictEqual({ n: 1 });
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('running the shipped files yourself, in order, gives the same tables and indexes as migrate()', async () => {
    await withSchema(async (viaMigrate) => {
      await withSchema(async (viaFile) => {
        await new PostgresStore(admin, { schema: viaMigrate }).migrate();
        await admin.query(`CREATE SCHEMA "${viaFile}"`);
        for (const { name } of postgresMigrations()) {
          const shipped = readFileSync(new URL(`${name}.sql`, MIGRATIONS_DIR), 'utf8');
          // A file may be several statements: the simple query protocol (no params) runs them in one go, like psql.
          await admin.query(shipped.replaceAll('"public"', `"${viaFile}"`));
        }
        type Fingerprint = { columns: { table: string }[]; indexes: { name: string }[] };
        const fromMigrate = (await fingerprint(admin, viaMigrate)) as Fingerprint;
        const fromFile = (await fingerprint(admin, viaFile)) as Fingerprint;
        // migrate() adds its bookkeeping table; everything else is identical.
        const withoutBookkeeping = {
          ...fromMigrate,
          columns: fromMigrate.columns.filter((c) => c.table !== 'byokit_migrations'),
          indexes: fromMigrate.indexes.filter((i) => i.name !== 'byokit_migrations_pkey'),
        };
        expect(fromFile).toStrictEqual(withoutBookkeeping);
        expect(fromMigrate.columns.length).toBeGreaterThan(fromFile.columns.length);
      });
    });
  });

  it('migrate() twice is a no-op: same schema, same bookkeeping rows, data kept', async () => {
    await withSchema(async (schema) => {
      const store = new PostgresStore(admin, { schema });
      await store.migrate();
      const record = makeConfigRecord({ tenantId: 't1' });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      const before = await fingerprint(admin, schema);
      const bookkeeping = await admin.query(
        `SELECT version, name, applied_at::text FROM "${schema}".byokit_migrations ORDER BY version`,
      );
      expect(bookkeeping.rows.map((r) => r.name)).toStrictEqual(postgresMigrations().map((m) => m.name));

      await store.migrate();
      expect(await fingerprint(admin, schema)).toStrictEqual(before);
      const again = await admin.query(
        `SELECT version, name, applied_at::text FROM "${schema}".byokit_migrations ORDER BY version`,
      );
      expect(again.rows).toStrictEqual(bookkeeping.rows);
      expect(await store.getConfig('t1', record.id)).toStrictEqual(record);
    });
  });

  it('a 0.1 database (001 only, with kek_id) works after migrate(): keys resolve, a kek_id changed in the row is ignored, 002 drops it', async () => {
    await withSchema(async (schema) => {
      const [init] = postgresMigrations({ schema });
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.query(init!.sql);
      await admin.query(
        `CREATE TABLE "${schema}".byokit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      await admin.query(`INSERT INTO "${schema}".byokit_migrations (version, name) VALUES (1, '001_init')`);
      const keyring = Keyring.generate('k1');
      const id = 'cfg_01JD0000000000000000000001';
      const sealed = await sealSecret(
        CANARY,
        { tenantId: 'acme', configId: id, provider: 'openai', baseUrl: null },
        keyring,
      );
      // Written the way 0.1 wrote it, then tampered: kek_id claims a KEK the sealed value does not name.
      await admin.query(
        `INSERT INTO "${schema}".byokit_configs (tenant_id, id, scope, name, provider, enabled, key_hint, kek_id, sealed_key, created_at, updated_at, revision)
         VALUES ('acme', $1, '', 'prod', 'openai', true, 'sk-proj-...XYZW', 'k9', $2, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 2)`,
        [id, sealed],
      );
      const store = new PostgresStore(admin, { schema });
      const vault = createVault({ store, keyring });
      const check = async () => {
        expect(await store.getConfig('acme', id)).toMatchObject({ kekId: 'k1' });
        expect((await store.listConfigs('acme', { kekIdNot: 'k9', limit: 10 })).items.map((r) => r.id)).toStrictEqual([
          id,
        ]);
        expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal()).toBe(CANARY);
      };
      // Reads name the staged-key columns of 006: this byokit needs its migrations applied first.
      await expect(store.getConfig('acme', id)).rejects.toMatchObject({ code: 'STORE_FAILED' });
      await store.migrate();
      const { rows } = await admin.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'byokit_configs'`,
        [schema],
      );
      expect(rows.map((r) => r.column_name)).not.toContain('kek_id');
      await check();
    });
  });

  it('concurrent migrate() from two pools (two "processes") into a schema that does not exist yet all succeed and apply each migration once', async () => {
    const first = newPool(4);
    const second = newPool(4);
    try {
      await withSchema(async (schema) => {
        const stores = [new PostgresStore(first, { schema }), new PostgresStore(second, { schema })];
        await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % 2]!.migrate()));
        const { rows } = await admin.query(`SELECT version FROM "${schema}".byokit_migrations ORDER BY version`);
        expect(rows.map((r) => r.version)).toStrictEqual(postgresMigrations().map((m) => m.version));
        const record = makeConfigRecord({ tenantId: 't1' });
        await stores[1]!.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
        expect(await stores[0]!.getConfig('t1', record.id)).toStrictEqual(record);
      });
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });
});
