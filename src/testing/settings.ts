/**
 * Group `settings`: one settings document per tenant, returned equal to
 * what was written, replaced whole by a compare-and-swap on its revision
 * (exactly one of concurrent writers wins), each write with its audit
 * event, and never visible or writable through another tenant.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { SettingsRecord } from '../store/settings-storage.js';
import type { StorageAdapter } from '../store/types.js';
import { makeAuditEvent, makeSettingsRecord, makeTenantIds } from './fixtures.js';
import { NO_RAW_DUMP, allAudit, dumpOf, expectConflict, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

function put(
  store: StorageAdapter,
  record: SettingsRecord,
  expectedRevision = record.revision - 1,
): Promise<SettingsRecord> {
  return store.putSettings(record, {
    audit: makeAuditEvent({ tenantId: record.tenantId, configId: null, type: 'entitlement.changed' }),
    expectedRevision,
  });
}

/** Registers the `settings` group. */
export function describeSettings(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'settings'), () => {
    const sut = useStore(options);

    it('getSettings is null until a document is written, then returns it equal (nested JSON, unicode, numbers, nulls)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      expect(await store.getSettings(a)).toBeNull();
      const record = makeSettingsRecord({
        tenantId: a,
        document: {
          entitlement: { byok: true, providers: ['openai', 'custom'] },
          routes: {
            'chat ünï': { providers: ['anthropic'], weight: 0.25, max: 9007199254740991, off: false, none: null },
            empty: {},
          },
          notes: '"quoted" \\ 鍵 🔑',
        },
      });
      expect(await put(store, record)).toStrictEqual(record);
      expect(await store.getSettings(a)).toStrictEqual(record);
    });

    it('each write replaces the document whole and takes the next revision; a section left out is gone', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      await put(
        store,
        makeSettingsRecord({
          tenantId: a,
          document: { entitlement: { byok: true, providers: null }, routes: { x: 1 } },
        }),
      );
      const second = makeSettingsRecord({
        tenantId: a,
        revision: 2,
        document: { entitlement: { byok: false, providers: null } },
      });
      expect(await put(store, second)).toStrictEqual(second);
      const third = makeSettingsRecord({ tenantId: a, revision: 3, document: {} });
      await put(store, third);
      expect(await store.getSettings(a)).toStrictEqual(third);
    });

    it('a stale or wrong expectedRevision throws CONCURRENT_UPDATE and writes nothing, event included', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const first = makeSettingsRecord({ tenantId: a });
      await put(store, first);
      const auditBefore = await allAudit(store, a, { limit: 100 });
      for (const expected of [0, 2, 7]) {
        await expectConflict(
          put(
            store,
            makeSettingsRecord({ tenantId: a, revision: expected + 1, document: { changed: true } }),
            expected,
          ),
          'CONCURRENT_UPDATE',
        );
      }
      // A first write that claims a document exists already.
      await expectConflict(put(store, makeSettingsRecord({ tenantId: b, revision: 2 }), 1), 'CONCURRENT_UPDATE');
      expect(await store.getSettings(a)).toStrictEqual(first);
      expect(await store.getSettings(b)).toBeNull();
      expect(await allAudit(store, a, { limit: 100 })).toStrictEqual(auditBefore);
      expect(await allAudit(store, b, { limit: 100 })).toStrictEqual([]);
    });

    it('writes exactly its audit event, under the tenant of the write', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const audit = makeAuditEvent({
        tenantId: b,
        configId: null,
        type: 'entitlement.changed',
        actor: null,
        changes: ['entitlement'],
        detail: { byok: false, revision: 1 },
      });
      await store.putSettings(makeSettingsRecord({ tenantId: a }), { audit, expectedRevision: 0 });
      expect(await allAudit(store, a, { limit: 100 })).toStrictEqual([{ ...audit, tenantId: a }]);
      expect(await allAudit(store, b, { limit: 100 })).toStrictEqual([]);
    });

    it('race: 20 concurrent first writes, and 20 concurrent writes based on one revision, each have exactly one winner', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const firsts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          put(store, makeSettingsRecord({ tenantId: a, document: { writer: i } }), 0),
        ),
      );
      expect(firsts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of firsts)
        if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('CONCURRENT_UPDATE');
      const winner = (firsts.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<SettingsRecord>).value;
      expect(await store.getSettings(a)).toStrictEqual(winner);
      const seconds = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          put(store, makeSettingsRecord({ tenantId: a, revision: 2, document: { writer: 100 + i } }), 1),
        ),
      );
      expect(seconds.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.getSettings(a))?.revision).toBe(2);
      expect(await allAudit(store, a, { limit: 100 })).toHaveLength(2);
    });

    it('tenants are separate: B reads null and writes its own first document while A has one', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const ofA = makeSettingsRecord({ tenantId: a, document: { entitlement: { byok: false, providers: null } } });
      await put(store, ofA);
      expect(await store.getSettings(b)).toBeNull();
      const ofB = makeSettingsRecord({ tenantId: b, document: { entitlement: { byok: true, providers: ['openai'] } } });
      await put(store, ofB);
      expect(await store.getSettings(a)).toStrictEqual(ofA);
      expect(await store.getSettings(b)).toStrictEqual(ofB);
    });

    it('returns fresh objects: changing a result changes nothing stored', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeSettingsRecord({ tenantId: a });
      const written = await put(store, record);
      (written.document.entitlement as { byok: boolean }).byok = false;
      const read = await store.getSettings(a);
      read!.document.extra = 1;
      expect(await store.getSettings(a)).toStrictEqual(record);
    });

    it(`stores a tenant's document under that tenant only (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { a, b } = makeTenantIds();
      await put(current.store, makeSettingsRecord({ tenantId: a, document: { marker: `settings-of-${a}` } }));
      await expectConflict(
        put(current.store, makeSettingsRecord({ tenantId: b, revision: 5, document: { marker: 'refused-write' } }), 4),
        'CONCURRENT_UPDATE',
      );
      const dump = (await dumpOf(current))!;
      expect(dump).toContain(`settings-of-${a}`);
      expect(dump).not.toContain(b);
      expect(dump).not.toContain('refused-write');
    });

    it('a write and its audit event commit together: when the audit write fails, the document stays as it was (skipped when capabilities.transactions is false or createStore returns no breakAuditWrites)', async (ctx) => {
      const current = sut();
      if (!current.store.capabilities.transactions) ctx.skip('capabilities.transactions is false');
      if (!current.breakAuditWrites) ctx.skip('createStore returned no breakAuditWrites');
      const { a, b } = makeTenantIds();
      const first = makeSettingsRecord({ tenantId: a });
      await put(current.store, first);
      await current.breakAuditWrites!();
      await expect(
        put(current.store, makeSettingsRecord({ tenantId: a, revision: 2, document: {} })),
      ).rejects.toThrow();
      await expect(put(current.store, makeSettingsRecord({ tenantId: b }))).rejects.toThrow();
      expect(await current.store.getSettings(a)).toStrictEqual(first);
      expect(await current.store.getSettings(b)).toBeNull();
    });
  });
}
