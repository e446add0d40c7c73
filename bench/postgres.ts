/**
 * Rows on the real PostgreSQL server (BYOKIT_PG_URL, default the local test
 * database): resolve against a bare primary-key SELECT and a pgcrypto
 * decrypt on the same pool, flat from 1k configs up, rewrap and bulk import
 * throughput, and 200 concurrent resolves on a 10-connection pool.
 */
import pg from 'pg';
import { PostgresStore } from '../adapters/postgres/index.js';
import { Keyring, createVault, type Vault } from '../src/index.js';
import { interleaved, pair, repeat, throughputRow, timed, type Measured, type Row } from './harness.js';
import { KEY } from './memory.js';
import { rotationRow } from './rotation.js';
import { loadTenants, randomTenantResolve, tenantConfigs } from './tenants.js';

export const PG_URL = process.env.BYOKIT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresBench {
  version: string;
  rows: Row[];
}

/** Throughput of `total` calls of `op` kept `concurrency` at a time. */
async function throughput(total: number, concurrency: number, op: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const seconds = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < total) {
          started++;
          await op();
        }
      }),
    ),
  );
  return total / seconds;
}

export async function postgresRows(options: { scale: boolean; log: (line: string) => void }): Promise<PostgresBench> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
  const schema = `byokit_bench_${Math.random().toString(36).slice(2, 10)}`;
  const rows: Row[] = [];
  try {
    const version = String((await pool.query('SHOW server_version')).rows[0]?.server_version);
    await pool.query(`CREATE SCHEMA "${schema}"`);
    const store = new PostgresStore(pool, { schema });
    await store.migrate();
    const keyring = Keyring.generate('k1');
    const vault = createVault({ store, keyring });
    const configs = `"${schema}"."byokit_configs"`;

    // One tenant of ten configs, the resolve every other row is about.
    await loadTenants(vault, 0, 1, 1);
    const resolveOne = () => vault.resolve({ tenantId: 't0', scope: 'ws/p', provider: 'openai' });
    const anyId = String((await pool.query(`SELECT id FROM ${configs} WHERE tenant_id = 't0' LIMIT 1`)).rows[0]?.id);
    const bare = {
      label: 'bare primary-key SELECT of one config row, same pool',
      run: () => pool.query(`SELECT * FROM ${configs} WHERE tenant_id = $1 AND id = $2`, ['t0', anyId]),
    };
    rows.push(
      await pair(
        'resolve(), PostgreSQL (pg Pool)',
        bare,
        resolveOne,
        { text: '≤ 1.25×, one round trip', max: 1.25 },
        { time: 2000 },
      ),
    );

    const pgcrypto = await pool.query('CREATE EXTENSION IF NOT EXISTS pgcrypto').then(
      () => true,
      (error: Error) => {
        options.log(`pgcrypto row skipped: ${error.message}`);
        return false;
      },
    );
    if (pgcrypto) {
      await pool.query(`CREATE TABLE "${schema}".pgp_keys (id text PRIMARY KEY, secret bytea NOT NULL)`);
      await pool.query(`INSERT INTO "${schema}".pgp_keys VALUES ('k', pgp_sym_encrypt($1, 'bench-passphrase'))`, [KEY]);
      const decrypt = {
        label: 'SELECT pgp_sym_decrypt(...) of the key (pgcrypto, same pool)',
        run: () =>
          pool.query(`SELECT pgp_sym_decrypt(secret, $2) AS key FROM "${schema}".pgp_keys WHERE id = $1`, [
            'k',
            'bench-passphrase',
          ]),
      };
      rows.push(
        await pair(
          'resolve(), PostgreSQL vs pgcrypto',
          decrypt,
          resolveOne,
          { text: '< 1× (faster)', max: 0.999 },
          { time: 2000 },
        ),
      );
    }

    // 200 concurrent resolves on the 10-connection pool, against 200 concurrent bare reads.
    const [bareRate, resolveRate] = await interleaved(
      5,
      () => throughput(4000, 200, bare.run),
      () => throughput(4000, 200, resolveOne),
    );
    rows.push(
      throughputRow(
        '200 concurrent resolves, 10-connection pool',
        '200 concurrent bare primary-key SELECTs',
        bareRate,
        resolveRate,
        { text: '≥ 0.6× the bare throughput', minRatio: 0.6 },
      ),
    );

    rows.push(...(await flatness(pool, vault, options, schema)));
    rows.push(...(await rewrap(pool, store, schema)));
    rows.push(await rotationRow(store, 'PostgreSQL'));
    rows.push(await bulkImport(vault));
    return { version, rows };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

/**
 * Resolve p50 over random tenants (10 configs each) of a store holding
 * 1,000 configs, beside the same over a store (another schema on the same
 * server and pool) holding many more, measured in one run.
 */
async function flatness(
  pool: pg.Pool,
  vault: Vault,
  options: { scale: boolean; log: (line: string) => void },
  schema: string,
): Promise<Row[]> {
  const small = 100;
  const large = options.scale ? 100_000 : 2_000;
  const bigSchema = `${schema}_big`;
  await pool.query(`CREATE SCHEMA "${bigSchema}"`);
  try {
    const bigStore = new PostgresStore(pool, { schema: bigSchema });
    await bigStore.migrate();
    const big = createVault({ store: bigStore, keyring: Keyring.generate('k1') });
    await loadTenants(vault, 1, small);
    const seconds = await timed(() =>
      loadTenants(big, 0, large, 8, (done) =>
        options.log(`  postgres: ${(done * 10).toLocaleString('en-US')} configs imported`),
      ),
    );
    options.log(
      `  postgres: ${(large * 10).toLocaleString('en-US')} configs imported in ${seconds.toFixed(1)} s (${Math.round((large * 10) / seconds).toLocaleString('en-US')}/s, 8 parallel import calls of 10)`,
    );
    await pool.query(`ANALYZE "${schema}"."byokit_configs"`);
    await pool.query(`ANALYZE "${bigSchema}"."byokit_configs"`);
    const row = await pair(
      `resolve() p50, PostgreSQL, 1k → ${(large * 10).toLocaleString('en-US')} configs (10 per tenant)`,
      {
        label: 'the same resolve, store of 1,000 configs (same server and pool)',
        run: randomTenantResolve(vault, small),
      },
      randomTenantResolve(big, large),
      { text: '≤ 1.2×', max: 1.2 },
      { time: 3000 },
    );
    return [row];
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${bigSchema}" CASCADE`).catch(() => undefined);
  }
}

/** vault.rewrapKeys of one tenant of 10,000 keys, against one UPDATE statement per key of the same rows. */
async function rewrap(pool: pg.Pool, store: PostgresStore, schema: string): Promise<Row[]> {
  const k1 = { id: 'k1', key: crypto.getRandomValues(new Uint8Array(32)) };
  const k2 = { id: 'k2', key: crypto.getRandomValues(new Uint8Array(32)) };
  const vaults = [
    createVault({ store, keyring: Keyring.fromKeys([k2, k1]) }),
    createVault({ store, keyring: Keyring.fromKeys([k1, k2]) }),
  ];
  const rates: Row[] = [];
  const perSize = new Map<number, Measured>();
  for (const size of [1_000, 10_000]) {
    const tenantId = `rot${size}`;
    const loader = createVault({ store, keyring: Keyring.fromKeys([k1]) }).as({
      tenantId,
      actor: { id: 'bench', role: 'owner' },
    });
    for (let i = 0; i < size; i += 5_000) {
      await loader.importConfigs(
        Array.from({ length: Math.min(5_000, size - i) }, (_, j) => ({
          name: `r${i + j}`,
          provider: 'openai',
          scope: 'ws',
          key: `${KEY}${i + j}`,
        })),
      );
    }
    // As the adapter docs recommend after a bulk load: fresh statistics for the planner.
    await pool.query(`ANALYZE "${schema}"."byokit_configs"`);
    // Each run rotates the other way, so every run has all keys to move.
    perSize.set(
      size,
      await repeat(3, async (run) => {
        let report: Awaited<ReturnType<(typeof vaults)[number]['rewrapKeys']>> | undefined;
        const seconds = await timed(async () => (report = await vaults[(run + 1) % 2]!.rewrapKeys({ tenantId })));
        if (report!.rewrapped !== size || report!.remaining !== 0) throw new Error(`rewrap: ${JSON.stringify(report)}`);
        return size / seconds;
      }),
    );
  }
  // Baseline: the least a key-at-a-time rewrap costs, one UPDATE round trip per key (no crypto, no audit).
  const ids = (
    await pool.query(`SELECT id, sealed_key FROM "${schema}"."byokit_configs" WHERE tenant_id = 'rot1000' LIMIT 500`)
  ).rows as { id: string; sealed_key: string }[];
  const perRow = await repeat(3, async () => {
    const seconds = await timed(async () => {
      for (const row of ids)
        await pool.query(
          `UPDATE "${schema}"."byokit_configs" SET sealed_key = $3 WHERE tenant_id = 'rot1000' AND id = $1 AND sealed_key = $2`,
          [row.id, row.sealed_key, row.sealed_key],
        );
    });
    return ids.length / seconds;
  });
  const big = perSize.get(10_000)!;
  const small = perSize.get(1_000)!;
  rates.push(
    throughputRow(
      'vault.rewrapKeys, PostgreSQL, one tenant of 10,000 keys',
      'one UPDATE per key, one at a time (no crypto, no audit)',
      perRow,
      big,
      { text: '≥ 10,000 keys/s', minPerSecond: 10_000 },
    ),
  );
  rates.push({
    name: 'rewrap cost per key, 1,000 → 10,000 keys in one tenant',
    baseline: 'rewrap of a tenant of 1,000 keys, per key',
    ratio: small.p50 / big.p50,
    spread: Math.hypot(small.mad / small.p50, big.mad / big.p50),
    subject: `${Math.round(big.p50).toLocaleString('en-US')} keys/s`,
    base: `${Math.round(small.p50).toLocaleString('en-US')} keys/s`,
    goal: 'linear (≤ 1.2×)',
    met: small.p50 / big.p50 <= 1.2,
  });
  return rates;
}

/** admin.importConfigs of 10,000 keyed configs, against createConfig + setKey one at a time. */
async function bulkImport(vault: Vault): Promise<Row> {
  let round = 0;
  const bulkRun = async () => {
    const admin = vault.as({ tenantId: `imp${round++}`, actor: { id: 'bench', role: 'owner' } });
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      ...tenantConfigs(i)[i % 10]!,
      name: `i${i}`,
      isDefault: false,
    }));
    const seconds = await timed(() => admin.importConfigs(items));
    return items.length / seconds;
  };
  const singleRun = async () => {
    const admin = vault.as({ tenantId: `one${round++}`, actor: { id: 'bench', role: 'owner' } });
    const seconds = await timed(async () => {
      for (let i = 0; i < 200; i++) {
        const { key, ...config } = { ...tenantConfigs(i)[i % 10]!, name: `s${i}`, isDefault: false };
        const created = await admin.createConfig(config);
        await admin.setKey(created.id, key!);
      }
    });
    return 200 / seconds;
  };
  const [single, bulk] = await interleaved(3, singleRun, bulkRun);
  return throughputRow(
    'loading configs + keys, PostgreSQL: admin.importConfigs (10,000 per call)',
    'createConfig + setKey, one config at a time',
    single,
    bulk,
    {
      text: '≥ 5,000/s',
      minPerSecond: 5_000,
    },
  );
}
