/**
 * Group `names`: unique names within a tenant, kept by the backend, with
 * nothing written when a create or a rename collides.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { makeAuditEventFor, makeConfigRecord, makeTenantIds } from './fixtures.js';
import { allAudit, allConfigs, createConfig, expectConflict, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `names` group. */
export function describeNames(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'names'), () => {
    const sut = useStore(options);

    it('createConfig with a taken name throws NAME_TAKEN and writes nothing (no record, no audit event, no default change)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const first = await createConfig(store, { tenantId: a, name: 'prod', isDefault: true });
      const clash = makeConfigRecord({ tenantId: a, name: 'prod', scope: '', isDefault: true });
      const audit = makeAuditEventFor(clash, 'config.created');
      await expectConflict(store.createConfig(clash, { audit }), 'NAME_TAKEN');
      expect(await store.getConfig(a, clash.id)).toBeNull();
      expect(await store.getConfig(a, first.id)).toStrictEqual(first);
      expect((await allConfigs(store, a, { limit: 100 })).map((r) => r.id)).toStrictEqual([first.id]);
      expect((await allAudit(store, a, { limit: 100 })).map((e) => e.id)).not.toContain(audit.id);
      expect(await allAudit(store, a, { limit: 100 })).toHaveLength(1);
    });

    it('a name in another scope of the same tenant is still taken', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      await createConfig(store, { tenantId: a, name: 'prod', scope: 'ws1' });
      await expectConflict(createConfig(store, { tenantId: a, name: 'prod', scope: 'ws2' }), 'NAME_TAKEN');
    });

    it('names match exactly: case, trailing spaces and unicode normalisation make different names', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const names = ['prod', 'Prod', 'PROD', 'prod ', ' prod', 'caf\u00e9', 'cafe\u0301', 'Straße', 'STRASSE'];
      for (const name of names) await createConfig(store, { tenantId: a, name });
      expect((await allConfigs(store, a, { limit: 100 })).map((r) => r.name).sort()).toStrictEqual([...names].sort());
      await expectConflict(createConfig(store, { tenantId: a, name: 'cafe\u0301' }), 'NAME_TAKEN');
    });

    it('a rename onto a taken name throws NAME_TAKEN and writes nothing (no change, no revision bump, no audit event)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      await createConfig(store, { tenantId: a, name: 'prod' });
      const other = await createConfig(store, { tenantId: a, name: 'staging' });
      const audit = makeAuditEventFor(other, 'config.updated', { changes: ['name'] });
      await expectConflict(
        store.updateConfig(a, other.id, { name: 'prod', model: 'changed', isDefault: true }, { audit }),
        'NAME_TAKEN',
      );
      expect(await store.getConfig(a, other.id)).toStrictEqual(other);
      expect((await allAudit(store, a, { limit: 100 })).map((e) => e.id)).not.toContain(audit.id);
      await expectConflict(
        store.updateConfig(
          a,
          other.id,
          { name: 'prod' },
          { audit: makeAuditEventFor(other, 'config.updated'), expectedRevision: 1 },
        ),
        'NAME_TAKEN',
      );
      expect(await store.getConfig(a, other.id)).toStrictEqual(other);
    });

    it('renaming a config to its own name is not a conflict', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, name: 'prod' });
      const updated = await store.updateConfig(
        a,
        record.id,
        { name: 'prod' },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      expect(updated).toStrictEqual({ ...record, revision: 2 });
    });

    it('a rename frees the old name and a delete frees the name', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, name: 'old' });
      await store.updateConfig(a, record.id, { name: 'new' }, { audit: makeAuditEventFor(record, 'config.updated') });
      const reuse = await createConfig(store, { tenantId: a, name: 'old' });
      expect(reuse.name).toBe('old');
      await expectConflict(createConfig(store, { tenantId: a, name: 'new' }), 'NAME_TAKEN');
      await store.deleteConfig(a, record.id, { audit: makeAuditEventFor(record, 'config.deleted') });
      expect((await createConfig(store, { tenantId: a, name: 'new' })).name).toBe('new');
    });

    it('race: 20 concurrent createConfig calls with one name: exactly one succeeds, the others throw NAME_TAKEN', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const records = Array.from({ length: 20 }, (_, i) =>
        makeConfigRecord({ tenantId: a, name: 'contended', scope: i % 2 ? 'ws1' : '' }),
      );
      const results = await Promise.allSettled(
        records.map((r) => store.createConfig(r, { audit: makeAuditEventFor(r, 'config.created') })),
      );
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      expect(fulfilled).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect((result.reason as { name?: unknown }).name).toBe('ConflictError');
          expect((result.reason as { code?: unknown }).code).toBe('NAME_TAKEN');
        }
      }
      expect(await allConfigs(store, a, { limit: 100 })).toHaveLength(1);
      expect(await allAudit(store, a, { limit: 100 })).toHaveLength(1);
    });

    it('race: 20 concurrent renames onto one free name: exactly one succeeds, the others throw NAME_TAKEN', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const records = [];
      for (let i = 0; i < 20; i++) records.push(await createConfig(store, { tenantId: a, name: `n${i}` }));
      const results = await Promise.allSettled(
        records.map((r) =>
          store.updateConfig(a, r.id, { name: 'target' }, { audit: makeAuditEventFor(r, 'config.updated') }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect((result.reason as { code?: unknown }).code).toBe('NAME_TAKEN');
      }
      expect((await allConfigs(store, a, { limit: 100 })).filter((r) => r.name === 'target')).toHaveLength(1);
      expect(await allAudit(store, a, { limit: 100, type: 'config.updated' })).toHaveLength(1);
    });
  });
}
