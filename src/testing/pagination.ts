/**
 * Group `pagination`: `listConfigs` pages by id ascending with an opaque
 * cursor, filters by scope, provider and `kekIdNot`, and walks pages without
 * duplicates or omissions even while configs are added or removed.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import type { ConfigRecord } from '../store/types.js';
import { makeAuditEventFor, makeConfigRecord, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import { allConfigs, createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `pagination` group. */
export function describePagination(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'pagination'), () => {
    const sut = useStore(options);

    it('orders by id (creation order), not by insertion order', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const ids = Array.from({ length: 6 }, () => newId('cfg'));
      for (const id of [...ids].reverse()) await createConfig(store, { tenantId: a, id, name: `n-${id}` });
      expect((await allConfigs(store, a, { limit: 500 })).map((r) => r.id)).toStrictEqual(ids);
      expect((await allConfigs(store, a, { limit: 4 })).map((r) => r.id)).toStrictEqual(ids);
    });

    it('respects the limit and ends with nextCursor null on the page that holds the last item', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const created: ConfigRecord[] = [];
      for (let i = 0; i < 4; i++) created.push(await createConfig(store, { tenantId: a }));
      const first = await store.listConfigs(a, { limit: 2 });
      expect(first.items.map((r) => r.id)).toStrictEqual([created[0]!.id, created[1]!.id]);
      expect(typeof first.nextCursor).toBe('string');
      const second = await store.listConfigs(a, { limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((r) => r.id)).toStrictEqual([created[2]!.id, created[3]!.id]);
      expect(second.nextCursor).toBeNull();
      const whole = await store.listConfigs(a, { limit: 4 });
      expect(whole.items).toHaveLength(4);
      expect(whole.nextCursor).toBeNull();
      const single = await store.listConfigs(a, { limit: 1 });
      expect(single.items).toHaveLength(1);
      expect(single.items[0]).toStrictEqual(created[0]);
    });

    it('walks 23 configs with limit 1, 5, 22, 23 and 500 without duplicates or omissions', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) ids.push((await createConfig(store, { tenantId: a, scope: i % 3 ? 'ws1' : '' })).id);
      for (const limit of [1, 5, 22, 23, 500]) {
        expect(
          (await allConfigs(store, a, { limit })).map((r) => r.id),
          `limit ${limit}`,
        ).toStrictEqual(ids);
      }
    });

    it('a walk stays complete while configs are added and the cursor item is deleted', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const originals: ConfigRecord[] = [];
      for (let i = 0; i < 10; i++) originals.push(await createConfig(store, { tenantId: a }));
      const seen: string[] = [];
      let page = await store.listConfigs(a, { limit: 3 });
      seen.push(...page.items.map((r) => r.id));
      const added: string[] = [];
      for (let guard = 0; page.nextCursor !== null; guard++) {
        expect(guard, 'the walk does not end').toBeLessThan(50);
        added.push((await createConfig(store, { tenantId: a })).id);
        const last = page.items.at(-1)!;
        await store.deleteConfig(a, last.id, { audit: makeAuditEventFor(last, 'config.deleted') });
        page = await store.listConfigs(a, { limit: 3, cursor: page.nextCursor });
        seen.push(...page.items.map((r) => r.id));
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const r of originals) expect(seen).toContain(r.id);
      // Ids grow with time, so configs added during the walk come after the cursor and are seen too.
      for (const id of added) expect(seen).toContain(id);
    });

    it('filters by scope, provider and kekIdNot, alone and together, across pages', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const rows: ConfigRecord[] = [];
      const providers = ['openai', 'anthropic', 'custom'];
      const scopes = ['', 'ws1', 'ws1/proj7'];
      for (let i = 0; i < 18; i++) {
        const record = await createConfig(store, {
          tenantId: a,
          provider: providers[i % 3]!,
          scope: scopes[Math.floor(i / 3) % 3]!,
        });
        if (i % 2 === 0) {
          const kekId = i % 4 === 0 ? 'kek-new' : 'kek-old';
          rows.push(
            (await store.updateConfig(a, record.id, makeKeyPatch(makeFakeKey(kekId)), {
              audit: makeAuditEventFor(record, 'key.set'),
            }))!,
          );
        } else {
          rows.push(record);
        }
      }
      await createConfig(store, { tenantId: b, provider: 'openai', scope: 'ws1' });
      const ids = (list: ConfigRecord[]) => list.map((r) => r.id);
      for (const limit of [1, 4, 500]) {
        expect(ids(await allConfigs(store, a, { scope: 'ws1', limit }))).toStrictEqual(
          ids(rows.filter((r) => r.scope === 'ws1')),
        );
        expect(ids(await allConfigs(store, a, { scope: '', limit }))).toStrictEqual(
          ids(rows.filter((r) => r.scope === '')),
        );
        expect(ids(await allConfigs(store, a, { provider: 'anthropic', limit }))).toStrictEqual(
          ids(rows.filter((r) => r.provider === 'anthropic')),
        );
        expect(ids(await allConfigs(store, a, { kekIdNot: 'kek-new', limit }))).toStrictEqual(
          ids(rows.filter((r) => r.kekId !== null && r.kekId !== 'kek-new')),
        );
        expect(ids(await allConfigs(store, a, { scope: 'ws1/proj7', provider: 'openai', limit }))).toStrictEqual(
          ids(rows.filter((r) => r.scope === 'ws1/proj7' && r.provider === 'openai')),
        );
        expect(
          ids(await allConfigs(store, a, { scope: 'ws1', provider: 'openai', kekIdNot: 'kek-new', limit })),
        ).toStrictEqual(
          ids(
            rows.filter(
              (r) => r.scope === 'ws1' && r.provider === 'openai' && r.kekId !== null && r.kekId !== 'kek-new',
            ),
          ),
        );
      }
      expect(await allConfigs(store, a, { provider: 'nobody', limit: 10 })).toStrictEqual([]);
      expect(await allConfigs(store, a, { scope: 'ws', limit: 10 })).toStrictEqual([]);
    });

    it('list items equal what getConfig returns', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeConfigRecord({
        tenantId: a,
        name: 'ünï',
        options: { a: 1, b: 'x', c: false },
        routes: ['openai'],
      });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      await store.updateConfig(a, record.id, makeKeyPatch(makeFakeKey()), {
        audit: makeAuditEventFor(record, 'key.set'),
      });
      const [item] = (await store.listConfigs(a, { limit: 10 })).items;
      expect(item).toStrictEqual(await store.getConfig(a, record.id));
    });
  });
}
