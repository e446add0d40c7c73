/**
 * Group `rewrapCompareAndSwap`: `expectedRevision` makes an update a
 * compare-and-swap (how a keyring rewrap avoids overwriting a key replaced
 * meanwhile), and `kekIdNot` finds the keys still to rewrap.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import { allAudit, allConfigs, createConfig, expectConflict, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `rewrapCompareAndSwap` group. */
export function describeRewrapCompareAndSwap(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'rewrap compare-and-swap'), () => {
    const sut = useStore(options);

    it('an update with the current expectedRevision applies and bumps the revision', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const key = makeFakeKey('kek-new');
      const updated = await store.updateConfig(a, record.id, makeKeyPatch(key), {
        audit: makeAuditEventFor(record, 'key.rewrapped', { actor: null }),
        expectedRevision: 1,
      });
      expect(updated?.revision).toBe(2);
      expect((await store.loadCandidates(a, ['']))[0]?.sealedKey).toBe(key.sealedKey);
    });

    it('a stale expectedRevision throws CONCURRENT_UPDATE and writes nothing (no change, no audit event)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const current = makeFakeKey('kek-1');
      await store.updateConfig(a, record.id, makeKeyPatch(current), { audit: makeAuditEventFor(record, 'key.set') });
      const before = await store.getConfig(a, record.id);
      const stale = makeFakeKey('kek-2');
      const audit = makeAuditEventFor(record, 'key.rewrapped', { actor: null });
      for (const expectedRevision of [1, 3, 0]) {
        const error = await expectConflict(
          store.updateConfig(a, record.id, { ...makeKeyPatch(stale), name: 'stale' }, { audit, expectedRevision }),
          'CONCURRENT_UPDATE',
        );
        expect(error.message).not.toContain(stale.sealedKey);
        expect(error.message).not.toContain(current.sealedKey);
      }
      expect(await store.getConfig(a, record.id)).toStrictEqual(before);
      expect((await store.loadCandidates(a, ['']))[0]?.sealedKey).toBe(current.sealedKey);
      expect((await allAudit(store, a, { limit: 100 })).map((e) => e.id)).not.toContain(audit.id);
    });

    it('race: concurrent updates with the same expectedRevision: exactly one wins, the rest throw CONCURRENT_UPDATE', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const keys = Array.from({ length: 20 }, (_, i) => makeFakeKey(`kek-${i}`));
      const results = await Promise.allSettled(
        keys.map((k) =>
          store.updateConfig(a, record.id, makeKeyPatch(k), {
            audit: makeAuditEventFor(record, 'key.rewrapped'),
            expectedRevision: 1,
          }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [keys[i]!] : []));
      expect(winners).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect((r.reason as { code?: unknown }).code).toBe('CONCURRENT_UPDATE');
      const [row] = await store.loadCandidates(a, ['']);
      expect(row).toMatchObject({
        sealedKey: winners[0]!.sealedKey,
        keyHint: winners[0]!.keyHint,
        kekId: winners[0]!.kekId,
        revision: 2,
      });
      expect(await allAudit(store, a, { limit: 100, type: 'key.rewrapped' })).toHaveLength(1);
    });

    it('listConfigs(kekIdNot) returns exactly the configs with a key under another KEK', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const old1 = await createConfig(store, { tenantId: a, name: 'old1' });
      const current = await createConfig(store, { tenantId: a, name: 'current' });
      await createConfig(store, { tenantId: a, name: 'no key' });
      const old2 = await createConfig(store, { tenantId: a, name: 'old2', scope: 'ws1' });
      await store.updateConfig(a, old1.id, makeKeyPatch(makeFakeKey('kek-old')), {
        audit: makeAuditEventFor(old1, 'key.set'),
      });
      await store.updateConfig(a, current.id, makeKeyPatch(makeFakeKey('kek-new')), {
        audit: makeAuditEventFor(current, 'key.set'),
      });
      await store.updateConfig(a, old2.id, makeKeyPatch(makeFakeKey('kek-older')), {
        audit: makeAuditEventFor(old2, 'key.set'),
      });
      expect((await allConfigs(store, a, { kekIdNot: 'kek-new', limit: 1 })).map((r) => r.id)).toStrictEqual([
        old1.id,
        old2.id,
      ]);
      expect((await allConfigs(store, a, { kekIdNot: 'kek-none', limit: 10 })).map((r) => r.id)).toStrictEqual([
        old1.id,
        current.id,
        old2.id,
      ]);
      await store.updateConfig(a, old1.id, makeKeyPatch(makeFakeKey('kek-new')), {
        audit: makeAuditEventFor(old1, 'key.rewrapped'),
        expectedRevision: 2,
      });
      expect((await allConfigs(store, a, { kekIdNot: 'kek-new', limit: 10 })).map((r) => r.id)).toStrictEqual([
        old2.id,
      ]);
    });
  });
}
