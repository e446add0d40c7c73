import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  dts: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // Provider SDKs, database clients and vitest are optional peers, imported lazily: never bundle them.
  external: [/^openai/, /^@anthropic-ai\//, /^@aws-sdk\//, /^@google\//, /^@mistralai\//, /^cohere-ai/, /^ollama/, /^better-sqlite3/, /^pg$/, /^@electric-sql\//, /^ioredis/, /^vitest/],
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
      'adapters/sqlite/index': 'adapters/sqlite/index.ts',
      'adapters/postgres/index': 'adapters/postgres/index.ts',
      'adapters/redis/index': 'adapters/redis/index.ts',
    },
    format: ['esm', 'cjs'],
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
