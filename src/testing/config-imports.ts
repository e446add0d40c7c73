/**
 * Group `configImports`: `importConfigs` writes each new config whole (record,
 * sealed key, audit events) or not at all; an item whose id or name is
 * taken, or that would be a second default of its scope, is a `'conflict'`
 * and writes nothing, without failing the others; concurrent writers of one
 * name leave exactly one config.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ConfigImport, ConfigRecord } from '../store/types.js';
import { makeAuditEventFor, makeConfigRecord, makeFakeKey, makeTenantIds } from './fixtures.js';
import { allAudit, allConfigs, createConfig, expectConflict, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** An import item as the vault builds it: a keyed record (unless `keyless`) with its created and key.set events. */
function importItem(overrides: Partial<ConfigRecord> & { tenantId: string }, keyless = false): ConfigImport {
  const key = makeFakeKey('kek-1');
  const record = makeConfigRecord({
    ...(keyless ? {} : { keyHint: key.keyHint, kekId: key.kekId, keySetAt: '2030-01-01T00:00:00.000Z' }),
    ...overrides,
  });
  const audit = [makeAuditEventFor(record, 'config.created', { detail: { name: record.name } })];
  if (!keyless) audit.push(makeAuditEventFor(record, 'key.set', { keyHint: key.keyHint }));
  return { record, sealedKey: keyless ? null : key.sealedKey, audit };
}

/** Registers the `configImports` group. */
export function describeConfigImports(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'config imports'), () => {
    const sut = useStore(options);

    it('writes every item whole: the record, its sealed key and its events, readable by every read', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const items = [
        importItem({ tenantId: a, name: 'one', scope: 'ws1', isDefault: true }),
        importItem({
          tenantId: a,
          name: 'two',
          provider: 'custom',
          routes: ['openai'],
          baseUrl: 'https://gw.example/v1',
          options: { region: 'eu', n: 2 },
        }),
        importItem({ tenantId: a, name: 'keyless', enabled: false }, true),
      ];
      expect(await store.importConfigs(a, items)).toStrictEqual(['created', 'created', 'created']);
      for (const item of items) {
        const stored = await store.getConfig(a, item.record.id);
        expect(stored).toStrictEqual({ ...item.record, kekId: item.sealedKey === null ? null : 'kek-1' });
        expect((await store.loadSealedConfig(a, item.record.id))?.sealedKey).toBe(item.sealedKey);
      }
      expect(
        (
          await store.loadCandidates(a, ['ws1'], { provider: 'openai', config: null, now: '2030-01-01T00:00:00.000Z' })
        ).map((r) => r.id),
      ).toContain(items[0]!.record.id);
      const events = await allAudit(store, a, { limit: 100 });
      expect(events.map((e) => e.id).sort()).toStrictEqual(items.flatMap((i) => i.audit.map((e) => e.id)).sort());
      expect(events.find((e) => e.id === items[0]!.audit[1]!.id)).toStrictEqual(items[0]!.audit[1]);
    });

    it('a taken name (stored or earlier in the call), a taken id or a second default is a conflict that writes nothing; the other items are written', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const existing = await createConfig(store, { tenantId: a, name: 'taken', scope: 'ws1', isDefault: true });
      await createConfig(store, { tenantId: b, name: 'free-here' });
      const items = [
        importItem({ tenantId: a, name: 'taken' }),
        importItem({ tenantId: a, name: 'fresh' }),
        importItem({ tenantId: a, name: 'fresh' }),
        importItem({ tenantId: a, id: existing.id, name: 'same-id' }),
        importItem({ tenantId: a, name: 'second-default', scope: 'ws1', isDefault: true }),
        importItem({ tenantId: a, name: 'first-default', scope: 'ws2', isDefault: true }),
        importItem({ tenantId: a, name: 'another-default', scope: 'ws2', isDefault: true }),
        importItem({ tenantId: a, name: 'free-here' }),
      ];
      expect(await store.importConfigs(a, items)).toStrictEqual([
        'conflict',
        'created',
        'conflict',
        'conflict',
        'conflict',
        'created',
        'conflict',
        'created',
      ]);
      const names = (await allConfigs(store, a, { limit: 100 })).map((r) => r.name).sort();
      expect(names).toStrictEqual(['first-default', 'free-here', 'fresh', 'taken']);
      expect(await store.getConfig(a, existing.id)).toMatchObject({ name: 'taken', isDefault: true, revision: 1 });
      const written = new Set([items[1], items[5], items[7]].flatMap((i) => i!.audit.map((e) => e.id)));
      const events = (await allAudit(store, a, { limit: 100 })).filter(
        (e) => e.type !== 'config.created' || e.configId !== existing.id,
      );
      expect(new Set(events.map((e) => e.id))).toStrictEqual(written);
    });

    it('stores each item under the tenant of the call, events included', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const item = importItem({ tenantId: a, name: 'mine' });
      item.audit = item.audit.map((event) => ({ ...event, tenantId: b }));
      expect(await store.importConfigs(a, [item])).toStrictEqual(['created']);
      expect(await store.getConfig(b, item.record.id)).toBeNull();
      expect(await allAudit(store, b, { limit: 10 })).toStrictEqual([]);
      expect(await allAudit(store, a, { limit: 10 })).toHaveLength(2);
    });

    it('an empty call writes nothing and returns no outcome', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      expect(await store.importConfigs(a, [])).toStrictEqual([]);
      expect(await allConfigs(store, a, { limit: 10 })).toStrictEqual([]);
    });

    it('race: concurrent imports and creates of one name leave exactly one config of that name, and events only for it', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const imports = Array.from({ length: 8 }, () => importItem({ tenantId: a, name: 'contended' }));
      const creates = Array.from({ length: 4 }, () => makeConfigRecord({ tenantId: a, name: 'contended' }));
      const results = await Promise.allSettled([
        ...imports.map((item) => store.importConfigs(a, [item])),
        ...creates.map((record) => store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') })),
      ]);
      const importWins = results
        .slice(0, imports.length)
        .filter((r) => r.status === 'fulfilled' && (r.value as string[])[0] === 'created').length;
      const createWins = results.slice(imports.length).filter((r) => r.status === 'fulfilled').length;
      expect(importWins + createWins).toBe(1);
      for (const r of results.slice(imports.length))
        if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('NAME_TAKEN');
      expect((await allConfigs(store, a, { limit: 100 })).map((r) => r.name)).toStrictEqual(['contended']);
      expect(await allAudit(store, a, { limit: 100, type: 'config.created' })).toHaveLength(1);
      // A fresh record (new id): creates[0] itself may have won, and a second insert of its id would
      // meet the primary key before the name index.
      const late = makeConfigRecord({ tenantId: a, name: 'contended' });
      await expectConflict(
        store.createConfig(late, { audit: makeAuditEventFor(late, 'config.created') }),
        'NAME_TAKEN',
      );
    });

    it('race: concurrent default imports into one scope leave exactly one default there', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const items = Array.from({ length: 10 }, (_, i) =>
        importItem({ tenantId: a, name: `d${i}`, scope: 'ws1', isDefault: true }),
      );
      const outcomes = (await Promise.all(items.map((item) => store.importConfigs(a, [item])))).map(([o]) => o);
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect((await allConfigs(store, a, { limit: 100, scope: 'ws1' })).filter((r) => r.isDefault)).toHaveLength(1);
    });

    it('a batch of hundreds of items in one call', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const items = Array.from({ length: 300 }, (_, i) =>
        importItem({ tenantId: a, name: `bulk-${i}`, scope: `ws${i % 7}` }, i % 5 === 0),
      );
      expect(await store.importConfigs(a, items)).toStrictEqual(items.map(() => 'created'));
      expect(await allConfigs(store, a, { limit: 500 })).toHaveLength(300);
      expect(await allAudit(store, a, { limit: 500 })).toHaveLength(300 + 240);
    });
  });
}
