/**
 * byokit benchmarks: `npm run bench` (add `-- --scale` to load 1,000,000
 * configs through the bulk import and measure resolve there).
 *
 * Every row is a ratio against a baseline measured in the same run, right
 * beside it (tinybench, median with its median absolute deviation), on the
 * real PostgreSQL, Redis and SQLite. Absolute times depend on the machine;
 * the ratios say what byokit adds on top of the least the same job costs.
 * The results replace the generated part of docs/benchmarks.md (`--no-write`
 * leaves it alone). No test asserts a timing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Keyring, MemoryStore, createVault } from '../src/index.js';
import { networkPolicy } from '../src/net/endpoint-policy.js';
import { createGuardedFetch } from '../src/net/guarded-fetch.js';
import { measure, median, pair, type Row } from './harness.js';
import { KEY, memoryRewrapRow, memoryRows } from './memory.js';
import { PG_URL, postgresRows } from './postgres.js';
import { REDIS_URL, redisRows } from './redis.js';
import { sqliteRows } from './sqlite.js';

const args = new Set(process.argv.slice(2));
const scale = args.has('--scale');
const write = !args.has('--no-write');
const log = (line: string) => console.error(line);

interface Section {
  title: string;
  rows: Row[];
  note?: string;
}

function formatRatio(row: Row): string {
  const spread = `±${Math.round(row.spread * 100)}%`;
  return row.kind === 'throughput'
    ? `${row.ratio.toFixed(2)}× throughput (${spread})`
    : `${row.ratio.toFixed(2)}× (${spread})`;
}

function table(rows: Row[]): string {
  const lines = [
    '| figure | this run | baseline (same run) | subject | baseline | goal | met |',
    '| --- | ---: | --- | ---: | ---: | --- | :---: |',
  ];
  for (const row of rows) {
    const met = row.met === null ? '' : row.met ? 'yes' : '**no**';
    lines.push(
      `| ${row.name} | ${formatRatio(row)} | ${row.baseline} | ${row.subject} | ${row.base} | ${row.goal} | ${met} |`,
    );
  }
  return lines.join('\n');
}

/** One small request to a local server, plain global fetch against byokit's guarded fetch. */
async function transportRow(): Promise<Row> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
  const guarded = createGuardedFetch({
    policy: networkPolicy({ allowPrivateEndpoints: ['127.0.0.1'] }),
    request: { tenantId: 'acme', provider: 'openai', action: 'request' },
  });
  try {
    return await pair(
      'guarded fetch, one local request',
      { label: 'plain global fetch, same request', run: async () => (await fetch(url)).text() },
      async () => (await guarded(url)).text(),
      { text: '' },
      { time: 1500 },
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const COLD_RUNS = 9;

/** `import 'byokit'` in a fresh process (dist/ built), against importing node:crypto there. */
function coldImportRow(): Row | null {
  const entry = new URL('../dist/index.js', import.meta.url);
  if (!existsSync(fileURLToPath(entry))) {
    log('(cold import skipped: run `npm run build` first)');
    return null;
  }
  const time = (specifier: string) => {
    const script = `const t = process.hrtime.bigint(); await import(${JSON.stringify(specifier)}); console.log(String(process.hrtime.bigint() - t));`;
    return (
      Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()) / 1e6
    );
  };
  const ours = median(Array.from({ length: COLD_RUNS }, () => time(entry.href)));
  const zod = median(Array.from({ length: COLD_RUNS }, () => time('zod/mini')));
  return {
    name: `cold import of dist/index.js (fresh process, median of ${COLD_RUNS})`,
    baseline: 'cold import of zod/mini alone',
    ratio: ours.p50 / zod.p50,
    spread: Math.hypot(ours.mad / ours.p50, zod.mad / zod.p50),
    subject: `${ours.p50.toFixed(1)} ms`,
    base: `${zod.p50.toFixed(1)} ms`,
    goal: '',
    met: null,
  };
}

/** Heap per stored config with its sealed key and audit events (MemoryStore). */
async function memoryPerConfig(): Promise<string> {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = new MemoryStore();
  const admin = createVault({ store, keyring: Keyring.generate() }).as({
    tenantId: 'mem',
    actor: { id: 'bench', role: 'owner' },
  });
  const count = 2000;
  await admin.importConfigs(
    Array.from({ length: count }, (_, i) => ({ name: `m${i}`, provider: 'openai', key: `${KEY}${i}` })),
  );
  globalThis.gc?.();
  const perConfig = (process.memoryUsage().heapUsed - before) / count;
  return `about ${Math.round(perConfig).toLocaleString('en-US')} bytes of heap per config with its sealed key and 2 audit events (MemoryStore, ${count} configs${globalThis.gc ? '' : ', without --expose-gc: rough'})`;
}

async function optional<T>(name: string, run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    const reason = `${name} rows skipped: ${error instanceof Error ? error.message : String(error)}`;
    log(reason);
    return reason;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const sections: Section[] = [];
  const versions: string[] = [`Node ${process.version}`];

  log('memory store and crypto ...');
  sections.push({
    title: 'Memory store and the crypto floor',
    rows: [...(await memoryRows()), await memoryRewrapRow()],
  });

  log('SQLite ...');
  const sqlite = await optional('SQLite', () => sqliteRows({ scale, log }));
  if (typeof sqlite === 'string') sections.push({ title: 'SQLite', rows: [], note: sqlite });
  else {
    versions.push(`SQLite ${sqlite.version} (better-sqlite3)`);
    sections.push({ title: 'SQLite', rows: sqlite.rows });
  }

  log(`PostgreSQL (${PG_URL}) ...`);
  const postgres = await optional('PostgreSQL', () => postgresRows({ scale, log }));
  if (typeof postgres === 'string') sections.push({ title: 'PostgreSQL', rows: [], note: postgres });
  else {
    versions.push(`PostgreSQL ${postgres.version} (pg Pool of 10)`);
    sections.push({ title: 'PostgreSQL', rows: postgres.rows });
  }

  log(`Redis (${REDIS_URL}) ...`);
  const redis = await optional('Redis', redisRows);
  if (typeof redis === 'string') sections.push({ title: 'Redis', rows: [], note: redis });
  else {
    versions.push(`Redis ${redis.version} (ioredis)`);
    sections.push({ title: 'Redis', rows: redis.rows });
  }

  log('transport and cold import ...');
  const other = [await transportRow()];
  const cold = coldImportRow();
  if (cold) other.push(cold);
  sections.push({ title: 'Transport and start-up', rows: other, note: await memoryPerConfig() });

  const minutes = (Date.now() - started) / 60_000;
  const cpu = cpus();
  const machine =
    `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}; ` +
    `${versions.join(', ')}; load average ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end; ` +
    `${minutes.toFixed(1)} minutes${scale ? ' (--scale)' : ''}; ${new Date().toISOString().slice(0, 10)}`;
  const body = [
    `Machine: ${machine}.`,
    ...sections.map(
      (s) => `### ${s.title}\n\n${s.rows.length > 0 ? table(s.rows) : ''}${s.note ? `\n\n${s.note}` : ''}`,
    ),
  ].join('\n\n');
  console.log(body);

  if (write) {
    const path = new URL('../docs/benchmarks.md', import.meta.url);
    const doc = readFileSync(path, 'utf8');
    const marker = scale ? 'scale' : 'results';
    const start = `<!-- bench:${marker}:start -->`;
    const end = `<!-- bench:${marker}:end -->`;
    if (doc.includes(start) && doc.includes(end)) {
      const generated = `${start}\n<!-- Generated by \`npm run bench${scale ? ' -- --scale' : ''}\`: edit bench/, not this part. -->\n\n${body}\n\n${end}`;
      writeFileSync(
        path,
        doc.replace(new RegExp(`${start}[\\s\\S]*${end}`), () => generated),
      );
      log(`docs/benchmarks.md: ${marker} section written`);
    } else {
      log(`docs/benchmarks.md has no ${start} … ${end} section: not written`);
    }
  }
}

await measure(() => 0, 10); // load tinybench before the first row
await main();
