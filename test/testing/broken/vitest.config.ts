import { defineConfig } from 'vitest/config';
import base from '../../../vitest.config.js';

// Config of the child run in suite-catches-flaws.test.ts only: the project's
// aliases (so `byokit` is the source, never a stale dist/), its own files.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/testing/broken/*.conformance.ts'],
    testTimeout: 30_000,
  },
});
