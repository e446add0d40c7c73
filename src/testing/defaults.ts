/**
 * Group `defaults`: at most one default per (tenant, scope), kept in the
 * same atomic step as the change, also under concurrent calls.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ConfigRecord, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeConfigRecord, makeTenantIds } from './fixtures.js';
import { allAudit, allConfigs, createConfig, expectConflict, groupTitle, useStore } from './harness.js';
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
      const updated = await store.updateConfig(
        a,
        two.id,
        { isDefault: true },
        { audit: makeAuditEventFor(two, 'config.default_changed') },
      );
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
      await store.updateConfig(
        a,
        one.id,
        { isDefault: false },
        { audit: makeAuditEventFor(one, 'config.default_changed') },
      );
      expect(await defaultsIn(store, a, '')).toStrictEqual([]);
    });

    it('setting the default on the current default keeps exactly that one', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await createConfig(store, { tenantId: a, isDefault: true });
      await createConfig(store, { tenantId: a });
      await store.updateConfig(
        a,
        one.id,
        { isDefault: true },
        { audit: makeAuditEventFor(one, 'config.default_changed') },
      );
      expect(await defaultsIn(store, a, '')).toStrictEqual([one.id]);
    });

    it('moving a config to another scope as its default clears the default there', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const target = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const mover = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      await store.updateConfig(
        a,
        mover.id,
        { scope: 'ws2', isDefault: true },
        { audit: makeAuditEventFor(mover, 'config.updated') },
      );
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([mover.id]);
      expect((await store.getConfig(a, target.id))?.isDefault).toBe(false);
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([]);
    });

    it('a default record moved with { scope } alone stays default in its new scope, whose previous default loses the flag', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const previous = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const bystander = await createConfig(store, { tenantId: a, scope: 'ws2' });
      const mover = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      const moved = await store.updateConfig(
        a,
        mover.id,
        { scope: 'ws2' },
        { audit: makeAuditEventFor(mover, 'config.updated') },
      );
      expect(moved).toStrictEqual({ ...mover, scope: 'ws2', revision: 2 });
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([mover.id]);
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([]);
      // The config that lost its default is otherwise untouched.
      expect(await store.getConfig(a, previous.id)).toStrictEqual({ ...previous, isDefault: false });
      expect(await store.getConfig(a, bystander.id)).toStrictEqual(bystander);
      // A record that is not default moves without touching the default there.
      const plain = await createConfig(store, { tenantId: a, scope: 'ws1' });
      await store.updateConfig(a, plain.id, { scope: 'ws2' }, { audit: makeAuditEventFor(plain, 'config.updated') });
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([mover.id]);
    });

    it('a stale expectedRevision with isDefault: true, or moving a default with { scope }, throws CONCURRENT_UPDATE and leaves the existing default and the audit log unchanged', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const current = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      const contender = await createConfig(store, { tenantId: a, scope: 'ws1' });
      const there = await createConfig(store, { tenantId: a, scope: 'ws2', isDefault: true });
      const mover = await createConfig(store, { tenantId: a, scope: 'ws3', isDefault: true });
      const configsBefore = await allConfigs(store, a, { limit: 500 });
      const auditBefore = await allAudit(store, a, { limit: 500 });
      for (const expectedRevision of [0, 2, 7]) {
        await expectConflict(
          store.updateConfig(
            a,
            contender.id,
            { isDefault: true },
            { audit: makeAuditEventFor(contender, 'config.default_changed'), expectedRevision },
          ),
          'CONCURRENT_UPDATE',
        );
        await expectConflict(
          store.updateConfig(
            a,
            mover.id,
            { scope: 'ws2' },
            { audit: makeAuditEventFor(mover, 'config.updated'), expectedRevision },
          ),
          'CONCURRENT_UPDATE',
        );
        await expectConflict(
          store.updateConfig(
            a,
            contender.id,
            { scope: 'ws2', isDefault: true },
            { audit: makeAuditEventFor(contender, 'config.updated'), expectedRevision },
          ),
          'CONCURRENT_UPDATE',
        );
      }
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([current.id]);
      expect(await defaultsIn(store, a, 'ws2')).toStrictEqual([there.id]);
      expect(await defaultsIn(store, a, 'ws3')).toStrictEqual([mover.id]);
      expect(await allConfigs(store, a, { limit: 500 })).toStrictEqual(configsBefore);
      expect(await allAudit(store, a, { limit: 500 })).toStrictEqual(auditBefore);
    });

    it('updateConfig of a missing id with { scope, isDefault: true } returns null and changes nothing', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const current = await createConfig(store, { tenantId: a, scope: 'ws1', isDefault: true });
      const root = await createConfig(store, { tenantId: a, scope: '', isDefault: true });
      const ghost = makeConfigRecord({ tenantId: a, scope: 'ws1' });
      const configsBefore = await allConfigs(store, a, { limit: 500 });
      const auditBefore = await allAudit(store, a, { limit: 500 });
      expect(
        await store.updateConfig(
          a,
          ghost.id,
          { scope: 'ws1', isDefault: true },
          { audit: makeAuditEventFor(ghost, 'config.updated') },
        ),
      ).toBeNull();
      expect(
        await store.updateConfig(a, ghost.id, { scope: 'ws1' }, { audit: makeAuditEventFor(ghost, 'config.updated') }),
      ).toBeNull();
      expect(
        await store.updateConfig(
          a,
          ghost.id,
          { isDefault: true },
          { audit: makeAuditEventFor(ghost, 'config.default_changed') },
        ),
      ).toBeNull();
      expect(
        await store.updateConfig(
          a,
          ghost.id,
          { scope: 'ws1', isDefault: true },
          { audit: makeAuditEventFor(ghost, 'config.updated'), expectedRevision: 1 },
        ),
      ).toBeNull();
      expect(await defaultsIn(store, a, 'ws1')).toStrictEqual([current.id]);
      expect(await defaultsIn(store, a, '')).toStrictEqual([root.id]);
      expect(await allConfigs(store, a, { limit: 500 })).toStrictEqual(configsBefore);
      expect(await allAudit(store, a, { limit: 500 })).toStrictEqual(auditBefore);
    });

    it('race: 200 concurrent updateConfig(isDefault: true) over 20 configs of one scope all resolve and leave exactly one default', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const configs: ConfigRecord[] = [];
      for (let i = 0; i < 20; i++)
        configs.push(await createConfig(store, { tenantId: a, scope: 'ws1', name: `c${i}`, isDefault: i === 0 }));
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

    it('race: default records moved into a scope with { scope } alone, concurrent with set-default calls in that scope and in their old scopes, leave exactly one default in each scope', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const inTarget: ConfigRecord[] = [];
      for (let i = 0; i < 10; i++)
        inTarget.push(await createConfig(store, { tenantId: a, scope: 'ws1', name: `t${i}`, isDefault: i === 0 }));
      const movers: ConfigRecord[] = [];
      const stayers: ConfigRecord[] = [];
      for (let i = 0; i < 10; i++) {
        movers.push(await createConfig(store, { tenantId: a, scope: `src${i}`, name: `m${i}`, isDefault: true }));
        stayers.push(await createConfig(store, { tenantId: a, scope: `src${i}`, name: `s${i}` }));
      }
      // Moves first, so a store that decides "stays default" from a stale read loses the race.
      const calls = [
        ...movers.map((m) =>
          store.updateConfig(a, m.id, { scope: 'ws1' }, { audit: makeAuditEventFor(m, 'config.updated') }),
        ),
        ...stayers.map((s) =>
          store.updateConfig(a, s.id, { isDefault: true }, { audit: makeAuditEventFor(s, 'config.default_changed') }),
        ),
        ...inTarget.map((c) =>
          store.updateConfig(a, c.id, { isDefault: true }, { audit: makeAuditEventFor(c, 'config.default_changed') }),
        ),
        ...inTarget.map((c) =>
          store.updateConfig(a, c.id, { isDefault: true }, { audit: makeAuditEventFor(c, 'config.default_changed') }),
        ),
      ];
      const results = await Promise.all(calls);
      for (const result of results) expect(result).not.toBeNull();
      for (const m of movers) expect((await store.getConfig(a, m.id))?.scope).toBe('ws1');
      expect(await allConfigs(store, a, { scope: 'ws1', limit: 500 })).toHaveLength(20);
      expect(await defaultsIn(store, a, 'ws1')).toHaveLength(1);
      for (let i = 0; i < 10; i++) expect(await defaultsIn(store, a, `src${i}`)).toStrictEqual([stayers[i]!.id]);
      expect(await allAudit(store, a, { limit: 500, type: 'config.default_changed' })).toHaveLength(30);
    });

    it('race: 20 concurrent createConfig(isDefault: true) in one scope leave exactly one default', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const records = Array.from({ length: 20 }, (_, i) =>
        makeConfigRecord({ tenantId: a, scope: 'ws1', name: `d${i}`, isDefault: true }),
      );
      await Promise.all(records.map((r) => store.createConfig(r, { audit: makeAuditEventFor(r, 'config.created') })));
      expect(await allConfigs(store, a, { scope: 'ws1', limit: 100 })).toHaveLength(20);
      expect(await defaultsIn(store, a, 'ws1')).toHaveLength(1);
    });
  });
}
