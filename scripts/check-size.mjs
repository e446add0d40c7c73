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

// 40 → 41 kB with access keys and the settings document (0.2): the storage
// contract gained ten methods that MemoryStore implements (about 0.7 kB) and
// the vault a thin method per call (about 0.6 kB). The access-key and
// entitlement logic itself (token, HMAC, quotas, schemas) is only bundled
// where a host imports `accessKeys()` / `byokEntitlement()`.
export const BUDGET_GZIP_BYTES = 41 * 1000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SDKS = /^(openai|@anthropic-ai\/sdk|@anthropic-ai\/bedrock-sdk|@anthropic-ai\/vertex-sdk|@aws-sdk\/client-bedrock-runtime|@google\/genai|@google\/generative-ai|@mistralai\/mistralai|cohere-ai|ollama)(\/|$)/;

const ENTRIES = {
  core: `import { createVault, Keyring, MemoryStore } from 'byokit';
const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
export const run = () => vault.resolve({ tenantId: 't', provider: 'openai' });`,
  // Everything the root entry exports (createClient included): must bundle too, with no SDK.
  'whole root entry': `export * from 'byokit';`,
  'whole byokit/providers entry': `export * from 'byokit/providers';`,
};

/** Bundles `source` (which imports `byokit`) for a browser, minified; returns byte counts. */
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
      format: 'esm',
      platform: 'browser',
      // Split as a host's bundler does: what byokit imports lazily (a provider's client code, a credential
      // schema) lands in chunks loaded on first use, and only what loads up front counts against the budget.
      splitting: true,
      outdir: join(project, 'out'),
      metafile: true,
      write: false,
      logLevel: 'silent',
      plugins: [
        {
          name: 'no-provider-sdk',
          setup(b) {
            b.onResolve({ filter: SDKS }, (args) => ({ errors: [{ text: `the bundle reaches the provider SDK "${args.path}" (from ${args.importer})` }] }));
          },
        },
      ],
    });
    const contents = new Map(result.outputFiles.map((file) => [relative(process.cwd(), file.path), file.contents]));
    const outputs = result.metafile.outputs;
    // Lazily imported modules are entry points of their own chunks too: find the host's.
    const entry = Object.keys(outputs).find((name) => outputs[name].entryPoint?.endsWith('entry.mjs'));
    // The entry chunk and every chunk it imports statically, transitively: what a host loads up front.
    const eager = new Set();
    const visit = (name) => {
      if (eager.has(name)) return;
      eager.add(name);
      for (const edge of outputs[name].imports) if (edge.kind === 'import-statement' && outputs[edge.path]) visit(edge.path);
    };
    visit(entry);
    const join2 = (names) => Buffer.concat([...names].map((name) => Buffer.from(contents.get(name))));
    const bytes = join2(eager);
    const lazy = join2(Object.keys(outputs).filter((name) => !eager.has(name) && name.endsWith('.js')));
    return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length, lazyMinified: lazy.length };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const [name, source] of Object.entries(ENTRIES)) {
    try {
      const { minified, gzipped, lazyMinified } = await bundleSize(source);
      const over = name === 'core' && gzipped > BUDGET_GZIP_BYTES;
      failed ||= over;
      const budget = name === 'core' ? ` (budget ${(BUDGET_GZIP_BYTES / 1000).toFixed(1)} kB${over ? ': OVER' : ''})` : '';
      const lazy = lazyMinified > 0 ? `; ${(lazyMinified / 1000).toFixed(1)} kB minified more in chunks loaded on first use` : '';
      console.log(`${name}: ${(minified / 1000).toFixed(1)} kB minified, ${(gzipped / 1000).toFixed(1)} kB gzipped${budget}${lazy}`);
    } catch (error) {
      failed = true;
      console.error(`${name}: does not bundle: ${error.errors?.map((e) => e.text).join('; ') ?? error.message}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
