/**
 * Group `keys`: sealed keys are stored as opaque text, replaced whole,
 * removed with their config, and (raw look) never stored in plaintext.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeKeyRemovalPatch, makeTenantIds } from './fixtures.js';
import type { FakeKey } from './fixtures.js';
import { NO_RAW_DUMP, createConfig, dumpOf, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

async function sealedOf(
  store: StorageAdapter,
  tenantId: string,
  id: string,
  scope = '',
): Promise<string | null | undefined> {
  return (await store.loadCandidates(tenantId, [scope])).find((c) => c.id === id)?.sealedKey;
}

/** Registers the `keys` group. */
export function describeKeys(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'keys'), () => {
    const sut = useStore(options);

    it('a new config has no sealed key; setting, replacing and removing a key round-trip', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      expect(await sealedOf(store, a, record.id)).toBeNull();

      const first = makeFakeKey('kek-1');
      const set = await store.updateConfig(a, record.id, makeKeyPatch(first), {
        audit: makeAuditEventFor(record, 'key.set', { keyHint: first.keyHint }),
      });
      expect(set).toMatchObject({ keyHint: first.keyHint, kekId: 'kek-1', revision: 2 });
      expect(await sealedOf(store, a, record.id)).toBe(first.sealedKey);

      const second = makeFakeKey('kek-2');
      await store.updateConfig(a, record.id, makeKeyPatch(second), {
        audit: makeAuditEventFor(record, 'key.replaced', { keyHint: second.keyHint }),
      });
      expect(await sealedOf(store, a, record.id)).toBe(second.sealedKey);
      expect(await store.getConfig(a, record.id)).toMatchObject({
        keyHint: second.keyHint,
        kekId: 'kek-2',
        revision: 3,
      });

      const removed = await store.updateConfig(a, record.id, makeKeyRemovalPatch(), {
        audit: makeAuditEventFor(record, 'key.removed'),
      });
      expect(removed).toMatchObject({ keyHint: null, kekId: null, keySetAt: null, revision: 4 });
      expect(await sealedOf(store, a, record.id)).toBeNull();
    });

    it('an update that does not name sealedKey keeps the stored key', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const key = makeFakeKey();
      await store.updateConfig(a, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
      await store.updateConfig(
        a,
        record.id,
        { name: 'renamed', enabled: false, isDefault: true },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      await store.updateConfig(
        a,
        record.id,
        { sealedKey: undefined, model: 'm' },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      expect(await sealedOf(store, a, record.id)).toBe(key.sealedKey);
    });

    it('stores long sealed keys and every character of the sealed alphabet exactly', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:~+/=';
      const sealedKey = `byokit:1:kek-long:${alphabet.repeat(120)}`;
      await store.updateConfig(
        a,
        record.id,
        { sealedKey, keyHint: 'sk-...long' },
        { audit: makeAuditEventFor(record, 'key.set') },
      );
      expect(await sealedOf(store, a, record.id)).toBe(sealedKey);
      expect((await store.getConfig(a, record.id))?.kekId).toBe('kek-long');
    });

    it('race: concurrent key replacements never leave a half-written record (sealed key, hint and KEK id stay paired)', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const keys: FakeKey[] = Array.from({ length: 40 }, (_, i) => makeFakeKey(`kek-${i}`));
      const pairs = new Map(keys.map((k) => [k.sealedKey, k]));
      const observed: Array<{ sealedKey: string | null; keyHint: string | null; kekId: string | null }> = [];
      const writes = keys.map((k) =>
        store.updateConfig(a, record.id, makeKeyPatch(k), { audit: makeAuditEventFor(record, 'key.replaced') }),
      );
      const reads = Array.from({ length: 40 }, async () => {
        const [row] = await store.loadCandidates(a, ['']);
        if (row) observed.push({ sealedKey: row.sealedKey, keyHint: row.keyHint, kekId: row.kekId });
      });
      await Promise.all([...writes, ...reads]);
      const [final] = await store.loadCandidates(a, ['']);
      observed.push({ sealedKey: final!.sealedKey, keyHint: final!.keyHint, kekId: final!.kekId });
      expect(final!.revision).toBe(1 + keys.length);
      for (const row of observed) {
        if (row.sealedKey === null) {
          expect(row).toStrictEqual({ sealedKey: null, keyHint: null, kekId: null });
          continue;
        }
        const key = pairs.get(row.sealedKey);
        expect(key, 'a sealed key that was never written').toBeDefined();
        expect({ keyHint: row.keyHint, kekId: row.kekId }).toStrictEqual({ keyHint: key!.keyHint, kekId: key!.kekId });
      }
      expect(final!.sealedKey).not.toBeNull();
    });

    it(`a sealed key reaches the backend only in its sealed form, never as the plaintext (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { store } = current;
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const canary = makeFakeKey();
      await store.updateConfig(a, record.id, makeKeyPatch(canary), {
        audit: makeAuditEventFor(record, 'key.set', { keyHint: canary.keyHint }),
      });
      const dump = (await dumpOf(current))!;
      expect(dump).toContain(canary.sealedKey);
      expect(dump).not.toContain(canary.plaintext);
    });

    it(`replacing or removing a key leaves no trace of the old sealed key (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { store } = current;
      const { a } = makeTenantIds();
      const record = await createConfig(store, { tenantId: a });
      const old = makeFakeKey('kek-old');
      const fresh = makeFakeKey('kek-new');
      await store.updateConfig(a, record.id, makeKeyPatch(old), { audit: makeAuditEventFor(record, 'key.set') });
      await store.updateConfig(a, record.id, makeKeyPatch(fresh), { audit: makeAuditEventFor(record, 'key.replaced') });
      let dump = (await dumpOf(current))!;
      expect(dump).not.toContain(old.sealedKey);
      expect(dump).toContain(fresh.sealedKey);
      await store.updateConfig(a, record.id, makeKeyRemovalPatch(), {
        audit: makeAuditEventFor(record, 'key.removed'),
      });
      dump = (await dumpOf(current))!;
      expect(dump).not.toContain(fresh.sealedKey);
    });

    it(`deleteConfig removes the sealed key from the backend (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { store } = current;
      const { a } = makeTenantIds();
      const doomed = await createConfig(store, { tenantId: a, name: 'doomed' });
      const kept = await createConfig(store, { tenantId: a, name: 'kept' });
      const doomedKey = makeFakeKey();
      const keptKey = makeFakeKey();
      await store.updateConfig(a, doomed.id, makeKeyPatch(doomedKey), { audit: makeAuditEventFor(doomed, 'key.set') });
      await store.updateConfig(a, kept.id, makeKeyPatch(keptKey), { audit: makeAuditEventFor(kept, 'key.set') });
      expect((await dumpOf(current))!).toContain(doomedKey.sealedKey);
      expect(await store.deleteConfig(a, doomed.id, { audit: makeAuditEventFor(doomed, 'config.deleted') })).toBe(true);
      const dump = (await dumpOf(current))!;
      expect(dump).not.toContain(doomedKey.sealedKey);
      expect(dump).toContain(keptKey.sealedKey);
      expect(await store.loadCandidates(a, [''])).toHaveLength(1);
    });
  });
}
