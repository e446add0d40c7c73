/**
 * Group `resolutionRead`: `loadCandidates` returns exactly the tenant's
 * configs in the given scopes (exact scope match), each with its sealed key.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import { NO_SEALED_KEYS } from './harness.js';
import { createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `resolutionRead` group. */
export function describeResolutionRead(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'resolution read'), () => {
    const sut = useStore(options);

    it('returns exactly the configs whose scope is one of the given scopes (exact match, no prefixes, no patterns)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const scopes = ['', 'ws1', 'ws1/proj7', 'ws10', 'ws', 'ws1/proj7/x', 'ws_1', 'ws%', 'WS1', "ws'1", 'ws1 '];
      const byScope = new Map<string, string>();
      for (const scope of scopes)
        byScope.set(scope, (await createConfig(store, { tenantId: a, scope, name: `in ${JSON.stringify(scope)}` })).id);
      const ids = async (wanted: string[]) => (await store.loadCandidates(a, wanted)).map((c) => c.id).sort();
      const expected = (wanted: string[]) => wanted.map((s) => byScope.get(s)!).sort();

      expect(await ids(['ws1/proj7', 'ws1', ''])).toStrictEqual(expected(['ws1/proj7', 'ws1', '']));
      expect(await ids(['ws1'])).toStrictEqual(expected(['ws1']));
      expect(await ids(['ws%'])).toStrictEqual(expected(['ws%']));
      expect(await ids(['ws_1'])).toStrictEqual(expected(['ws_1']));
      expect(await ids(["ws'1"])).toStrictEqual(expected(["ws'1"]));
      expect(await ids([''])).toStrictEqual(expected(['']));
      expect(await ids(['nope', 'ws1/proj'])).toStrictEqual([]);
      expect(await ids([])).toStrictEqual([]);
    });

    it('returns every config of a scope, disabled ones and ones without a key included', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const enabled = await createConfig(store, { tenantId: a, scope: 'ws1', name: 'enabled' });
      const disabled = await createConfig(store, { tenantId: a, scope: 'ws1', name: 'disabled', enabled: false });
      const custom = await createConfig(store, {
        tenantId: a,
        scope: 'ws1',
        name: 'custom',
        provider: 'custom',
        routes: ['openai'],
      });
      await store.updateConfig(a, enabled.id, makeKeyPatch(makeFakeKey()), {
        audit: makeAuditEventFor(enabled, 'key.set'),
      });
      const rows = await store.loadCandidates(a, ['ws1']);
      expect(rows.map((r) => r.id).sort()).toStrictEqual([enabled.id, disabled.id, custom.id].sort());
    });

    it('each candidate equals the stored record plus its sealed key', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const withKey = await createConfig(store, {
        tenantId: a,
        scope: 'ws1',
        name: 'with key',
        options: { region: 'eu', n: 2 },
        routes: ['x'],
      });
      const without = await createConfig(store, { tenantId: a, scope: '', name: 'without key' });
      const key = makeFakeKey();
      await store.updateConfig(a, withKey.id, makeKeyPatch(key), { audit: makeAuditEventFor(withKey, 'key.set') });
      const rows = await store.loadCandidates(a, ['ws1', '']);
      expect(rows).toHaveLength(2);
      const first = rows.find((r) => r.id === withKey.id);
      const second = rows.find((r) => r.id === without.id);
      expect(first).toStrictEqual({
        ...(await store.getConfig(a, withKey.id)),
        ...NO_SEALED_KEYS,
        sealedKey: key.sealedKey,
      });
      expect(second).toStrictEqual({ ...(await store.getConfig(a, without.id)), ...NO_SEALED_KEYS, sealedKey: null });
    });

    it('a scope listed twice returns its configs once', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      await createConfig(store, { tenantId: a, scope: 'ws1' });
      expect(await store.loadCandidates(a, ['ws1', 'ws1', 'ws1'])).toHaveLength(1);
    });

    it('a deleted config is no longer a candidate', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      await store.updateConfig(a, record.id, makeKeyPatch(makeFakeKey()), {
        audit: makeAuditEventFor(record, 'key.set'),
      });
      await store.deleteConfig(a, record.id, { audit: makeAuditEventFor(record, 'config.deleted') });
      expect(await store.loadCandidates(a, [''])).toStrictEqual([]);
      expect(await store.getConfig(a, record.id)).toBeNull();
    });
  });
}
