/**
 * Group `stagedKeys`: the slots of a staged provider-key rotation. A
 * pending key is stored beside the active one (resolution reads keep the
 * active key), a promotion moves pending to active and active to previous
 * in one compare-and-swap update, and a reader racing it sees the old key
 * with its hint or the new key with its hint, never a mix, never neither.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { SealedConfigRecord, ConfigPatch, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import type { FakeKey } from './fixtures.js';
import { NO_RAW_DUMP, createConfig, dumpOf, expectConflict, groupTitle, useStore } from './harness.js';
import { makeStagePatch } from './keyring-walk.js';
import type { StorageAdapterTestOptions } from './types.js';

/** The patch a promotion sends, built from the sealed read it is based on. */
function promotePatch(row: SealedConfigRecord, keptUntil: string): ConfigPatch {
  return {
    sealedKey: row.pendingSealedKey,
    keyHint: row.pendingKeyHint,
    keySetAt: row.pendingKeySetAt,
    keyExpiresAt: row.pendingKeyExpiresAt,
    pendingSealedKey: null,
    pendingKeyHint: null,
    pendingKeySetAt: null,
    pendingKeyExpiresAt: null,
    previousSealedKey: row.sealedKey,
    previousKeyHint: row.keyHint,
    previousKeySetAt: row.keySetAt,
    previousKeyExpiresAt: row.keyExpiresAt,
    previousKeyKeptUntil: keptUntil,
  };
}

/** A config with an active key and a staged one. */
async function staged(
  store: StorageAdapter,
  tenantId: string,
): Promise<{ id: string; active: FakeKey; pending: FakeKey }> {
  const record = await createConfig(store, { tenantId, isDefault: true });
  const active = makeFakeKey('kek-1');
  const pending = makeFakeKey('kek-1');
  await store.updateConfig(tenantId, record.id, makeKeyPatch(active), { audit: makeAuditEventFor(record, 'key.set') });
  await store.updateConfig(tenantId, record.id, makeStagePatch(pending), {
    audit: makeAuditEventFor(record, 'key.staged'),
  });
  return { id: record.id, active, pending };
}

/** Registers the `stagedKeys` group. */
export function describeStagedKeys(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'staged keys'), () => {
    const sut = useStore(options);

    it('a staged key sits beside the active one: resolution reads return it, the active key and its hint unchanged', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const { id, active, pending } = await staged(store, a);
      const [candidate] = await store.loadCandidates(a, [''], {
        provider: 'openai',
        config: null,
        now: new Date().toISOString(),
      });
      expect(candidate).toMatchObject({
        id,
        sealedKey: active.sealedKey,
        keyHint: active.keyHint,
        kekId: 'kek-1',
        pendingSealedKey: pending.sealedKey,
        pendingKeyHint: pending.keyHint,
      });
      expect(await store.loadSealedConfig(a, id)).toStrictEqual(candidate);
    });

    it('a promotion is one compare-and-swap update: a stale revision changes nothing', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const { id, active, pending } = await staged(store, a);
      const row = (await store.loadSealedConfig(a, id))!;
      const audit = makeAuditEventFor({ id, tenantId: a }, 'key.promoted');
      await expectConflict(
        store.updateConfig(a, id, promotePatch(row, '2999-01-01T00:00:00.000Z'), {
          audit,
          expectedRevision: row.revision - 1,
        }),
        'CONCURRENT_UPDATE',
      );
      expect(await store.loadSealedConfig(a, id)).toStrictEqual(row);
      const promoted = await store.updateConfig(a, id, promotePatch(row, '2999-01-01T00:00:00.000Z'), {
        audit,
        expectedRevision: row.revision,
      });
      expect(promoted).toMatchObject({
        keyHint: pending.keyHint,
        pendingKeyHint: null,
        previousKeyHint: active.keyHint,
        previousKeyKeptUntil: '2999-01-01T00:00:00.000Z',
      });
      expect(await store.loadSealedConfig(a, id)).toMatchObject({
        sealedKey: pending.sealedKey,
        pendingSealedKey: null,
        previousSealedKey: active.sealedKey,
      });
    });

    it('race: a promotion against 20 concurrent resolution reads: each sees the old key or the new one, each with its own hint', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const { id, active, pending } = await staged(store, a);
      const row = (await store.loadSealedConfig(a, id))!;
      const reads = Array.from({ length: 20 }, () =>
        store.loadCandidates(a, [''], { provider: 'openai', config: null, now: new Date().toISOString() }),
      );
      const promote = store.updateConfig(a, id, promotePatch(row, '2999-01-01T00:00:00.000Z'), {
        audit: makeAuditEventFor({ id, tenantId: a }, 'key.promoted'),
        expectedRevision: row.revision,
      });
      const seen = await Promise.all([...reads, store.loadCandidates(a, [''])]);
      await promote;
      for (const [candidate] of seen) {
        expect(candidate, 'the config stays a candidate').toBeDefined();
        const pair = [candidate!.sealedKey, candidate!.keyHint];
        expect([
          [active.sealedKey, active.keyHint],
          [pending.sealedKey, pending.keyHint],
        ]).toContainEqual(pair);
      }
      expect((await store.loadCandidates(a, ['']))[0]).toMatchObject({
        sealedKey: pending.sealedKey,
        keyHint: pending.keyHint,
      });
    });

    it(`deleteConfig removes the staged sealed keys from the backend (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      const { a } = makeTenantIds();
      const { id, active, pending } = await staged(current.store, a);
      const previous = makeFakeKey('kek-1');
      await current.store.updateConfig(
        a,
        id,
        { previousSealedKey: previous.sealedKey, previousKeyHint: previous.keyHint },
        { audit: makeAuditEventFor({ id, tenantId: a }, 'key.promoted') },
      );
      const before = await dumpOf(current);
      if (before === null) return ctx.skip('createStore returned no rawDump');
      expect(before).toContain(pending.sealedKey);
      for (const key of [active, pending, previous]) expect(before).not.toContain(key.plaintext);
      await current.store.deleteConfig(a, id, { audit: makeAuditEventFor({ id, tenantId: a }, 'config.deleted') });
      const after = (await dumpOf(current))!;
      for (const key of [active, pending, previous]) expect(after).not.toContain(key.sealedKey);
    });
  });
}
