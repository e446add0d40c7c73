import { readFileSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_SCHEMA_VERSION, SqliteStore } from '../../../adapters/sqlite/index.js';
import { SQLITE_MIGRATIONS } from '../../../adapters/sqlite/migrations.js';
import { tableNames } from '../../../adapters/sqlite/tables.js';
import { sealSecret } from '../../../src/crypto/envelope.js';
import { Keyring, createVault } from '../../../src/index.js';
import { CANARY } from '../../vault/helpers.js';
import {
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeRichConfigRecord,
} from '../../../src/testing/index.js';
import { nodeSqlite, openObserver, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
const closers: Array<() => unknown> = [];
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  tmp.remove();
});

async function openStore(
  path = tmp.file(),
  options: Parameters<typeof SqliteStore.open>[1] = {},
): Promise<SqliteStore> {
  const store = await SqliteStore.open(path, options);
  closers.push(() => store.close());
  return store;
}

function observe(path = tmp.file()): Database.Database {
  const db = openObserver(path);
  closers.push(() => db.close());
  return db;
}

describe('SqliteStore on a file', () => {
  it('reads back a config and its sealed key after the file is closed and reopened', async () => {
    const path = tmp.file('nested/dir/keys.db');
    const first = await SqliteStore.open(path);
    const record = makeRichConfigRecord({ tenantId: 'acme' });
    await first.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
    const key = makeFakeKey();
    const updated = await first.updateConfig('acme', record.id, makeKeyPatch(key), {
      audit: makeAuditEventFor(record, 'key.set'),
    });
    await first.close();

    const reopened = await openStore(path);
    expect(await reopened.getConfig('acme', record.id)).toStrictEqual(updated);
    expect(await reopened.loadCandidates('acme', [record.scope])).toStrictEqual([
      { ...updated, sealedKey: key.sealedKey, pendingSealedKey: null, previousSealedKey: null },
    ]);
    expect((await reopened.listAudit('acme', { limit: 10 })).items.map((e) => e.type)).toStrictEqual([
      'key.set',
      'config.created',
    ]);
  });

  it('puts the file in WAL mode with a busy timeout, foreign keys and secure delete on', async () => {
    const path = tmp.file();
    const db = new Database(path);
    closers.push(() => db.close());
    const store = new SqliteStore(db, { busyTimeoutMs: 2500 });
    await store.migrate();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(2500);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    // WAL is a property of the file: a fresh connection sees it too.
    expect(observe(path).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('leaves a connection alone with configureConnection: false', async () => {
    const db = new Database(tmp.file());
    closers.push(() => db.close());
    await new SqliteStore(db, { configureConnection: false }).migrate();
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
  });

  it('two store instances on the same file see each other’s writes and share the rules', async () => {
    const path = tmp.file();
    const one = await openStore(path);
    const two = await openStore(path);
    const record = makeConfigRecord({ tenantId: 'acme', name: 'prod', isDefault: true });
    await one.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
    expect(await two.getConfig('acme', record.id)).toStrictEqual(record);

    const clash = makeConfigRecord({ tenantId: 'acme', name: 'prod' });
    await expect(two.createConfig(clash, { audit: makeAuditEventFor(clash, 'config.created') })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });

    const other = makeConfigRecord({ tenantId: 'acme', name: 'staging', isDefault: true });
    await two.createConfig(other, { audit: makeAuditEventFor(other, 'config.created') });
    expect((await one.getConfig('acme', record.id))?.isDefault).toBe(false);

    const key = makeFakeKey();
    await one.updateConfig('acme', other.id, makeKeyPatch(key), { audit: makeAuditEventFor(other, 'key.set') });
    expect((await two.loadCandidates('acme', ['']))?.find((c) => c.id === other.id)?.sealedKey).toBe(key.sealedKey);
    await expect(
      two.updateConfig(
        'acme',
        other.id,
        { name: 'x' },
        { audit: makeAuditEventFor(other, 'config.updated'), expectedRevision: 1 },
      ),
    ).rejects.toMatchObject({ code: 'CONCURRENT_UPDATE' });
  });

  it('migrations are recorded, idempotent and safe to run from two instances', async () => {
    const path = tmp.file();
    const one = await openStore(path);
    const two = await openStore(path);
    expect(await one.migrate()).toStrictEqual({ from: 0, to: SQLITE_SCHEMA_VERSION });
    expect(await two.migrate()).toStrictEqual({ from: SQLITE_SCHEMA_VERSION, to: SQLITE_SCHEMA_VERSION });
    expect(await one.migrate()).toStrictEqual({ from: SQLITE_SCHEMA_VERSION, to: SQLITE_SCHEMA_VERSION });
    const rows = observe(path).prepare('SELECT version, name FROM byokit_migrations').all();
    expect(rows).toStrictEqual([
      { version: 1, name: 'configs and audit' },
      { version: 2, name: 'kek id derived from the sealed key' },
      { version: 3, name: 'key health' },
      { version: 4, name: 'settings, access keys, quota counters and usage' },
      { version: 5, name: 'usable-config indexes for the filtered resolution read' },
      { version: 6, name: 'staged keys: pending and previous slots' },
    ]);
  });

  it('a 0.1 database (schema 1, with a kek_id column) keeps working after migrate(): its keys still resolve and the column is gone', async () => {
    const path = tmp.file();
    const raw = observe(path);
    const tables = tableNames();
    raw.exec(SQLITE_MIGRATIONS[0]!.sql(tables));
    raw.exec(
      'CREATE TABLE byokit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    raw.prepare(`INSERT INTO byokit_migrations VALUES (1, 'configs and audit', '2025-01-01T00:00:00.000Z')`).run();
    const keyring = Keyring.generate('k1');
    const id = 'cfg_01JD0000000000000000000001';
    const sealed = await sealSecret(
      CANARY,
      { tenantId: 'acme', configId: id, provider: 'openai', baseUrl: null },
      keyring,
    );
    // Written the way 0.1 wrote it: the KEK id in its own column beside the sealed key.
    raw
      .prepare(
        `INSERT INTO byokit_configs (tenant_id, id, scope, name, provider, routes, model, base_url, options, enabled, is_default, key_hint, kek_id,
        sealed_key, key_set_at, key_expires_at, last_validated_at, last_validation_status, created_at, updated_at, revision)
       VALUES ('acme', ?, '', 'prod', 'openai', '[]', NULL, NULL, '{}', 1, 0, 'sk-proj-...XYZW', 'k1', ?, NULL, NULL, NULL, NULL, ?, ?, 2)`,
      )
      .run(id, sealed, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');

    const store = await openStore(path);
    expect(await store.migrate()).toStrictEqual({ from: 1, to: SQLITE_SCHEMA_VERSION });
    const columns = (raw.prepare('PRAGMA table_info(byokit_configs)').all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    expect(columns).not.toContain('kek_id');
    expect(columns).toContain('sealed_key');
    expect(await store.getConfig('acme', id)).toMatchObject({ kekId: 'k1', keyHint: 'sk-proj-...XYZW', revision: 2 });
    const vault = createVault({ store, keyring });
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal()).toBe(CANARY);
    expect(await vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } }).getConfig(id)).toMatchObject({
      keyState: 'active',
    });
  });

  it('migrates on first use by default', async () => {
    const store = await openStore();
    expect(await store.listConfigs('acme', { limit: 1 })).toStrictEqual({ items: [], nextCursor: null });
    expect(observe().prepare('SELECT COUNT(*) AS n FROM byokit_migrations').get()).toStrictEqual({
      n: SQLITE_SCHEMA_VERSION,
    });
  });

  it('with autoMigrate: false, fails with STORE_FAILED until migrate() is called', async () => {
    const store = await openStore(tmp.file(), { autoMigrate: false });
    await expect(store.getConfig('acme', 'cfg_x')).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: expect.stringContaining('store.migrate()'),
    });
    await store.migrate();
    expect(await store.getConfig('acme', 'cfg_x')).toBeNull();
  });

  it('refuses a database migrated by a newer byokit', async () => {
    const path = tmp.file();
    await (await openStore(path)).migrate();
    observe(path)
      .prepare(
        `INSERT INTO byokit_migrations (version, name, applied_at) VALUES (?, 'future', '2099-01-01T00:00:00.000Z')`,
      )
      .run(SQLITE_SCHEMA_VERSION + 1);
    const later = await openStore(path);
    await expect(later.getConfig('acme', 'cfg_x')).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: expect.stringContaining('newer'),
    });
  });

  it('keeps its tables under the configured prefix and rejects a prefix that is not an identifier', async () => {
    const path = tmp.file();
    const store = await openStore(path, { tablePrefix: 'app_keys_' });
    await store.migrate();
    const names = (
      observe(path).prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{
        name: string;
      }>
    ).map((r) => r.name);
    expect(names).toStrictEqual([
      'app_keys_access_key_counters',
      'app_keys_access_key_usage',
      'app_keys_access_keys',
      'app_keys_audit',
      'app_keys_configs',
      'app_keys_key_health',
      'app_keys_migrations',
      'app_keys_settings',
    ]);
    expect(() => new SqliteStore(new Database(':memory:'), { tablePrefix: 'x; DROP TABLE y; --' })).toThrow(
      /tablePrefix/,
    );
  });

  it('the database itself keeps names unique and one default per scope, even against writes that bypass the store', async () => {
    const path = tmp.file();
    const store = await openStore(path);
    const record = makeConfigRecord({ tenantId: 'acme', name: 'prod', isDefault: true });
    await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
    const raw = observe(path);
    const copy = raw.prepare('SELECT * FROM byokit_configs').get() as Record<string, unknown>;
    const insert = (row: Record<string, unknown>) =>
      raw
        .prepare(
          `INSERT INTO byokit_configs (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
            .map(() => '?')
            .join(', ')})`,
        )
        .run(...Object.values(row));
    expect(() => insert({ ...copy, id: 'cfg_other', is_default: 0 })).toThrow(/UNIQUE/);
    expect(() => insert({ ...copy, id: 'cfg_other', name: 'second' })).toThrow(/UNIQUE/);
  });

  it('wraps backend failures in STORE_FAILED without key material in the message', async () => {
    const path = tmp.file();
    const store = await openStore(path);
    await store.migrate();
    observe(path).exec('DROP TABLE byokit_configs');
    const key = makeFakeKey();
    const error = await store
      .updateConfig('acme', 'cfg_x', makeKeyPatch(key), {
        audit: makeAuditEventFor({ id: 'cfg_x', tenantId: 'acme' }, 'key.set'),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', code: 'STORE_FAILED' });
    expect((error as Error).message).toMatch(/^\[byokit\] \[sqlite\] updateConfig failed/);
    expect((error as Error).message).not.toContain(key.sealedKey);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('zeroes a deleted sealed key in the file itself (secure_delete), once the WAL is checkpointed', async () => {
    const path = tmp.file();
    const store = await openStore(path);
    const record = makeConfigRecord({ tenantId: 'acme' });
    await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
    const key = makeFakeKey();
    await store.updateConfig('acme', record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
    const observer = observe(path);
    observer.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = () =>
      readFileSync(path).toString('latin1') +
      (existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`).toString('latin1') : '');
    expect(bytes()).toContain(key.sealedKey);
    expect(bytes()).not.toContain(key.plaintext);
    await store.deleteConfig('acme', record.id, { audit: makeAuditEventFor(record, 'config.deleted') });
    observer.pragma('wal_checkpoint(TRUNCATE)');
    expect(bytes()).not.toContain(key.sealedKey);
  });

  it('opens with a stated driver and fails clearly when it is missing', async () => {
    const store = await openStore(tmp.file(), { driver: 'better-sqlite3' });
    expect(await store.listAudit('acme', { limit: 1 })).toStrictEqual({ items: [], nextCursor: null });
    if (!nodeSqlite) {
      await expect(SqliteStore.open(tmp.file('other.db'), { driver: 'node:sqlite' })).rejects.toMatchObject({
        code: 'STORE_FAILED',
        message: expect.stringContaining('Node 22.5+'),
      });
    } else {
      const viaNode = await openStore(tmp.file('other.db'), { driver: 'node:sqlite' });
      expect(await viaNode.listAudit('acme', { limit: 1 })).toStrictEqual({ items: [], nextCursor: null });
    }
  });
});

describe.skipIf(!nodeSqlite)(
  `SqliteStore over node:sqlite (skipped: node:sqlite needs Node 22.5+, this is ${process.version})`,
  () => {
    it('reopens a file written through node:sqlite and reads it back through better-sqlite3', async () => {
      const path = tmp.file();
      const db = new nodeSqlite!.DatabaseSync(path);
      const store = new SqliteStore(db);
      const record = makeRichConfigRecord({ tenantId: 'acme' });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      const key = makeFakeKey();
      await store.updateConfig('acme', record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
      db.close();
      const other = new SqliteStore(observe(path));
      expect((await other.loadCandidates('acme', [record.scope]))[0]?.sealedKey).toBe(key.sealedKey);
    });
  },
);
