/**
 * Group `tenantIsolation`: a config of tenant A is invisible and untouchable
 * through tenant B, on every method, and (with a raw dump) what is written
 * through A is stored under A.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { makeAuditEventFor, makeConfigRecord, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import { NO_RAW_DUMP, allAudit, allConfigs, createConfig, dumpOf, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `tenantIsolation` group. */
export function describeTenantIsolation(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'tenant isolation'), () => {
    const sut = useStore(options);

    it('tenant B cannot read, list, update, delete or load a config of tenant A', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, scope: '', name: 'shared-name', isDefault: true });
      await store.updateConfig(a, record.id, makeKeyPatch(makeFakeKey()), {
        audit: makeAuditEventFor(record, 'key.set'),
      });
      const before = await store.getConfig(a, record.id);
      const asB = { ...record, tenantId: b };

      expect(await store.getConfig(b, record.id)).toBeNull();
      expect(await store.listConfigs(b, { limit: 100 })).toStrictEqual({ items: [], nextCursor: null });
      expect(await store.listConfigs(b, { limit: 100, scope: '' })).toStrictEqual({ items: [], nextCursor: null });
      expect(await store.listConfigs(b, { limit: 100, kekIdNot: 'none' })).toStrictEqual({
        items: [],
        nextCursor: null,
      });
      expect(await store.loadCandidates(b, [''])).toStrictEqual([]);
      expect(
        await store.updateConfig(
          b,
          record.id,
          { name: 'hijacked', isDefault: false },
          { audit: makeAuditEventFor(asB, 'config.updated') },
        ),
      ).toBeNull();
      expect(
        await store.updateConfig(b, record.id, makeKeyPatch(makeFakeKey()), {
          audit: makeAuditEventFor(asB, 'key.replaced'),
          expectedRevision: 2,
        }),
      ).toBeNull();
      expect(await store.deleteConfig(b, record.id, { audit: makeAuditEventFor(asB, 'config.deleted') })).toBe(false);
      expect(await store.listAudit(b, { limit: 100 })).toStrictEqual({ items: [], nextCursor: null });
      expect(await store.listAudit(b, { limit: 100, configId: record.id })).toStrictEqual({
        items: [],
        nextCursor: null,
      });

      expect(await store.getConfig(a, record.id)).toStrictEqual(before);
      expect(await allAudit(store, a, { limit: 100 })).toHaveLength(2);
    });

    it('each tenant sees only its own configs, candidates and audit events', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const ofA = [
        await createConfig(store, { tenantId: a, name: 'one' }),
        await createConfig(store, { tenantId: a, name: 'two', scope: 'ws1' }),
      ];
      const ofB = [
        await createConfig(store, { tenantId: b, name: 'one' }),
        await createConfig(store, { tenantId: b, name: 'two', scope: 'ws1' }),
      ];
      expect((await allConfigs(store, a, { limit: 1 })).map((r) => r.id)).toStrictEqual(ofA.map((r) => r.id));
      expect((await allConfigs(store, b, { limit: 1 })).map((r) => r.id)).toStrictEqual(ofB.map((r) => r.id));
      expect((await store.loadCandidates(a, ['', 'ws1'])).map((r) => r.id).sort()).toStrictEqual(
        ofA.map((r) => r.id).sort(),
      );
      expect((await store.loadCandidates(b, ['', 'ws1'])).map((r) => r.id).sort()).toStrictEqual(
        ofB.map((r) => r.id).sort(),
      );
      const auditA = await allAudit(store, a, { limit: 1 });
      expect(auditA.map((e) => e.tenantId)).toStrictEqual([a, a]);
      expect(auditA.map((e) => e.configId).sort()).toStrictEqual(ofA.map((r) => r.id).sort());
      expect((await allAudit(store, b, { limit: 100 })).every((e) => e.tenantId === b)).toBe(true);
    });

    it('names and defaults are per tenant: the same name and a default in the same scope in two tenants', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const inA = await createConfig(store, { tenantId: a, name: 'prod', isDefault: true });
      const inB = await createConfig(store, { tenantId: b, name: 'prod', isDefault: true });
      expect((await store.getConfig(a, inA.id))?.isDefault).toBe(true);
      expect((await store.getConfig(b, inB.id))?.isDefault).toBe(true);
      const other = await createConfig(store, { tenantId: b, name: 'other' });
      await store.updateConfig(
        b,
        other.id,
        { isDefault: true },
        { audit: makeAuditEventFor(other, 'config.default_changed') },
      );
      expect((await store.getConfig(a, inA.id))?.isDefault).toBe(true);
      expect((await store.getConfig(b, inB.id))?.isDefault).toBe(false);
    });

    it('the same config id in two tenants is two separate records', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const inA = makeConfigRecord({ tenantId: a, name: 'twin-a', scope: 'ws1', isDefault: true });
      const inB = makeConfigRecord({
        tenantId: b,
        id: inA.id,
        name: 'twin-b',
        scope: 'ws1',
        isDefault: true,
        model: 'b-model',
      });
      await store.createConfig(inA, { audit: makeAuditEventFor(inA, 'config.created') });
      await store.createConfig(inB, { audit: makeAuditEventFor(inB, 'config.created') });
      expect(await store.getConfig(a, inA.id)).toStrictEqual(inA);
      expect(await store.getConfig(b, inA.id)).toStrictEqual(inB);
      const key = makeFakeKey();
      const updated = await store.updateConfig(
        a,
        inA.id,
        { ...makeKeyPatch(key), model: 'a-model' },
        { audit: makeAuditEventFor(inA, 'key.set') },
      );
      expect(updated).toMatchObject({ tenantId: a, name: 'twin-a', model: 'a-model', revision: 2 });
      expect(await store.getConfig(b, inA.id)).toStrictEqual(inB);
      expect((await store.loadCandidates(b, ['ws1'])).map((r) => [r.tenantId, r.sealedKey])).toStrictEqual([[b, null]]);
      expect((await store.loadCandidates(a, ['ws1'])).map((r) => [r.tenantId, r.sealedKey])).toStrictEqual([
        [a, key.sealedKey],
      ]);
      expect(await store.deleteConfig(a, inA.id, { audit: makeAuditEventFor(inA, 'config.deleted') })).toBe(true);
      expect(await store.getConfig(a, inA.id)).toBeNull();
      expect(await store.getConfig(b, inA.id)).toStrictEqual(inB);
      expect(await allConfigs(store, b, { limit: 10 })).toStrictEqual([inB]);
    });

    it('an audit event is stored under the tenant of the call, never in the log of the tenant it names', async () => {
      // The vault always sends events of the call's tenant; an adapter stores the event under the
      // call's tenantId (or rejects the mismatch, changing nothing), so a wrong event can't reach another tenant's log.
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const record = makeConfigRecord({ tenantId: a, name: 'mislabelled' });
      const asB = { ...record, tenantId: b };
      const events = [
        makeAuditEventFor(asB, 'config.created'),
        makeAuditEventFor(asB, 'config.updated'),
        makeAuditEventFor(asB, 'config.deleted'),
      ];
      const outcomes = [
        await store.createConfig(record, { audit: events[0]! }).then(
          () => true,
          () => false,
        ),
      ];
      if (!outcomes[0]) await createConfig(store, record);
      outcomes.push(
        await store.updateConfig(a, record.id, { model: 'm' }, { audit: events[1]! }).then(
          () => true,
          () => false,
        ),
      );
      outcomes.push(
        await store.deleteConfig(a, record.id, { audit: events[2]! }).then(
          () => true,
          () => false,
        ),
      );
      expect(await store.listAudit(b, { limit: 100 })).toStrictEqual({ items: [], nextCursor: null });
      expect(await store.listAudit(b, { limit: 100, configId: record.id })).toStrictEqual({
        items: [],
        nextCursor: null,
      });
      const logA = await allAudit(store, a, { limit: 100 });
      for (const event of logA) expect(event.tenantId).toBe(a);
      events.forEach((event, i) => {
        const stored = logA.find((e) => e.id === event.id);
        // Stored (under A, otherwise equal) exactly when the call went through.
        expect(stored, `event ${event.type}`).toStrictEqual(outcomes[i] ? { ...event, tenantId: a } : undefined);
      });
      const current = sut();
      const dump = await dumpOf(current);
      if (dump !== null) expect(dump).not.toContain(b);
    });

    it(`stores what is written through tenant A under A, and leaves no trace of a refused tenant B (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { store } = current;
      const { a, b } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, name: 'isolated' });
      await store.updateConfig(a, record.id, makeKeyPatch(makeFakeKey()), {
        audit: makeAuditEventFor(record, 'key.set'),
      });
      const asB = { ...record, tenantId: b };
      await store.updateConfig(b, record.id, { name: 'hijacked' }, { audit: makeAuditEventFor(asB, 'config.updated') });
      await store.updateConfig(
        b,
        record.id,
        { name: 'hijacked' },
        { audit: makeAuditEventFor(asB, 'config.updated'), expectedRevision: 2 },
      );
      await store.deleteConfig(b, record.id, { audit: makeAuditEventFor(asB, 'config.deleted') });
      const dump = (await dumpOf(current))!;
      expect(dump).toContain(a);
      expect(dump).toContain(record.id);
      expect(dump).not.toContain(b);
      expect(dump).not.toContain('hijacked');
    });
  });
}
