/**
 * Group `defaults`: at most one default per (tenant, scope), kept in the
 * same atomic step as the change, also under concurrent calls.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ConfigRecord, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeConfigRecord, makeTenantIds } from './fixtures.js';
import { allAudit, allConfigs, createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

async function defaultsIn(store: StorageAdapter, tenantId: string, scope: string): Promise<string[]> {
  return (await allConfigs(store, tenantId, { scope, limit: 500 })).filter((r) => r.isDefault).map((r) => r.id);
}

/** Registers the `defaults` group. */
export function describeDefaults(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'defaults'), () => {
    const sut = useStore(options);

    it('createConfig with isDefault clears the default of the same (tenant, scope) only', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const first = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      const elsewhere = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const root = await createConfig(store, { tenantId: a, scope: '', isDefault: true });
      const nested = await createConfig(store, { tenantId: a, scope: 'ws1/proj7', isDefault: true });
      const second = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([second.id]);
      expect((await store.getConfig(a, first.id))?.isDefault).toBe(false);
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([elsewhere.id]);
      expect(await defaultsIn(store, a, '')).toStrictEqual([root.id]);
      expect(await defaultsIn(store, a, 'ws1/proj7')).toStrictEqual([nested.id]);
    });

    it('createConfig without isDefault keeps the existing default', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const first = await createConfig(store, { tenantId: a, isDefault: true });
      await createConfig(store, { tenantId: a, isDefault: false });
      expect(await defaultsIn(store, a, '')).toStrictEqual([first.id]);
    });

    it('updateConfig(isDefault: true) moves the default within the scope and leaves other scopes alone', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      const two = await createConfig(store, { tenantId: a, scope: 'ws1' });
      const other = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const updated = await store.updateConfig(a, two.id, { isDefault: true }, { audit: makeAuditEventFor(two, 'config.default_changed') });
      expect(updated?.isDefault).toBe(true);
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([two.id]);
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([other.id]);
      // The config that lost its default is otherwise untouched.
      const loser = await store.getConfig(a, one.id);
      expect({ ...loser, isDefault: true }).toStrictEqual(one);
    });

    it('updateConfig(isDefault: false) leaves the scope without a default', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await createConfig(store, { tenantId: a, isDefault: true });
      await store.updateConfig(a, one.id, { isDefault: false }, { audit: makeAuditEventFor(one, 'config.default_changed') });
      expect(await defaultsIn(store, a, '')).toStrictEqual([]);
    });

    it('setting the default on the current default keeps exactly that one', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await createConfig(store, { tenantId: a, isDefault: true });
      await createConfig(store, { tenantId: a });
      await store.updateConfig(a, one.id, { isDefault: true }, { audit: makeAuditEventFor(one, 'config.default_changed') });
      expect(await defaultsIn(store, a, '')).toStrictEqual([one.id]);
    });

    it('moving a config to another scope as its default clears the default there', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const target = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const mover = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      await store.updateConfig(a, mover.id, { scope: 'ws2', isDefault: true }, { audit: makeAuditEventFor(mover, 'config.updated') });
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([mover.id]);
      expect((await store.getConfig(a, target.id))?.isDefault).toBe(false);
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([]);
    });

    it('race: 200 concurrent updateConfig(isDefault: true) over 20 configs of one scope all resolve and leave exactly one default', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const configs: ConfigRecord[] = [];
      for (let i = 0; i < 20; i++) configs.push(await createConfig(store, { tenantId: a, scope: 'ws1', name: `c${i}`, isDefault: i === 0 }));
      const bystander = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const calls = Array.from({ length: 200 }, (_, i) => configs[i % configs.length]!).map((c) =>
        store.updateConfig(a, c.id, { isDefault: true }, { audit: makeAuditEventFor(c, 'config.default_changed') }),
      );
      const results = await Promise.all(calls);
      for (const result of results) expect(result?.isDefault).toBe(true);
      expect(await defaultsIn(store, a, 'ws1')).toHaveLength(1);
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([bystander.id]);
      // Every config saw exactly its own 10 updates.
      for (const c of configs) expect((await store.getConfig(a, c.id))?.revision).toBe(11);
      expect(await allAudit(store, a, { limit: 500, type: 'config.default_changed' })).toHaveLength(200);
    });

    it('race: 20 concurrent createConfig(isDefault: true) in one scope leave exactly one default', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const records = Array.from({ length: 20 }, (_, i) => makeConfigRecord({ tenantId: a, scope: 'ws1', name: `d${i}`, isDefault: true }));
      await Promise.all(records.map((r) => store.createConfig(r, { audit: makeAuditEventFor(r, 'config.created') })));
      expect(await allConfigs(store, a, { scope: 'ws1', limit: 100 })).toHaveLength(20);
      expect(await defaultsIn(store, a, 'ws1')).toHaveLength(1);
    });
  });
}
