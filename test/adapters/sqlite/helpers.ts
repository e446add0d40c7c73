import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from '../../../adapters/sqlite/index.js';

/** A fresh temp folder; `remove()` deletes it with every file in it. */
export function tempDir(): { dir: string; file: (name?: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'byokit-sqlite-'));
  return {
    dir,
    file: (name = 'byokit.db') => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every row of every table of the file, as text: the raw look behind the adapter. */
export function dumpDatabase(db: SqliteDatabase): string {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{
    name: string;
  }>;
  return tables.map(({ name }) => `${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`).join('\n');
}

/** A second, independent connection to `path` for looking at the file from outside the store. */
export function openObserver(path: string): Database.Database {
  return new Database(path);
}

/** The node:sqlite module when this Node has it (22.5+), else undefined. */
export const nodeSqlite = process.getBuiltinModule?.('node:sqlite') as
  | { DatabaseSync: new (path: string) => SqliteDatabase & { close(): void } }
  | undefined;

/**
 * The copied-row attack on a SQLite file: copies a config row (sealed key
 * included) under another tenant with its tenant column rewritten. A row
 * has one tenant column, so a verbatim copy (still naming the source
 * tenant) can't exist here: `false`.
 */
export function copySqliteRow(
  db: SqliteDatabase,
  configsTable: string,
  from: { tenantId: string; id: string },
  toTenantId: string,
  keepStoredTenant: boolean,
): boolean {
  if (keepStoredTenant) return false;
  const row = db.prepare(`SELECT * FROM ${configsTable} WHERE tenant_id = ? AND id = ?`).get(from.tenantId, from.id) as
    | Record<string, unknown>
    | undefined;
  if (!row) throw new Error(`no config ${from.id} in tenant ${from.tenantId} to copy`);
  const copy = { ...row, tenant_id: toTenantId };
  const columns = Object.keys(copy);
  db.prepare(`INSERT INTO ${configsTable} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
    ...Object.values(copy),
  );
  return true;
}
