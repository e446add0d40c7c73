/**
 * Rows on SQLite (a real file, better-sqlite3): resolve against a bare
 * prepared SELECT of one row, and flat from 1k configs up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../adapters/sqlite/index.js';
import { Keyring, createVault } from '../src/index.js';
import { pair, timed, type Row } from './harness.js';
import { loadTenants, randomTenantResolve } from './tenants.js';
import { rotationRow } from './rotation.js';

/** The connection settings docs/adapters.md recommends for a large file: reads through mmap, a 128 MiB page cache. */
function tuned(db: Database.Database): Database.Database {
  db.pragma('mmap_size = 1073741824');
  db.pragma('cache_size = -131072');
  return db;
}

export async function sqliteRows(options: {
  scale: boolean;
  log: (line: string) => void;
}): Promise<{ version: string; rows: Row[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'byokit-bench-'));
  const db = tuned(new Database(join(dir, 'bench.db')));
  try {
    const version = String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
    const store = new SqliteStore(db);
    await store.migrate();
    const vault = createVault({ store, keyring: Keyring.generate('k1') });
    await loadTenants(vault, 0, 100, 1);
    db.exec('ANALYZE');
    const anyId = (db.prepare(`SELECT id FROM byokit_configs WHERE tenant_id = 't0' LIMIT 1`).get() as { id: string })
      .id;
    const select = db.prepare('SELECT * FROM byokit_configs WHERE tenant_id = ? AND id = ?');
    const bare = {
      label: 'bare prepared SELECT of one config row (better-sqlite3)',
      run: () => select.get('t0', anyId),
    };
    const rows: Row[] = [];
    rows.push(
      await pair(
        'resolve(), SQLite (better-sqlite3, file)',
        bare,
        () => vault.resolve({ tenantId: 't0', scope: 'ws/p', provider: 'openai' }),
        { text: '≤ 3×', max: 3 },
      ),
    );

    // Flat in the store's size: the same resolves on a second file holding many more configs, measured in one run.
    const small = 100;
    const large = options.scale ? 100_000 : 2_000;
    const bigDb = tuned(new Database(join(dir, 'big.db')));
    try {
      const bigStore = new SqliteStore(bigDb);
      await bigStore.migrate();
      const big = createVault({ store: bigStore, keyring: Keyring.generate('k1') });
      const seconds = await timed(() =>
        loadTenants(big, 0, large, 1, (done) =>
          options.log(`  sqlite: ${(done * 10).toLocaleString('en-US')} configs imported`),
        ),
      );
      options.log(`  sqlite: ${(large * 10).toLocaleString('en-US')} configs imported in ${seconds.toFixed(1)} s`);
      bigDb.exec('ANALYZE');
      rows.push(
        await pair(
          `resolve() p50, SQLite, 1k → ${(large * 10).toLocaleString('en-US')} configs (10 per tenant)`,
          { label: 'the same resolve, file of 1,000 configs', run: randomTenantResolve(vault, small) },
          randomTenantResolve(big, large),
          { text: '≤ 1.2×', max: 1.2 },
          { time: 1500 },
        ),
      );
    } finally {
      bigDb.close();
    }
    rows.push(await rotationRow(store, 'SQLite'));
    return { version, rows };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
