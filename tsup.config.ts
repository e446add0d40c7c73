import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  dts: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // Provider SDKs (the AI SDK's providers too), database clients and vitest are optional peers, imported lazily: never bundle them.
  external: [
    /^openai/,
    /^@ai-sdk\//,
    /^ai$/,
    /^@anthropic-ai\//,
    /^@aws-sdk\//,
    /^@google\//,
    /^@mistralai\//,
    /^cohere-ai/,
    /^ollama/,
    /^better-sqlite3/,
    /^pg$/,
    /^@electric-sql\//,
    /^ioredis/,
    /^vitest/,
  ],
};

// No `clean` here: both configs build in parallel, and a clean in either
// deletes what the other wrote. `npm run build` (scripts/build.mjs) empties
// dist/ before tsup starts.
export default defineConfig([
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      'providers/index': 'src/providers/index.ts',
      schemas: 'src/schemas.ts',
      adapter: 'src/adapter.ts',
      'ai-sdk/index': 'src/ai-sdk/index.ts',
      'adapters/sqlite/index': 'adapters/sqlite/index.ts',
      'adapters/postgres/index': 'adapters/postgres/index.ts',
      'adapters/redis/index': 'adapters/redis/index.ts',
    },
    format: ['esm', 'cjs'],
  },
  {
    // The `byokit` executable: ESM only (Node runs it directly). Its argument
    // parser and progress bar (commander, cli-progress) are dependencies of
    // this entry alone: nothing the library entries import reaches them.
    ...shared,
    entry: { 'cli/byokit': 'src/cli/byokit.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    splitting: false,
  },
  {
    // vitest is ESM-only, so the conformance suite is too.
    ...shared,
    entry: { 'testing/index': 'src/testing/index.ts' },
    format: ['esm'],
    // The suite's vault check must use the package users import, not a bundled copy.
    external: [...(shared.external ?? []), /^byokit/],
  },
]);
