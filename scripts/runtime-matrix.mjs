// The runtime matrix (run after `npm run build`; .ci/run calls it after `npm test`):
//
// - the packed package installed in a fresh project (with openai and
//   @anthropic-ai/sdk, and this repo's better-sqlite3, built for the Node that
//   runs CI), then test/runtime/core-suite.ts (crypto with the test vectors,
//   resolver, memory store, validation, providers against a local stand-in
//   server) on Node 20, 22 and 24, Bun, Deno, and workerd (a worker bundled
//   from the package with esbuild, fetched on localhost); the SQLite adapter
//   on Node 20, 22, 24 and Bun;
// - the vitest suites of the core (crypto, resolver, store, vault, providers)
//   and the node:sqlite suites of the SQLite adapter, from source, under
//   Node 22 and 24.
//
// Runtimes come from scripts/runtimes.mjs (npm packages, cached). Prints a
// table and the time taken; exits non-zero when anything failed.
//
//   node scripts/runtime-matrix.mjs
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { installRuntimes } from './runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const rows = [];

const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (message) => console.log(`[${elapsed(started).padStart(7)}] ${message}`);

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('runtime matrix: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

// --- runtimes and a fresh project -------------------------------------------------
const runtimes = installRuntimes();
const work = mkdtempSync(join(tmpdir(), 'byokit-matrix-'));
const project = join(work, 'app');
mkdirSync(project);
writeFileSync(
  join(project, 'package.json'),
  JSON.stringify({ name: 'matrix-app', private: true, type: 'module' }, null, 2),
);
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
);
const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const sdks = ['openai', '@anthropic-ai/sdk'].map((name) => `${name}@${versionOf(name)}`);
log(`npm install ${packed[0].filename} ${sdks.join(' ')} (fresh project)`);
execFileSync(
  'npm',
  [
    'install',
    join(work, packed[0].filename),
    ...sdks,
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=error',
  ],
  {
    cwd: project,
    stdio: 'inherit',
  },
);
// This repo's better-sqlite3 was built for the Node running CI (20): the other
// Node versions and Bun can't load it, and the adapter must fall back.
symlinkSync(join(root, 'node_modules', 'better-sqlite3'), join(project, 'node_modules', 'better-sqlite3'), 'dir');
// The suite's files, transpiled one by one (imports untouched), laid out as in the repo.
mkdirSync(join(project, 'vectors'));
copyFileSync(join(root, 'test', 'vectors', 'seal-v1.json'), join(project, 'vectors', 'seal-v1.json'));
await build({
  entryPoints: ['core-suite.ts', 'run-core.ts', 'worker.ts'].map((file) => join(root, 'test', 'runtime', file)),
  outdir: join(project, 'runtime'),
  format: 'esm',
  platform: 'neutral',
  tsconfigRaw: {},
  logLevel: 'warning',
});

// --- the local stand-in provider --------------------------------------------------
const seen = [];
const server = createServer((request, response) => {
  const path = new URL(request.url, 'http://localhost').pathname;
  if (path === '/__seen') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(seen.splice(0)));
    return;
  }
  seen.push({ method: request.method, path, authorization: request.headers.authorization ?? null });
  request.resume();
  request.on('end', () => {
    response.setHeader('content-type', 'application/json');
    if (path === '/v1/models')
      return response.end(
        JSON.stringify({ object: 'list', data: [{ id: 'gpt-test', object: 'model', created: 0, owned_by: 'x' }] }),
      );
    if (path.startsWith('/v1/models/'))
      return response.end(JSON.stringify({ id: path.slice(11), object: 'model', created: 0, owned_by: 'x' }));
    if (path === '/v1/chat/completions') {
      return response.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 0,
          model: 'gpt-test',
          choices: [
            { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello from the stand-in' } },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    }
    if (path === '/anthropic/v1/messages') {
      return response.end(
        JSON.stringify({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-test',
          content: [{ type: 'text', text: 'hello' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
      );
    }
    response.statusCode = 404;
    response.end(JSON.stringify({ error: { message: `no route ${path}` } }));
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const providerUrl = `http://127.0.0.1:${server.address().port}`;

// --- helpers ---------------------------------------------------------------------------
/** Runs a command, resolves with its exit code and output; kills it after `timeoutMs`. */
function run(command, args, { cwd = project, timeoutMs = 120_000, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function record(runtime, what, since, results, output) {
  const failed = results.filter((result) => !result.ok);
  rows.push({ runtime, what, time: elapsed(since), passed: results.length - failed.length, failed: failed.length });
  for (const result of results) {
    console.log(
      `  ${result.ok ? 'ok  ' : 'FAIL'} ${runtime}: ${result.name}${result.detail ? ` (${result.detail})` : ''}`,
    );
  }
  if (results.length === 0) {
    rows.at(-1).failed = 1;
    console.log(`  FAIL ${runtime}: no results\n${output.split('\n').slice(-30).join('\n')}`);
  }
}

function parseResults(output) {
  const line = output.split('\n').find((text) => text.startsWith('RESULTS '));
  return line ? JSON.parse(line.slice('RESULTS '.length)) : [];
}

async function coreSuite(runtime, command, args, sqlite) {
  const since = Date.now();
  log(`core suite on ${runtime}`);
  const sqliteDir = sqlite ? mkdtempSync(join(work, `sqlite-${runtime}-`)) : undefined;
  const { output } = await run(command, [
    ...args,
    'runtime/run-core.js',
    providerUrl,
    'vectors/seal-v1.json',
    ...(sqliteDir ? [sqliteDir] : []),
  ]);
  record(
    runtime,
    `core suite${sqlite ? ' + SQLite adapter' : ''} (packed package)`,
    since,
    parseResults(output),
    output,
  );
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function workerdSuite() {
  const since = Date.now();
  log('core suite on workerd (worker bundled from the package)');
  // Bundled from the fresh project, so `byokit` and the SDKs resolve from its node_modules as a host's would.
  await build({
    entryPoints: [join(project, 'runtime', 'worker.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    outfile: join(project, 'worker-bundle.js'),
    // The SQLite check is never called in a worker (no file system); keep the adapter out.
    external: ['byokit/adapters/sqlite'],
    logLevel: 'warning',
  });
  const port = await freePort();
  writeFileSync(
    join(project, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .suite),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const suite :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker-bundle.js") ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
);
`,
  );
  const child = spawn(runtimes.workerd, ['serve', 'config.capnp', 'config'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let results = [];
  try {
    for (let attempt = 0; attempt < 100 && results.length === 0; attempt++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/?provider=${encodeURIComponent(providerUrl)}`, {
          signal: AbortSignal.timeout(60_000),
        });
        if (response.ok) results = await response.json();
        else output += `\nHTTP ${response.status}: ${await response.text()}`;
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100)); // not listening yet
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
  record('workerd', 'core suite (worker bundled from the packed package)', since, results, output);
}

/** The vitest suites from source, under another Node: one summary row. */
async function vitestOn(runtime, nodePath, what, args) {
  const since = Date.now();
  log(`vitest ${what} on ${runtime}`);
  const { code, output } = await run(
    nodePath,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot', ...args],
    {
      cwd: root,
      timeoutMs: 300_000,
      // The json report of the main run belongs to `npm test`: don't overwrite it.
      env: { ...process.env, CI: '', NO_COLOR: '1', FORCE_COLOR: '0' },
    },
  );
  const summary = output.split('\n').find((line) => /^\s*Tests\s/.test(line)) ?? '';
  const passed = Number(/(\d+) passed/.exec(summary)?.[1] ?? 0);
  const failed = Number(/(\d+) failed/.exec(summary)?.[1] ?? 0);
  rows.push({ runtime, what, time: elapsed(since), passed, failed: code === 0 ? failed : Math.max(failed, 1) });
  if (code !== 0 || passed === 0) console.log(output.split('\n').slice(-40).join('\n'));
}

// --- the matrix ---------------------------------------------------------------------------
try {
  await coreSuite('node 20', process.execPath, [], true);
  await coreSuite('node 22', runtimes.node22, ['--no-warnings'], true);
  await coreSuite('node 24', runtimes.node24, ['--no-warnings'], true);
  await coreSuite('bun', runtimes.bun, [], true);
  await coreSuite('deno', runtimes.deno, ['run', '--allow-all', '--quiet'], false);
  await workerdSuite();
  const core = ['test/crypto', 'test/resolve', 'test/store', 'test/vault', 'test/providers'];
  // The node:sqlite tests, minus the one that reads the file back through better-sqlite3 (built for Node 20 here).
  const nodeSqlite = ['test/adapters/sqlite', '-t', '^(?!.*through better-sqlite3).*node:sqlite'];
  for (const [runtime, path] of [
    ['node 22', runtimes.node22],
    ['node 24', runtimes.node24],
  ]) {
    await vitestOn(runtime, path, 'core suites (source)', core);
    await vitestOn(runtime, path, 'SQLite adapter suites on node:sqlite (source)', nodeSqlite);
  }
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}

console.log('\n| runtime | what | passed | failed | time |\n| --- | --- | ---: | ---: | ---: |');
for (const row of rows) console.log(`| ${row.runtime} | ${row.what} | ${row.passed} | ${row.failed} | ${row.time} |`);
const failures = rows.reduce((sum, row) => sum + row.failed, 0);
const passes = rows.reduce((sum, row) => sum + row.passed, 0);
console.log(`\nruntime matrix: ${passes} passed, ${failures} failed, in ${elapsed(started)}`);
process.exit(failures === 0 && rows.every((row) => row.passed > 0) ? 0 : 1);
