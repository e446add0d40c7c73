/**
 * Group `records`: the adapter's shape, round trips of every field, `null`
 * for what is missing, revisions, and plain-object results without
 * `sealedKey`.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { STORAGE_ADAPTER_METHODS } from '../store/types.js';
import type { ConfigPatch } from '../store/types.js';
import {
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeRichConfigRecord,
  makeTenantIds,
} from './fixtures.js';
import { NO_SEALED_KEYS, allConfigs, createConfig, hasSealedKeyProperty, useStore } from './harness.js';
import { groupTitle } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `records` group. */
export function describeRecords(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'records'), () => {
    const sut = useStore(options);

    it('has every StorageAdapter method, a name and boolean capabilities', () => {
      const { store } = sut();
      for (const method of STORAGE_ADAPTER_METHODS) expect(typeof store[method], method).toBe('function');
      expect(typeof store.name).toBe('string');
      expect(store.name.length).toBeGreaterThan(0);
      expect(typeof store.capabilities.transactions).toBe('boolean');
      // `close` is optional; when present it is a method (hosts call `store.close?.()` at shutdown).
      expect(['undefined', 'function']).toContain(typeof store.close);
    });

    it('createConfig returns, and getConfig reads back, a record equal to the one written (every field)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeRichConfigRecord({ tenantId: a });
      const created = await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      expect(created).toStrictEqual(record);
      expect(await store.getConfig(a, record.id)).toStrictEqual(record);
    });

    it('round-trips nulls, empty routes and empty options as such', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeConfigRecord({ tenantId: a, name: 'plain', routes: [], options: {} });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      const read = await store.getConfig(a, record.id);
      expect(read).toStrictEqual(record);
      for (const field of [
        'model',
        'baseUrl',
        'keyHint',
        'kekId',
        'keySetAt',
        'keyExpiresAt',
        'lastValidatedAt',
        'lastValidationStatus',
      ] as const) {
        expect(read?.[field], field).toBeNull();
      }
    });

    it('round-trips every field an update can set, and the key fields of a stored key', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a, name: 'before' });
      const key = makeFakeKey('kek-2025');
      const pending = makeFakeKey('kek-2026');
      const previous = makeFakeKey('kek-2024');
      const patch = {
        ...makeKeyPatch(key, '2025-03-04T05:06:07.089Z'),
        scope: 'ws1/proj7',
        name: 'after – 名前 ✓',
        provider: 'azure-openai',
        routes: ['openai'],
        model: 'o3',
        baseUrl: 'https://example.openai.azure.com',
        options: { deployment: 'gpt4o', apiVersion: '2024-10-21', retries: 3, strict: true },
        enabled: false,
        isDefault: true,
        keyExpiresAt: '2030-01-01T00:00:00.000Z',
        lastValidatedAt: '2025-03-04T05:06:08.000Z',
        lastValidationStatus: 'valid' as const,
        pendingSealedKey: pending.sealedKey,
        pendingKeyHint: pending.keyHint,
        pendingKeySetAt: '2025-03-04T05:06:10.000Z',
        pendingKeyExpiresAt: '2031-01-01T00:00:00.000Z',
        previousSealedKey: previous.sealedKey,
        previousKeyHint: previous.keyHint,
        previousKeySetAt: '2024-01-01T00:00:00.000Z',
        previousKeyExpiresAt: '2029-01-01T00:00:00.000Z',
        previousKeyKeptUntil: '2025-04-04T05:06:09.123Z',
        updatedAt: '2025-03-04T05:06:09.123Z',
      };
      const updated = await store.updateConfig(a, record.id, patch, {
        audit: makeAuditEventFor(record, 'config.updated'),
      });
      const { sealedKey, pendingSealedKey, previousSealedKey, ...visible } = patch;
      const expected = { ...record, ...visible, kekId: key.kekId, revision: 2 };
      expect(sealedKey).toBe(key.sealedKey);
      expect(updated).toStrictEqual(expected);
      expect(await store.getConfig(a, record.id)).toStrictEqual(expected);
      const [candidate] = await store.loadCandidates(a, ['ws1/proj7']);
      expect(candidate).toStrictEqual({ ...expected, sealedKey: key.sealedKey, pendingSealedKey, previousSealedKey });
    });

    it('a patch changes only the fields it names; an undefined value leaves its field unchanged', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeRichConfigRecord({ tenantId: a });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      const updated = await store.updateConfig(
        a,
        record.id,
        { model: 'other-model', baseUrl: undefined, keyHint: undefined },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      const expected = { ...record, model: 'other-model', revision: 2 };
      expect(updated).toStrictEqual(expected);
      expect(await store.getConfig(a, record.id)).toStrictEqual(expected);
    });

    it('a patch carrying revision, createdAt, id or tenantId does not change them: revision still grows by 1', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const record = makeRichConfigRecord({ tenantId: a });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      const other = makeConfigRecord({ tenantId: a });
      // Not a ConfigPatch by its type, but a JavaScript caller (or a spread record) can send it.
      const patch = {
        model: 'patched',
        revision: 41,
        createdAt: '1999-01-01T00:00:00.000Z',
        id: other.id,
        tenantId: b,
      } as unknown as ConfigPatch;
      const updated = await store.updateConfig(a, record.id, patch, {
        audit: makeAuditEventFor(record, 'config.updated'),
      });
      const expected = { ...record, model: 'patched', revision: 2 };
      expect(updated).toStrictEqual(expected);
      expect(await store.getConfig(a, record.id)).toStrictEqual(expected);
      expect(await store.getConfig(a, other.id)).toBeNull();
      expect(await store.getConfig(b, record.id)).toBeNull();
      expect(await store.getConfig(b, other.id)).toBeNull();
      expect(
        (
          await store.updateConfig(a, record.id, patch, {
            audit: makeAuditEventFor(record, 'config.updated'),
            expectedRevision: 2,
          })
        )?.revision,
      ).toBe(3);
      expect(await store.getConfig(a, record.id)).toStrictEqual({ ...expected, revision: 3 });
    });

    it('a patch can set nullable fields back to null', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeRichConfigRecord({ tenantId: a });
      await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      const patch = {
        model: null,
        baseUrl: null,
        keyExpiresAt: null,
        lastValidatedAt: null,
        lastValidationStatus: null,
      };
      const updated = await store.updateConfig(a, record.id, patch, {
        audit: makeAuditEventFor(record, 'config.updated'),
      });
      expect(updated).toStrictEqual({ ...record, ...patch, revision: 2 });
    });

    it('missing records are null or false, never undefined and never an error', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const ghost = makeConfigRecord({ tenantId: a });
      expect(await store.getConfig(a, ghost.id)).toBeNull();
      expect(
        await store.updateConfig(a, ghost.id, { model: 'x' }, { audit: makeAuditEventFor(ghost, 'config.updated') }),
      ).toBeNull();
      expect(
        await store.updateConfig(
          a,
          ghost.id,
          { model: 'x' },
          { audit: makeAuditEventFor(ghost, 'config.updated'), expectedRevision: 1 },
        ),
      ).toBeNull();
      expect(await store.deleteConfig(a, ghost.id, { audit: makeAuditEventFor(ghost, 'config.deleted') })).toBe(false);
      expect(await store.loadCandidates(a, [''])).toStrictEqual([]);
      expect(await store.listConfigs(a, { limit: 10 })).toStrictEqual({ items: [], nextCursor: null });
      expect(await store.listAudit(a, { limit: 10 })).toStrictEqual({ items: [], nextCursor: null });
    });

    it('revision starts at 1 and grows by exactly 1 with every update', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      expect(record.revision).toBe(1);
      for (let expected = 2; expected <= 6; expected++) {
        const updated = await store.updateConfig(
          a,
          record.id,
          { model: `m${expected}` },
          { audit: makeAuditEventFor(record, 'config.updated') },
        );
        expect(updated?.revision).toBe(expected);
        expect((await store.getConfig(a, record.id))?.revision).toBe(expected);
      }
    });

    it('an update that changes nothing still bumps the revision', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      expect(
        (await store.updateConfig(a, record.id, {}, { audit: makeAuditEventFor(record, 'config.updated') }))?.revision,
      ).toBe(2);
    });

    it('no read but loadCandidates returns a sealedKey property', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeConfigRecord({ tenantId: a });
      const created = await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      expect(hasSealedKeyProperty(created)).toBe(false);
      const updated = await store.updateConfig(a, record.id, makeKeyPatch(makeFakeKey()), {
        audit: makeAuditEventFor(record, 'key.set'),
      });
      expect(updated).not.toBeNull();
      expect(hasSealedKeyProperty(updated!)).toBe(false);
      const renamed = await store.updateConfig(
        a,
        record.id,
        { name: 'renamed' },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      expect(hasSealedKeyProperty(renamed!)).toBe(false);
      expect(hasSealedKeyProperty((await store.getConfig(a, record.id))!)).toBe(false);
      for (const item of await allConfigs(store, a, { limit: 10 })) expect(hasSealedKeyProperty(item)).toBe(false);
      for (const item of await allConfigs(store, a, { limit: 10, kekIdNot: 'other' }))
        expect(hasSealedKeyProperty(item)).toBe(false);
      const [candidate] = await store.loadCandidates(a, ['']);
      expect(hasSealedKeyProperty(candidate!)).toBe(true);
    });

    it('returns plain objects the caller may mutate without changing what is stored (sealed reads: read-only)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = makeRichConfigRecord({ tenantId: a });
      const written = structuredClone(record);
      const created = await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      record.routes.push('mutated');
      record.options.mutated = true;
      created.routes.push('mutated');
      created.options.mutated = true;
      created.name = 'mutated';
      const read = await store.getConfig(a, written.id);
      expect(read).toStrictEqual(written);
      read!.routes.length = 0;
      // What the sealed reads return is read-only: it may be a frozen, shared object, never a way to change the store.
      const [candidate] = await store.loadCandidates(a, [written.scope]);
      for (const change of [
        () => (candidate!.options.mutated = 1),
        () => candidate!.routes.push('mutated'),
        () => (candidate!.name = 'mutated'),
      ]) {
        try {
          change();
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      }
      expect(await store.getConfig(a, written.id)).toStrictEqual(written);
      expect(await store.loadSealedConfig(a, written.id)).toStrictEqual({ ...written, ...NO_SEALED_KEYS });
      expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    });
  });
}
