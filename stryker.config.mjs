// Mutation testing of the core (npm run mutate). What and why: docs/mutation-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/crypto/**/*.ts',
    '!src/crypto/index.ts',
    '!src/crypto/kek-provider.ts',
    '!src/crypto/backends/types.ts',
    'src/secret.ts',
    'src/resolve/**/*.ts',
    '!src/resolve/types.ts',
    'src/store/candidates.ts',
    'src/vault/resolve-key.ts',
    'src/pools/decide.ts',
  ],
  coverageAnalysis: 'perTest',
  // The machine running it is usually shared: two test runners.
  concurrency: 2,
  ignoreStatic: false,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 95, low: 90, break: 90 },
  timeoutMS: 10000,
};
