import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from '../../../adapters/sqlite/index.js';

/** A fresh temp folder; `remove()` deletes it with every file in it. */
export function tempDir(): { dir: string; file: (name?: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'byokit-sqlite-'));
  return { dir, file: (name = 'byokit.db') => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every row of every table of the file, as text: the raw look behind the adapter. */
export function dumpDatabase(db: SqliteDatabase): string {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>;
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
