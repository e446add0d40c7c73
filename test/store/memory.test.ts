import { MemoryStore } from '../../src/store/memory.js';
import { runStorageAdapterTests } from '../../src/testing/index.js';

/** Raw view over every tenant the store holds, found through `inspectRaw`'s list of other tenants. */
function dumpAll(store: MemoryStore): string {
  const seen = new Set<string>();
  const pending = [''];
  const parts: unknown[] = [];
  while (pending.length > 0) {
    const tenant = pending.pop()!;
    if (seen.has(tenant)) continue;
    seen.add(tenant);
    const raw = store.inspectRaw(tenant);
    parts.push({ tenant, configs: raw.configs, audit: raw.audit });
    pending.push(...raw.otherTenants);
  }
  return JSON.stringify(parts);
}

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
  createStore: () => {
    const store = new BreakableMemoryStore();
    return {
      store,
      rawDump: () => dumpAll(store),
      breakAuditWrites: () => {
        store.broken = true;
      },
    };
  },
});
