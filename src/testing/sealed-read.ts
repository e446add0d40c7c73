/**
 * Group `sealedRead`: `loadSealedConfig` returns exactly one config of the
 * calling tenant with its sealed key (or `null`), equal to what the
 * resolution read returns for it; and `kekId` is always the KEK id the
 * stored sealed value names, never a value stored or patched on its own.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ConfigPatch } from '../store/types.js';
import {
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeKeyRemovalPatch,
  makeTenantIds,
} from './fixtures.js';
import { NO_SEALED_KEYS } from './harness.js';
import { createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `sealedRead` group. */
export function describeSealedRead(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'sealed read'), () => {
    const sut = useStore(options);

    it('loadSealedConfig returns the config with its sealed key, equal to its resolution-read candidate', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, {
        tenantId: a,
        scope: 'ws1',
        name: 'keyed',
        options: { region: 'eu' },
        routes: ['x'],
      });
      const keyless = await createConfig(store, { tenantId: a, scope: 'ws1', name: 'keyless' });
      const key = makeFakeKey('kek-7');
      await store.updateConfig(a, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
      const sealed = await store.loadSealedConfig(a, record.id);
      expect(sealed).toStrictEqual({
        ...(await store.getConfig(a, record.id)),
        ...NO_SEALED_KEYS,
        sealedKey: key.sealedKey,
      });
      expect(sealed).toMatchObject({ tenantId: a, id: record.id, kekId: 'kek-7', keyHint: key.keyHint });
      const candidates = await store.loadCandidates(a, ['ws1']);
      expect(sealed).toStrictEqual(candidates.find((c) => c.id === record.id));
      expect(await store.loadSealedConfig(a, keyless.id)).toStrictEqual({
        ...(await store.getConfig(a, keyless.id)),
        ...NO_SEALED_KEYS,
        sealedKey: null,
      });
    });

    it('loadSealedConfig returns null for a missing id, a deleted config, and another tenant’s id (also when that tenant has the same id)', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const inA = makeConfigRecord({ tenantId: a, name: 'twin-a' });
      await store.createConfig(inA, { audit: makeAuditEventFor(inA, 'config.created') });
      await store.updateConfig(a, inA.id, makeKeyPatch(makeFakeKey()), { audit: makeAuditEventFor(inA, 'key.set') });
      expect(await store.loadSealedConfig(b, inA.id)).toBeNull();
      expect(await store.loadSealedConfig(a, makeConfigRecord().id)).toBeNull();
      const inB = makeConfigRecord({ tenantId: b, id: inA.id, name: 'twin-b' });
      await store.createConfig(inB, { audit: makeAuditEventFor(inB, 'config.created') });
      expect(await store.loadSealedConfig(b, inA.id)).toMatchObject({ tenantId: b, name: 'twin-b', sealedKey: null });
      await store.deleteConfig(a, inA.id, { audit: makeAuditEventFor(inA, 'config.deleted') });
      expect(await store.loadSealedConfig(a, inA.id)).toBeNull();
      expect(await store.loadSealedConfig(b, inA.id)).toMatchObject({ tenantId: b, name: 'twin-b' });
    });

    it('loadSealedConfig returns that one config among many of its scope, and follows replacement and removal of its key', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const keys = new Map<string, string>();
      for (let i = 0; i < 12; i++) {
        const record = await createConfig(store, { tenantId: a, scope: 'ws1', name: `n${i}` });
        const key = makeFakeKey(`kek-${i}`);
        await store.updateConfig(a, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
        keys.set(record.id, key.sealedKey);
      }
      for (const [id, sealedKey] of keys) {
        const row = await store.loadSealedConfig(a, id);
        expect(Array.isArray(row)).toBe(false);
        expect(row).toMatchObject({ id, sealedKey });
      }
      const [id] = [...keys.keys()];
      const record = (await store.getConfig(a, id!))!;
      const fresh = makeFakeKey('kek-new');
      await store.updateConfig(a, id!, makeKeyPatch(fresh), { audit: makeAuditEventFor(record, 'key.replaced') });
      expect(await store.loadSealedConfig(a, id!)).toMatchObject({
        sealedKey: fresh.sealedKey,
        kekId: 'kek-new',
        keyHint: fresh.keyHint,
      });
      await store.updateConfig(a, id!, makeKeyRemovalPatch(), { audit: makeAuditEventFor(record, 'key.removed') });
      expect(await store.loadSealedConfig(a, id!)).toMatchObject({ sealedKey: null, kekId: null, keyHint: null });
    });

    it('kekId is the KEK id the stored sealed key names: never taken from a record or a patch, on every read', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      // Not part of a ConfigRecord's contract on create, nor of a ConfigPatch; a JavaScript caller can still send it.
      const record = makeConfigRecord({ tenantId: a, kekId: 'claimed-on-create' });
      const created = await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
      expect(created.kekId).toBeNull();
      expect((await store.getConfig(a, record.id))?.kekId).toBeNull();
      const key = makeFakeKey('kek-real');
      const claimed = { ...makeKeyPatch(key), kekId: 'kek-claimed' } as ConfigPatch;
      const updated = await store.updateConfig(a, record.id, claimed, { audit: makeAuditEventFor(record, 'key.set') });
      expect(updated?.kekId).toBe('kek-real');
      const reads = [
        await store.getConfig(a, record.id),
        (await store.listConfigs(a, { limit: 10 })).items[0],
        (await store.loadCandidates(a, ['']))[0],
        await store.loadSealedConfig(a, record.id),
      ];
      for (const read of reads) expect(read?.kekId).toBe('kek-real');
      // A patch that names only a KEK id changes nothing about it.
      await store.updateConfig(a, record.id, { kekId: 'kek-claimed' } as ConfigPatch, {
        audit: makeAuditEventFor(record, 'config.updated'),
      });
      expect((await store.getConfig(a, record.id))?.kekId).toBe('kek-real');
      expect((await store.listConfigs(a, { kekIdNot: 'kek-claimed', limit: 10 })).items.map((r) => r.id)).toStrictEqual(
        [record.id],
      );
      expect((await store.listConfigs(a, { kekIdNot: 'kek-real', limit: 10 })).items).toStrictEqual([]);
      await store.updateConfig(a, record.id, { ...makeKeyRemovalPatch(), kekId: 'kek-claimed' } as ConfigPatch, {
        audit: makeAuditEventFor(record, 'key.removed'),
      });
      expect((await store.loadSealedConfig(a, record.id))?.kekId).toBeNull();
    });

    it('a stored sealed key that names no KEK has kekId null and counts as "another KEK" for kekIdNot', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const unnamed = [
        'byokit:1:',
        'byokit:1:k1',
        'byokit:1::x:y:z',
        'byokit:1:bad id:x:y:z',
        `byokit:1:${'k'.repeat(33)}:x`,
        'byokit:2:k1:x:y:z',
        'garbage',
      ];
      for (const sealedKey of unnamed) {
        await store.updateConfig(
          a,
          record.id,
          { sealedKey, keyHint: 'sk-...odd' },
          { audit: makeAuditEventFor(record, 'key.replaced') },
        );
        expect((await store.loadSealedConfig(a, record.id))?.kekId, sealedKey).toBeNull();
        expect((await store.getConfig(a, record.id))?.kekId, sealedKey).toBeNull();
        expect(
          (await store.listConfigs(a, { kekIdNot: 'k1', limit: 10 })).items.map((r) => r.id),
          sealedKey,
        ).toStrictEqual([record.id]);
      }
      await store.updateConfig(
        a,
        record.id,
        { sealedKey: `byokit:1:${'k'.repeat(32)}:x`, keyHint: 'sk-...odd' },
        { audit: makeAuditEventFor(record, 'key.replaced') },
      );
      expect((await store.getConfig(a, record.id))?.kekId).toBe('k'.repeat(32));
    });
  });
}
