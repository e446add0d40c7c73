// Run by test/testing/skip-option.test.ts in a child vitest: the same store with no skip, to compare with.
import { MemoryStore } from '../../../src/store/memory.js';
import { runStorageAdapterTests } from '../../../src/testing/index.js';

runStorageAdapterTests({ name: 'skip-control', createStore: () => ({ store: new MemoryStore() }) });
