/**
 * The test files Stryker runs (`npm run mutate`, see docs/mutation-testing.md):
 * the in-process suites that exercise the mutated modules. No PostgreSQL or
 * Redis suite, no browser, no runtime matrix: a mutant run must not depend
 * on a server, and each extra file is paid for once per mutant it covers.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // Replaces the base list (mergeConfig would append to it).
    include: [
      'test/crypto/**/*.test.ts',
      'test/resolve/**/*.test.ts',
      'test/secret.test.ts',
      'test/vault/**/*.test.ts',
      'test/pools/pools.test.ts',
      'test/pools/with-key.test.ts',
      'test/pools/moves-without-a-pool.test.ts',
      'test/pools/decision-details.test.ts',
      'test/store/**/*.test.ts',
      'test/adversarial/keyring-secrecy.test.ts',
    ],
    reporters: ['default'],
  },
});
