// The core bundle budget: what a host's bundler adds for `createVault`,
// `Keyring`, `MemoryStore` and a `vault.resolve()` call, bundled from the built
// package (dist/, through its exports map) with esbuild, minified, gzipped,
// split into chunks as a host's bundler does: only what loads up front counts
// (a provider's client code and credential schema, imported lazily, are
// reported beside it).
// Fails above the budget, and fails if the bundle reaches any provider SDK:
// the root entry must bundle with none installed.
//
//   node scripts/check-size.mjs            (after npm run build)
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// The root entry never loads zod eagerly: the vault imports its input
// schemas (src/vault/schema-catalog.ts) on the first admin call, and the
// checks on the request path (vault.as, resolve, report) are plain code; the
// schemas for hosts live in `byokit/schemas`. That chunk is reported as
// "loaded on first use", outside the budget.
export const BUDGET_GZIP_BYTES = 40 * 1000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SDKS =
  /^(openai|@anthropic-ai\/sdk|@anthropic-ai\/bedrock-sdk|@anthropic-ai\/vertex-sdk|@aws-sdk\/client-bedrock-runtime|@google\/genai|@google\/generative-ai|@mistralai\/mistralai|cohere-ai|ollama)(\/|$)/;

const ENTRIES = {
  core: `import { createVault, Keyring, MemoryStore } from 'byokit';
const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
export const run = () => vault.resolve({ tenantId: 't', provider: 'openai' });`,
  // Everything the root entry exports (createClient included): must bundle too, with no SDK.
  'whole root entry': `export * from 'byokit';`,
  'whole byokit/providers entry': `export * from 'byokit/providers';`,
};

/**
 * Bundles `source` (which imports `byokit`) for a browser, minified and
 * split as a host's bundler splits it: what loads with the page is the
 * entry chunk and every chunk it imports statically; what the package
 * imports with `import()` (key validation, the admin's input schemas, the
 * outcome machinery) is a chunk fetched on first use. Returns byte counts
 * of both.
 */
export async function bundleSize(source) {
  // A throwaway project whose node_modules/byokit is this package, so the
  // import goes through package.json's exports map as a host's would.
  const project = mkdtempSync(join(tmpdir(), 'byokit-size-'));
  try {
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'byokit'), 'dir');
    writeFileSync(join(project, 'entry.mjs'), source);
    const result = await build({
      entryPoints: [join(project, 'entry.mjs')],
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      outdir: join(project, 'out'),
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-provider-sdk',
          setup(b) {
            b.onResolve({ filter: SDKS }, (args) => ({
              errors: [{ text: `the bundle reaches the provider SDK "${args.path}" (from ${args.importer})` }],
            }));
          },
        },
      ],
    });
    const outputs = result.metafile.outputs;
    // Lazily imported modules are entry points of their own chunks too: find the host's.
    const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint?.endsWith('entry.mjs'));
    const eager = new Set();
    const visit = (path) => {
      if (eager.has(path)) return;
      eager.add(path);
      for (const imported of outputs[path].imports)
        if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
    };
    visit(entry);
    const contents = (paths) =>
      Buffer.concat(
        result.outputFiles.filter((file) => paths.has(relative(process.cwd(), file.path))).map((file) => file.contents),
      );
    const lazyPaths = new Set(Object.keys(outputs).filter((path) => !eager.has(path) && path.endsWith('.js')));
    const eagerBytes = contents(eager);
    const lazyBytes = contents(lazyPaths);
    return {
      minified: eagerBytes.length,
      gzipped: gzipSync(eagerBytes, { level: 9 }).length,
      lazyMinified: lazyBytes.length,
      lazyGzipped: lazyBytes.length === 0 ? 0 : gzipSync(lazyBytes, { level: 9 }).length,
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const [name, source] of Object.entries(ENTRIES)) {
    try {
      const { minified, gzipped, lazyMinified, lazyGzipped } = await bundleSize(source);
      const over = name === 'core' && gzipped > BUDGET_GZIP_BYTES;
      failed ||= over;
      const budget =
        name === 'core' ? ` (budget ${(BUDGET_GZIP_BYTES / 1000).toFixed(1)} kB${over ? ': OVER' : ''})` : '';
      console.log(
        `${name}: ${(minified / 1000).toFixed(1)} kB minified, ${(gzipped / 1000).toFixed(1)} kB gzipped${budget}${lazyMinified ? `; loaded on first use: ${(lazyMinified / 1000).toFixed(1)} kB minified, ${(lazyGzipped / 1000).toFixed(1)} kB gzipped` : ''}`,
      );
    } catch (error) {
      failed = true;
      console.error(`${name}: does not bundle: ${error.errors?.map((e) => e.text).join('; ') ?? error.message}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
