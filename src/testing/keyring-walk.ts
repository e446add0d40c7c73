/**
 * Group `keyringWalk`: the store-wide reads of a KEK rotation.
 * `listSealedConfigsAcrossTenants` pages, by tenant then id, through every
 * config holding a key (active, pending or previous) under another KEK,
 * stable while keys are swapped and configs created or deleted around the
 * cursor; `countKeysByKek` counts keys per KEK id and state.
 *
 * Each test uses fresh tenant ids and KEK ids, and looks only at those, so
 * the group also holds on a backend that other tests share.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { SealedConfigRecord, ConfigPatch, KeyCount, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds, uniqueSuffix } from './fixtures.js';
import type { FakeKey } from './fixtures.js';
import { createConfig, groupTitle, hasSealedKeyProperty, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Every item of a store-wide walk, checking the page rules on the way; `between` runs after each page. */
export async function walkAcrossTenants(
  store: StorageAdapter,
  kekIdNot: string,
  limit: number,
  between?: (page: number) => Promise<void>,
): Promise<SealedConfigRecord[]> {
  const out: SealedConfigRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listSealedConfigsAcrossTenants({
      kekIdNot,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    if (page.nextCursor === null) break;
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor;
    await between?.(pages);
  }
  const keys = out.map((r) => `${r.tenantId}/${r.id}`);
  expect(new Set(keys).size, 'a walk never repeats a config').toBe(keys.length);
  return out;
}

/** A config of `tenantId` holding `key` as its active key. */
async function keyed(
  store: StorageAdapter,
  tenantId: string,
  key: FakeKey,
  overrides: { enabled?: boolean; keyExpiresAt?: string } = {},
) {
  const record = await createConfig(store, { tenantId, ...overrides });
  await store.updateConfig(tenantId, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
  return record;
}

/** The patch that stages `key` as the pending key. */
export function makeStagePatch(key: FakeKey, at = new Date().toISOString()): ConfigPatch {
  return {
    pendingSealedKey: key.sealedKey,
    pendingKeyHint: key.keyHint,
    pendingKeySetAt: at,
    pendingKeyExpiresAt: null,
    updatedAt: at,
  };
}

/** The patch that keeps `key` as the previous key, until `keptUntil`. */
export function makePreviousPatch(key: FakeKey, keptUntil: string, at = new Date().toISOString()): ConfigPatch {
  return {
    previousSealedKey: key.sealedKey,
    previousKeyHint: key.keyHint,
    previousKeySetAt: at,
    previousKeyExpiresAt: null,
    previousKeyKeptUntil: keptUntil,
    updatedAt: at,
  };
}

/** The lines of `counts` for the given KEK ids, sorted, for comparing. */
function linesOf(counts: KeyCount[], kekIds: readonly string[]): KeyCount[] {
  return counts
    .filter((line) => line.kekId !== null && kekIds.includes(line.kekId))
    .map((line) => ({ kekId: line.kekId, state: line.state, count: line.count }))
    .sort((x, y) => `${x.kekId} ${x.state}`.localeCompare(`${y.kekId} ${y.state}`));
}

/** Registers the `keyringWalk` group. */
export function describeKeyringWalk(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'keyring walk'), () => {
    const sut = useStore(options);

    it('listSealedConfigsAcrossTenants pages every tenant’s configs with a key under another KEK (any slot), each equal to its sealed read', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const c = `tenant-c-${uniqueSuffix()}`;
      const kek = { old: `old-${uniqueSuffix()}`, now: `new-${uniqueSuffix()}` };
      const expected: string[] = [];
      for (const tenantId of [a, b, c]) {
        for (let i = 0; i < 3; i++)
          expected.push(`${tenantId}/${(await keyed(store, tenantId, makeFakeKey(kek.old))).id}`);
        await keyed(store, tenantId, makeFakeKey(kek.now));
        await createConfig(store, { tenantId });
      }
      // Current active key, but a pending or a previous key under the old KEK: still to rotate.
      const pending = await keyed(store, b, makeFakeKey(kek.now));
      await store.updateConfig(b, pending.id, makeStagePatch(makeFakeKey(kek.old)), {
        audit: makeAuditEventFor(pending, 'key.staged'),
      });
      const previous = await keyed(store, c, makeFakeKey(kek.now));
      await store.updateConfig(c, previous.id, makePreviousPatch(makeFakeKey(kek.old), '2999-01-01T00:00:00.000Z'), {
        audit: makeAuditEventFor(previous, 'key.promoted'),
      });
      // A sealed value that names no KEK counts as another KEK.
      const noKek = await createConfig(store, { tenantId: a });
      await store.updateConfig(
        a,
        noKek.id,
        { sealedKey: 'not-a-sealed-value', keyHint: 'x' },
        { audit: makeAuditEventFor(noKek, 'key.set') },
      );
      expected.push(`${b}/${pending.id}`, `${c}/${previous.id}`, `${a}/${noKek.id}`);
      const ours = new Set([a, b, c]);
      for (const limit of [1, 2, 5, 1000]) {
        const items = (await walkAcrossTenants(store, kek.now, limit)).filter((r) => ours.has(r.tenantId));
        expect(items.map((r) => `${r.tenantId}/${r.id}`).sort(), `limit ${limit}`).toStrictEqual([...expected].sort());
        // Tenant by tenant, id order within each.
        const order = items.map((r) => [r.tenantId, r.id] as const);
        for (let i = 1; i < order.length; i++) {
          const [pt, pi] = order[i - 1]!;
          const [t, id] = order[i]!;
          if (t === pt) expect(id > pi, 'id order within a tenant').toBe(true);
        }
        expect(
          new Set(items.map((r) => r.tenantId)).size === 3 &&
            items.findIndex((r) => r.tenantId !== items[0]!.tenantId) > 0,
        ).toBe(true);
        for (const item of items.slice(0, 4))
          expect(item).toStrictEqual(await store.loadSealedConfig(item.tenantId, item.id));
      }
      // Once every slot is under the primary, nothing is left.
      expect(
        (await walkAcrossTenants(store, kek.old, 7))
          .filter((r) => ours.has(r.tenantId) && r.sealedKey !== null && !r.sealedKey.includes(kek.old))
          .map((r) => r.id),
      ).toContain(pending.id);
    });

    it('a walk never repeats a config, and misses none that matched throughout, while keys are swapped and configs created and deleted around the cursor', async () => {
      const { store } = sut();
      const tenants = [0, 1, 2, 3].map((i) => `walk-${i}-${uniqueSuffix()}`).sort();
      const kek = { old: `old-${uniqueSuffix()}`, now: `new-${uniqueSuffix()}` };
      const rows: { tenantId: string; id: string; key: FakeKey }[] = [];
      for (const tenantId of tenants) {
        for (let i = 0; i < 6; i++) {
          const key = makeFakeKey(kek.old);
          rows.push({ tenantId, id: (await keyed(store, tenantId, key)).id, key });
        }
      }
      const touched = new Set<string>();
      const items = await walkAcrossTenants(store, kek.now, 3, async (page) => {
        // Swap one key to the new KEK, delete one, create one, in tenants before and after the cursor.
        const victim = rows[(page * 7) % rows.length]!;
        if (!touched.has(victim.id)) {
          touched.add(victim.id);
          const to = makeFakeKey(kek.now);
          await store.swapSealedKeys(victim.tenantId, [
            {
              id: victim.id,
              from: victim.key.sealedKey,
              to: to.sealedKey,
              updatedAt: new Date().toISOString(),
              audit: makeAuditEventFor({ id: victim.id, tenantId: victim.tenantId }, 'key.rewrapped', { actor: null }),
            },
          ]);
        }
        const deleted = rows[(page * 5 + 3) % rows.length]!;
        if (!touched.has(deleted.id)) {
          touched.add(deleted.id);
          await store.deleteConfig(deleted.tenantId, deleted.id, {
            audit: makeAuditEventFor({ id: deleted.id, tenantId: deleted.tenantId }, 'config.deleted'),
          });
        }
        const created = await keyed(store, tenants[page % tenants.length]!, makeFakeKey(kek.old));
        touched.add(created.id);
      });
      const seen = new Set(items.map((r) => r.id));
      for (const row of rows)
        if (!touched.has(row.id)) expect(seen.has(row.id), `config ${row.id} matched throughout`).toBe(true);
    });

    it('countKeysByKek counts keys per KEK id and state over every tenant and slot', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const k1 = `k1-${uniqueSuffix()}`;
      const k2 = `k2-${uniqueSuffix()}`;
      const before = await store.countKeysByKek({ now: '2030-01-01T00:00:00.000Z' });
      for (let i = 0; i < 3; i++) await keyed(store, a, makeFakeKey(k1));
      await keyed(store, b, makeFakeKey(k1));
      await keyed(store, b, makeFakeKey(k1), { enabled: false });
      await keyed(store, a, makeFakeKey(k2), { keyExpiresAt: '2029-12-31T23:59:59.999Z' });
      await keyed(store, a, makeFakeKey(k2), { keyExpiresAt: '2030-01-01T00:00:00.000Z' });
      await keyed(store, a, makeFakeKey(k2), { keyExpiresAt: '2030-01-01T00:00:00.001Z' });
      const staged = await keyed(store, b, makeFakeKey(k2));
      await store.updateConfig(
        b,
        staged.id,
        { ...makeStagePatch(makeFakeKey(k1)), ...makePreviousPatch(makeFakeKey(k2), '2031-01-01T00:00:00.000Z') },
        {
          audit: makeAuditEventFor(staged, 'key.staged'),
        },
      );
      const noKek = await createConfig(store, { tenantId: a });
      await store.updateConfig(
        a,
        noKek.id,
        { sealedKey: 'not-a-sealed-value', keyHint: 'x' },
        { audit: makeAuditEventFor(noKek, 'key.set') },
      );
      await createConfig(store, { tenantId: a });
      const counts = await store.countKeysByKek({ now: '2030-01-01T00:00:00.000Z' });
      for (const line of counts) expect(line.count).toBeGreaterThan(0);
      expect(linesOf(counts, [k1, k2])).toStrictEqual(
        [
          { kekId: k1, state: 'active', count: 4 },
          { kekId: k1, state: 'disabled', count: 1 },
          { kekId: k1, state: 'pending', count: 1 },
          { kekId: k2, state: 'active', count: 2 },
          { kekId: k2, state: 'expired', count: 2 },
          { kekId: k2, state: 'previous', count: 1 },
        ].sort((x, y) => `${x.kekId} ${x.state}`.localeCompare(`${y.kekId} ${y.state}`)),
      );
      const noneBefore = before.find((l) => l.kekId === null && l.state === 'active')?.count ?? 0;
      expect(counts.find((l) => l.kekId === null && l.state === 'active')?.count).toBe(noneBefore + 1);
    });

    it('pending and previous sealed keys come back only from the sealed reads', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await keyed(store, a, makeFakeKey('kek-1'));
      const pending = makeFakeKey('kek-1');
      const previous = makeFakeKey('kek-1');
      await store.updateConfig(
        a,
        record.id,
        { ...makeStagePatch(pending), ...makePreviousPatch(previous, '2999-01-01T00:00:00.000Z') },
        {
          audit: makeAuditEventFor(record, 'key.staged'),
        },
      );
      const plain = [await store.getConfig(a, record.id), ...(await store.listConfigs(a, { limit: 10 })).items];
      for (const item of plain) {
        expect(hasSealedKeyProperty(item!)).toBe(false);
        expect(Object.keys(item!)).not.toContain('pendingSealedKey');
        expect(Object.keys(item!)).not.toContain('previousSealedKey');
        expect(JSON.stringify(item)).not.toContain(pending.sealedKey);
        expect(JSON.stringify(item)).not.toContain(previous.sealedKey);
        expect(item!.pendingKeyHint).toBe(pending.keyHint);
        expect(item!.previousKeyHint).toBe(previous.keyHint);
      }
      const sealed = await store.loadSealedConfig(a, record.id);
      expect(sealed!.pendingSealedKey).toBe(pending.sealedKey);
      expect(sealed!.previousSealedKey).toBe(previous.sealedKey);
    });
  });
}
