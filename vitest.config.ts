import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { isCI } from './test/in-ci.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by its public name, as a host would.
    alias: [
      { find: /^byokit\/adapters\/(.*)$/, replacement: here('./adapters/$1/index.ts') },
      { find: /^byokit\/providers$/, replacement: here('./src/providers/index.ts') },
      { find: /^byokit\/ai-sdk$/, replacement: here('./src/ai-sdk/index.ts') },
      { find: /^byokit\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^byokit\/schemas$/, replacement: here('./src/schemas.ts') },
      { find: /^byokit\/adapter$/, replacement: here('./src/adapter.ts') },
      { find: /^byokit$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    // In CI also write a JSON report, so .ci/run can print a plain "N passed, N failed" line.
    reporters: isCI() ? ['default', 'json'] : ['default'],
    outputFile: { json: 'coverage/vitest-report.json' },
    hookTimeout: 30_000,
  },
});
