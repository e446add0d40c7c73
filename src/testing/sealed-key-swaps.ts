/**
 * Group `sealedKeySwaps`: the batch rewrap path. `listSealedConfigs` pages
 * through the keys under another KEK with their sealed values;
 * `swapSealedKeys` replaces each only while the stored sealed key is still
 * the one read (compare-and-swap on the value, not the revision), with its
 * audit event, one swap independent of the others.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { SealedKeySwap, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import type { FakeKey } from './fixtures.js';
import { allAudit, createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Every item of a `listSealedConfigs` walk, checking the page rules on the way. */
async function allSealed(store: StorageAdapter, tenantId: string, kekIdNot: string, limit: number) {
  const out = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listSealedConfigs(tenantId, {
      kekIdNot,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  expect(new Set(out.map((r) => r.id)).size).toBe(out.length);
  return out;
}

/** A keyed config under `kekId`; returns its id and key. */
async function keyed(
  store: StorageAdapter,
  tenantId: string,
  kekId: string,
  name: string,
  scope = '',
): Promise<{ id: string; key: FakeKey }> {
  const record = await createConfig(store, { tenantId, name, scope });
  const key = makeFakeKey(kekId);
  await store.updateConfig(tenantId, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
  return { id: record.id, key };
}

function swapOf(tenantId: string, id: string, from: string, to: FakeKey, at = new Date().toISOString()): SealedKeySwap {
  return {
    id,
    from,
    to: to.sealedKey,
    updatedAt: at,
    audit: makeAuditEventFor({ id, tenantId }, 'key.rewrapped', { actor: null }),
  };
}

/** Registers the `sealedKeySwaps` group. */
export function describeSealedKeySwaps(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'sealed key swaps'), () => {
    const sut = useStore(options);

    it('listSealedConfigs pages, in id order, exactly the keys under another KEK (or none), each equal to its sealed read', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const old: { id: string; key: FakeKey }[] = [];
      for (let i = 0; i < 7; i++)
        old.push(await keyed(store, a, i % 2 ? 'kek-old' : 'kek-older', `old-${i}`, i % 3 ? 'ws1' : ''));
      await keyed(store, a, 'kek-new', 'current');
      await createConfig(store, { tenantId: a, name: 'keyless' });
      const noKek = await createConfig(store, { tenantId: a, name: 'no-kek' });
      await store.updateConfig(
        a,
        noKek.id,
        { sealedKey: 'not-a-sealed-value', keyHint: 'x' },
        { audit: makeAuditEventFor(noKek, 'key.set') },
      );
      await keyed(store, b, 'kek-old', 'other-tenant');
      const items = await allSealed(store, a, 'kek-new', 3);
      expect(items.map((r) => r.id)).toStrictEqual([...old.map((o) => o.id), noKek.id].sort());
      for (const item of items) expect(item).toStrictEqual(await store.loadSealedConfig(a, item.id));
      expect(items.find((r) => r.id === old[0]!.id)?.sealedKey).toBe(old[0]!.key.sealedKey);
      expect(await allSealed(store, a, 'kek-none', 500)).toHaveLength(9);
    });

    it('a swap applies only while the stored sealed key is the one read: revision +1, updatedAt set, its event written, nothing else changed', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const moved = await keyed(store, a, 'kek-old', 'moved');
      const replaced = await keyed(store, a, 'kek-old', 'replaced');
      const gone = await keyed(store, a, 'kek-old', 'gone');
      const before = await store.getConfig(a, moved.id);
      // Another writer replaced one key and deleted another config since they were read.
      const newer = makeFakeKey('kek-new');
      await store.updateConfig(a, replaced.id, makeKeyPatch(newer), {
        audit: makeAuditEventFor({ id: replaced.id, tenantId: a }, 'key.replaced'),
      });
      await store.deleteConfig(a, gone.id, {
        audit: makeAuditEventFor({ id: gone.id, tenantId: a }, 'config.deleted'),
      });
      const at = '2031-01-01T00:00:00.000Z';
      const swaps = [moved, replaced, gone].map((item) =>
        swapOf(a, item.id, item.key.sealedKey, makeFakeKey('kek-new'), at),
      );
      expect(await store.swapSealedKeys(a, swaps)).toStrictEqual([true, false, false]);
      expect(await store.getConfig(a, moved.id)).toStrictEqual({
        ...before,
        kekId: 'kek-new',
        updatedAt: at,
        revision: before!.revision + 1,
      });
      expect((await store.loadSealedConfig(a, moved.id))?.sealedKey).toBe(swaps[0]!.to);
      expect((await store.loadSealedConfig(a, replaced.id))?.sealedKey).toBe(newer.sealedKey);
      expect(await store.loadSealedConfig(a, gone.id)).toBeNull();
      const events = (await allAudit(store, a, { limit: 100, type: 'key.rewrapped' })).map((e) => e.id);
      expect(events).toStrictEqual([swaps[0]!.audit.id]);
    });

    it('a write that left the key alone (rename, default, disable) does not stop a swap, and is kept', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const item = await keyed(store, a, 'kek-old', 'before');
      const record = (await store.getConfig(a, item.id))!;
      await store.updateConfig(
        a,
        item.id,
        { name: 'after', isDefault: true, enabled: false },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      expect(
        await store.swapSealedKeys(a, [swapOf(a, item.id, item.key.sealedKey, makeFakeKey('kek-new'))]),
      ).toStrictEqual([true]);
      expect(await store.getConfig(a, item.id)).toMatchObject({
        name: 'after',
        isDefault: true,
        enabled: false,
        kekId: 'kek-new',
        revision: 4,
      });
    });

    it('swaps are per tenant: another tenant’s config of that id is never swapped', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const item = await keyed(store, a, 'kek-old', 'mine');
      expect(
        await store.swapSealedKeys(b, [swapOf(b, item.id, item.key.sealedKey, makeFakeKey('kek-new'))]),
      ).toStrictEqual([false]);
      expect((await store.loadSealedConfig(a, item.id))?.sealedKey).toBe(item.key.sealedKey);
      expect(await allAudit(store, b, { limit: 10 })).toStrictEqual([]);
    });

    it('race: a swap and concurrent key replacements of the same config: the stored key is one of the written ones, the swap applied only if it came first', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      for (let round = 0; round < 5; round++) {
        const item = await keyed(store, a, 'kek-old', `race-${round}`);
        const rewrapped = makeFakeKey('kek-new');
        const replacements = Array.from({ length: 4 }, (_, i) => makeFakeKey(`kek-r${i}`));
        const [swapped] = await Promise.all([
          store.swapSealedKeys(a, [swapOf(a, item.id, item.key.sealedKey, rewrapped)]),
          ...replacements.map((key) =>
            store.updateConfig(a, item.id, makeKeyPatch(key), {
              audit: makeAuditEventFor({ id: item.id, tenantId: a }, 'key.replaced'),
            }),
          ),
        ]);
        const stored = (await store.loadSealedConfig(a, item.id))!;
        expect([rewrapped.sealedKey, ...replacements.map((k) => k.sealedKey)]).toContain(stored.sealedKey);
        // A replacement always lands after or instead of the swap: the swap's key can't survive a later replacement.
        expect(stored.sealedKey === rewrapped.sealedKey).toBe(false);
        expect(stored.revision).toBe(2 + replacements.length + (swapped![0] ? 1 : 0));
        const rewrapEvents = await allAudit(store, a, { limit: 100, configId: item.id, type: 'key.rewrapped' });
        expect(rewrapEvents).toHaveLength(swapped![0] ? 1 : 0);
      }
    });

    it('race: concurrent swaps of the same key from the same value: exactly one applies', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const item = await keyed(store, a, 'kek-old', 'contended');
      const targets = Array.from({ length: 10 }, (_, i) => makeFakeKey(`kek-n${i}`));
      const results = await Promise.all(
        targets.map((to) => store.swapSealedKeys(a, [swapOf(a, item.id, item.key.sealedKey, to)])),
      );
      const winners = results.flatMap(([applied], i) => (applied ? [targets[i]!] : []));
      expect(winners).toHaveLength(1);
      expect((await store.loadSealedConfig(a, item.id))?.sealedKey).toBe(winners[0]!.sealedKey);
      expect(await allAudit(store, a, { limit: 100, type: 'key.rewrapped' })).toHaveLength(1);
    });

    it('a batch of many swaps applies each that matches, in one call', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const items = [];
      for (let i = 0; i < 120; i++) items.push(await keyed(store, a, 'kek-old', `bulk-${i}`));
      const swaps = items.map((item, i) =>
        swapOf(a, item.id, i % 10 === 3 ? 'stale-value' : item.key.sealedKey, makeFakeKey('kek-new')),
      );
      const applied = await store.swapSealedKeys(a, swaps);
      expect(applied).toStrictEqual(items.map((_, i) => i % 10 !== 3));
      expect((await allSealed(store, a, 'kek-new', 500)).map((r) => r.id)).toStrictEqual(
        items.filter((_, i) => i % 10 === 3).map((item) => item.id),
      );
      expect(await allAudit(store, a, { limit: 500, type: 'key.rewrapped' })).toHaveLength(108);
    });
  });
}
