import { MemoryStore } from '../../src/store/memory.js';
import { runStorageAdapterTests } from '../../src/testing/index.js';
import { copyMemoryRow, dumpAll } from './memory-helpers.js';

/** A MemoryStore whose audit writes can be made to fail, as a broken backend would. */
class BreakableMemoryStore extends MemoryStore {
  broken = false;
  protected override appendAudit(event: Parameters<MemoryStore['appendAudit']>[0]): void {
    if (this.broken) throw new Error('audit write failed');
    super.appendAudit(event);
  }
}

runStorageAdapterTests({
  name: 'memory',
  preciseCandidates: true,
  createStore: () => {
    const store = new BreakableMemoryStore();
    return {
      store,
      rawDump: () => dumpAll(store),
      copyRowBehindAdapter: (from, toTenantId, { keepStoredTenant }) =>
        copyMemoryRow(store, from, toTenantId, keepStoredTenant),
      breakAuditWrites: () => {
        store.broken = true;
      },
    };
  },
});
