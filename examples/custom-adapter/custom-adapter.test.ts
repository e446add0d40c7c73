// Runs byokit's published conformance suite on the example adapter, exactly
// as an adapter author would in their own repository.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAuditEvent, makeConfigRecord, runStorageAdapterTests } from 'byokit/testing';
import { describe, expect, it } from 'vitest';
import { JsonFileStore } from './json-file-store.js';

runStorageAdapterTests({
  name: 'json-file (example)',
  preciseCandidates: true,
  createStore: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'byokit-json-store-'));
    const path = join(dir, 'byokit.json');
    return {
      store: new JsonFileStore(path),
      // The raw look: the file itself is everything this store holds.
      rawDump: () => readFile(path, 'utf8').catch(() => ''),
      // The copied-row attack: edit the file behind the store, as anyone with access to it could.
      copyRowBehindAdapter: async (from, toTenantId, { keepStoredTenant }) => {
        const state = JSON.parse(await readFile(path, 'utf8'));
        const row = structuredClone(state.tenants[from.tenantId].configs[from.id]);
        if (!keepStoredTenant) row.record.tenantId = toTenantId;
        state.tenants[toTenantId] ??= { configs: {}, audit: [] };
        state.tenants[toTenantId].configs[from.id] = row;
        await writeFile(path, JSON.stringify(state));
        return true;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

describe('json-file (example): caller-supplied keys are only keys', () => {
  it('"constructor", "toString" and "__proto__" are ordinary ids and tenants', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'byokit-json-store-'));
    try {
      const store = new JsonFileStore(join(dir, 'byokit.json'));
      const record = makeConfigRecord({ tenantId: '__proto__' });
      await store.createConfig(record, { audit: makeAuditEvent({ tenantId: '__proto__', configId: record.id }) });
      expect(await store.getConfig('t', 'constructor')).toBeNull();
      expect(
        await store.updateConfig('t', 'toString', { name: 'x' }, { audit: makeAuditEvent({ tenantId: 't' }) }),
      ).toBeNull();
      expect((await store.getConfig('__proto__', record.id))?.id).toBe(record.id);
      expect(({} as Record<string, unknown>).configs).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
