// Run by test/testing/skip-option.test.ts in a child vitest: two tests skipped by name (a title, a full title).
import { MemoryStore } from '../../../src/store/memory.js';
import { runStorageAdapterTests } from '../../../src/testing/index.js';

runStorageAdapterTests({
  name: 'skip-known',
  createStore: () => ({ store: new MemoryStore() }),
  skip: {
    'revision starts at 1 and grows by exactly 1 with every update': 'reason one',
    '[conformance] skip-known › names > names match exactly: case, trailing spaces and unicode normalisation make different names':
      'reason two',
  },
});
