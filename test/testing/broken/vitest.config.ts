import { defineConfig } from 'vitest/config';

// Config of the child run in suite-catches-flaws.test.ts only.
export default defineConfig({
  test: {
    include: ['test/testing/broken/*.conformance.ts'],
    testTimeout: 30_000,
  },
});
