// Run by test/testing/skip-option.test.ts in a child vitest: a skip that names no test must fail the file.
import { MemoryStore } from '../../../src/store/memory.js';
import { runStorageAdapterTests } from '../../../src/testing/index.js';

runStorageAdapterTests({
  name: 'skip-unknown',
  createStore: () => ({ store: new MemoryStore() }),
  skip: { 'a test that was renamed long ago': 'stale' },
});
