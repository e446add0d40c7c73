import { defineConfig } from 'vitest/config';
import base from '../../../vitest.config.js';

// Config of the child run in skip-option.test.ts only: the project's aliases, its own files.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/testing/skip/*.conformance.ts'],
    testTimeout: 30_000,
  },
});
