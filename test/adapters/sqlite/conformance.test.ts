import Database from 'better-sqlite3';
import { describe } from 'vitest';
import { SqliteStore } from '../../../adapters/sqlite/index.js';
import type { SqliteDatabase } from '../../../adapters/sqlite/index.js';
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { copySqliteRow, dumpDatabase, nodeSqlite, tempDir } from './helpers.js';

/** Store factory over a fresh file per test, with a raw dump read through a separate connection. */
function fileStoreFactory(open: (path: string) => SqliteDatabase & { close(): unknown }, tablePrefix?: string) {
  return async () => {
    const tmp = tempDir();
    const path = tmp.file();
    const db = open(path);
    const store = new SqliteStore(db, tablePrefix === undefined ? {} : { tablePrefix });
    await store.migrate();
    const observer = open(path);
    return {
      store,
      rawDump: () => dumpDatabase(observer),
      copyRowBehindAdapter: (
        from: { tenantId: string; id: string },
        toTenantId: string,
        { keepStoredTenant }: { keepStoredTenant: boolean },
      ) => copySqliteRow(observer, `${tablePrefix ?? 'byokit_'}configs`, from, toTenantId, keepStoredTenant),
      breakAuditWrites: () => {
        const audit = `${tablePrefix ?? 'byokit_'}audit`;
        observer.exec(
          `CREATE TRIGGER break_audit BEFORE INSERT ON ${audit} BEGIN SELECT RAISE(ABORT, 'audit writes are broken'); END`,
        );
      },
      cleanup: () => {
        observer.close();
        db.close();
        tmp.remove();
      },
    };
  };
}

runStorageAdapterTests({
  name: 'sqlite (better-sqlite3, file)',
  preciseCandidates: true,
  createStore: fileStoreFactory((path) => new Database(path)),
});

runStorageAdapterTests({
  name: 'sqlite (better-sqlite3, file, tablePrefix "acme_byok_")',
  preciseCandidates: true,
  createStore: fileStoreFactory((path) => new Database(path), 'acme_byok_'),
});

describe.skipIf(!nodeSqlite)(
  `node:sqlite driver (skipped: node:sqlite needs Node 22.5+, this is ${process.version})`,
  () => {
    runStorageAdapterTests({
      name: 'sqlite (node:sqlite, file)',
      preciseCandidates: true,
      createStore: fileStoreFactory((path) => new nodeSqlite!.DatabaseSync(path)),
    });
  },
);
