/**
 * Group `audit`: every mutation writes exactly its audit event, a failed
 * mutation writes none, events read back equal and newest first, with
 * filters and cursor; and, where the adapter has transactions, a change and
 * its event commit together.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import type { AuditEvent } from '../store/types.js';
import {
  makeAuditEvent,
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeTenantIds,
} from './fixtures.js';
import { allAudit, allConfigs, createConfig, expectConflict, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `audit` group. */
export function describeAudit(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'audit'), () => {
    const sut = useStore(options);

    it('create, update and delete each write exactly their event, equal to the one given', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeConfigRecord({ tenantId: a, name: 'audited' });
      const created = makeAuditEventFor(record, 'config.created', {
        changes: ['name', 'provider'],
        detail: { name: 'audited – ünï', count: 3, ratio: 0.5, flag: true, none: null },
      });
      await store.createConfig(record, { audit: created });
      expect(await allAudit(store, a, { limit: 100 })).toStrictEqual([created]);

      const key = makeFakeKey();
      const keySet = makeAuditEventFor(record, 'key.set', {
        keyHint: key.keyHint,
        changes: ['key'],
        actor: { id: 'user-2' },
      });
      await store.updateConfig(a, record.id, makeKeyPatch(key), { audit: keySet });
      expect(await allAudit(store, a, { limit: 100 })).toStrictEqual([keySet, created]);

      const deleted = makeAuditEventFor(record, 'config.deleted', { actor: null, detail: { name: 'audited' } });
      await store.deleteConfig(a, record.id, { audit: deleted });
      // The history outlives the config: a cascade from configs to audit would lose it.
      expect(await allAudit(store, a, { limit: 100 })).toStrictEqual([deleted, keySet, created]);
      expect(await allAudit(store, a, { limit: 100, configId: record.id })).toStrictEqual([deleted, keySet, created]);
    });

    it('round-trips actor with and without role, a null actor, a null configId and empty arrays and objects', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const events: AuditEvent[] = [
        makeAuditEventFor(record, 'config.updated', {
          actor: { id: 'ü-1', role: 'admin' },
          changes: ['model', 'baseUrl'],
        }),
        makeAuditEventFor(record, 'key.validated', {
          actor: { id: 'user-3' },
          detail: { status: 'invalid_key', httpStatus: 401 },
        }),
        makeAuditEventFor(record, 'key.rewrapped', { actor: null, detail: { fromKek: 'k1', toKek: 'k2' } }),
        makeAuditEvent({
          tenantId: a,
          configId: null,
          type: 'config.updated',
          actor: null,
          changes: [],
          detail: {},
          at: '2025-06-07T08:09:10.011Z',
        }),
      ];
      for (const audit of events) await store.updateConfig(a, record.id, {}, { audit });
      const read = await allAudit(store, a, { limit: 100, type: 'config.updated' });
      expect(read).toStrictEqual([events[3], events[0]]);
      expect(await allAudit(store, a, { limit: 100, type: 'key.validated' })).toStrictEqual([events[1]]);
      expect(await allAudit(store, a, { limit: 100, type: 'key.rewrapped' })).toStrictEqual([events[2]]);
    });

    it('a mutation that fails or finds nothing writes no event', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, name: 'taken' });
      const ghost = makeConfigRecord({ tenantId: a });
      await expectConflict(createConfig(store, { tenantId: a, name: 'taken' }), 'NAME_TAKEN');
      await expectConflict(
        store.updateConfig(
          a,
          record.id,
          { model: 'x' },
          { audit: makeAuditEventFor(record, 'config.updated'), expectedRevision: 9 },
        ),
        'CONCURRENT_UPDATE',
      );
      const other = await createConfig(store, { tenantId: a, name: 'other' });
      await expectConflict(
        store.updateConfig(a, other.id, { name: 'taken' }, { audit: makeAuditEventFor(other, 'config.updated') }),
        'NAME_TAKEN',
      );
      expect(
        await store.updateConfig(a, ghost.id, { model: 'x' }, { audit: makeAuditEventFor(ghost, 'config.updated') }),
      ).toBeNull();
      expect(await store.deleteConfig(a, ghost.id, { audit: makeAuditEventFor(ghost, 'config.deleted') })).toBe(false);
      const events = await allAudit(store, a, { limit: 100 });
      expect(events.map((e) => e.type)).toStrictEqual(['config.created', 'config.created']);
      expect(events.map((e) => e.configId)).toStrictEqual([other.id, record.id]);
    });

    it('lists newest first by id (not by insertion order), filters by configId and type, and pages with a cursor', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await createConfig(store, { tenantId: a, name: 'one' });
      const two = await createConfig(store, { tenantId: a, name: 'two' });
      // Ids made first, written in reverse: the order must come from the ids.
      const ids = Array.from({ length: 12 }, () => newId('evt'));
      const written: AuditEvent[] = [];
      for (const [i, id] of [...ids].reverse().entries()) {
        const target = i % 2 ? one : two;
        const event = makeAuditEventFor(target, i % 3 ? 'config.updated' : 'key.validated', { id });
        written.push(event);
        await store.updateConfig(a, target.id, {}, { audit: event });
      }
      const everything = await allAudit(store, a, { limit: 500 });
      expect(everything).toHaveLength(14);
      const sortedDesc = [...everything].sort((x, y) => (x.id < y.id ? 1 : -1));
      expect(everything.map((e) => e.id)).toStrictEqual(sortedDesc.map((e) => e.id));
      const newestFirst = [...written].sort((x, y) => (x.id < y.id ? 1 : -1));
      for (const limit of [1, 5, 12, 500]) {
        expect(
          await allAudit(store, a, { limit, configId: one.id, type: 'config.updated' }),
          `limit ${limit}`,
        ).toStrictEqual(newestFirst.filter((e) => e.configId === one.id && e.type === 'config.updated'));
        expect((await allAudit(store, a, { limit, type: 'key.validated' })).map((e) => e.id)).toStrictEqual(
          newestFirst.filter((e) => e.type === 'key.validated').map((e) => e.id),
        );
        expect((await allAudit(store, a, { limit, configId: two.id })).map((e) => e.id)).toStrictEqual(
          everything.filter((e) => e.configId === two.id).map((e) => e.id),
        );
      }
      const first = await store.listAudit(a, { limit: 3 });
      expect(first.items).toHaveLength(3);
      expect(typeof first.nextCursor).toBe('string');
      const exact = await store.listAudit(a, { limit: 14 });
      expect(exact.items).toHaveLength(14);
      expect(exact.nextCursor).toBeNull();
      expect(await store.listAudit(a, { limit: 10, configId: 'cfg_none' })).toStrictEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('an audit walk stays complete while newer events are written', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      for (let i = 0; i < 9; i++)
        await store.updateConfig(a, record.id, {}, { audit: makeAuditEventFor(record, 'config.updated') });
      const before = await allAudit(store, a, { limit: 500 });
      const seen: string[] = [];
      let page = await store.listAudit(a, { limit: 4 });
      seen.push(...page.items.map((e) => e.id));
      for (let guard = 0; page.nextCursor !== null; guard++) {
        expect(guard, 'the walk does not end').toBeLessThan(50);
        await store.updateConfig(a, record.id, {}, { audit: makeAuditEventFor(record, 'config.updated') });
        page = await store.listAudit(a, { limit: 4, cursor: page.nextCursor });
        seen.push(...page.items.map((e) => e.id));
      }
      expect(seen).toStrictEqual(before.map((e) => e.id));
    });

    it('race: concurrent updates write exactly one event each', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const events = Array.from({ length: 50 }, () => makeAuditEventFor(record, 'config.updated'));
      await Promise.all(events.map((audit, i) => store.updateConfig(a, record.id, { model: `m${i}` }, { audit })));
      const read = await allAudit(store, a, { limit: 500, type: 'config.updated' });
      expect(read.map((e) => e.id).sort()).toStrictEqual(events.map((e) => e.id).sort());
      expect((await store.getConfig(a, record.id))?.revision).toBe(51);
    });

    it('a change and its audit event commit together: when the audit write fails, nothing changes (skipped when capabilities.transactions is false or createStore returns no breakAuditWrites)', async (ctx) => {
      const current = sut();
      const { store } = current;
      if (!store.capabilities.transactions) ctx.skip('capabilities.transactions is false');
      if (!current.breakAuditWrites) ctx.skip('createStore returned no breakAuditWrites');
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, name: 'stable', isDefault: true });
      const key = makeFakeKey();
      await store.updateConfig(a, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
      const before = await store.getConfig(a, record.id);
      const auditBefore = await allAudit(store, a, { limit: 100 });
      await current.breakAuditWrites!();

      const fresh = makeConfigRecord({ tenantId: a, name: 'never', isDefault: true });
      await expect(store.createConfig(fresh, { audit: makeAuditEventFor(fresh, 'config.created') })).rejects.toThrow();
      await expect(
        store.updateConfig(
          a,
          record.id,
          { ...makeKeyPatch(makeFakeKey()), name: 'changed', isDefault: false },
          { audit: makeAuditEventFor(record, 'key.replaced') },
        ),
      ).rejects.toThrow();
      await expect(
        store.deleteConfig(a, record.id, { audit: makeAuditEventFor(record, 'config.deleted') }),
      ).rejects.toThrow();

      expect(await store.getConfig(a, fresh.id)).toBeNull();
      expect(await store.getConfig(a, record.id)).toStrictEqual(before);
      expect((await store.loadCandidates(a, ['']))[0]?.sealedKey).toBe(key.sealedKey);
      expect((await allConfigs(store, a, { limit: 100 })).map((r) => r.id)).toStrictEqual([record.id]);
      expect(await allAudit(store, a, { limit: 100 })).toStrictEqual(auditBefore);
    });
  });
}
