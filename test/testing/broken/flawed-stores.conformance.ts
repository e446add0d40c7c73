// Run by test/testing/suite-catches-flaws.test.ts in a child vitest: the
// conformance suite against every flaw of FlawedStore, plus the flawless one.
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { FLAWS, FlawedStore } from './flawed-store.js';
import type { Flaw } from './flawed-store.js';

for (const flaw of [...FLAWS, 'none' as const]) {
  runStorageAdapterTests({
    name: `flaw=${flaw}`,
    preciseCandidates: true,
    createStore: () => {
      const store = new FlawedStore(flaw as Flaw);
      return {
        store,
        rawDump: () => store.dump(),
        breakAuditWrites: () => void (store.auditBroken = true),
        copyRowBehindAdapter: (from, toTenantId, { keepStoredTenant }) =>
          store.copyRow(from, toTenantId, keepStoredTenant),
      };
    },
  });
}
