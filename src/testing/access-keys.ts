/**
 * Group `accessKeys`: access-key records round-trip, list by id with
 * revoked ones, revoke once, stay invisible through another tenant, and
 * the authenticating read returns the key with exactly the candidates of
 * its tenant and scope chain (and its tenant's settings) in one call.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { scopeChain } from '../resolve/scope.js';
import type { AccessKeyRecord } from '../store/access-key-storage.js';
import type { AuditEvent, StorageAdapter } from '../store/types.js';
import {
  makeAccessKeyRecord,
  makeAuditEvent,
  makeFakeKey,
  makeKeyPatch,
  makeSettingsRecord,
  makeTenantIds,
} from './fixtures.js';
import { NO_RAW_DUMP, allAudit, createConfig, dumpOf, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

function createdEvent(record: AccessKeyRecord): AuditEvent {
  return makeAuditEvent({
    tenantId: record.tenantId,
    configId: null,
    type: 'access_key.created',
    keyHint: record.hint,
    detail: { accessKeyId: record.id },
  });
}

async function createKey(store: StorageAdapter, overrides: Partial<AccessKeyRecord> = {}): Promise<AccessKeyRecord> {
  const record = makeAccessKeyRecord(overrides);
  return store.createAccessKey(record, { audit: createdEvent(record) });
}

function revokedEvent(tenantId: string, id: string): AuditEvent {
  return makeAuditEvent({ tenantId, configId: null, type: 'access_key.revoked', detail: { accessKeyId: id } });
}

/** Registers the `accessKeys` group. */
export function describeAccessKeys(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'access keys'), () => {
    const sut = useStore(options);

    it('createAccessKey and getAccessKey return the record equal to what was written, with its audit event', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const rich = makeAccessKeyRecord({
        tenantId: a,
        scope: 'ws-ü/proj 7',
        name: 'Mobile – Ünïcödé 鍵 "app"',
        providers: ['openai', 'custom'],
        models: ['gpt-4o-mini', 'claude 3.5 "sonnet"'],
        quota: { requests: { limit: 600, per: 'minute' }, tokens: { limit: 9007199254740991, per: 'month' } },
        expiresAt: '2031-12-31T23:59:59.999Z',
      });
      expect(await store.createAccessKey(rich, { audit: createdEvent(rich) })).toStrictEqual(rich);
      expect(await store.getAccessKey(a, rich.id)).toStrictEqual(rich);
      const plain = await createKey(store, { tenantId: a });
      expect(await store.getAccessKey(a, plain.id)).toStrictEqual(plain);
      expect((await allAudit(store, a, { limit: 100 })).map((e) => e.type)).toStrictEqual([
        'access_key.created',
        'access_key.created',
      ]);
    });

    it("getAccessKey is null for a missing id and for another tenant; listAccessKeys lists a tenant's own keys only", async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const key = await createKey(store, { tenantId: a });
      expect(await store.getAccessKey(a, makeAccessKeyRecord().id)).toBeNull();
      expect(await store.getAccessKey(b, key.id)).toBeNull();
      expect(await store.listAccessKeys(b, { limit: 100 })).toStrictEqual({ items: [], nextCursor: null });
      expect(
        await store.revokeAccessKey(b, key.id, new Date().toISOString(), { audit: revokedEvent(b, key.id) }),
      ).toBeNull();
      expect(await store.getAccessKey(a, key.id)).toStrictEqual(key);
      expect(await allAudit(store, b, { limit: 100 })).toStrictEqual([]);
    });

    it('listAccessKeys orders by id, pages with the cursor and includes revoked keys', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const ids = Array.from({ length: 7 }, () => makeAccessKeyRecord({ tenantId: a }));
      for (const record of [...ids].reverse()) await store.createAccessKey(record, { audit: createdEvent(record) });
      await store.revokeAccessKey(a, ids[2]!.id, new Date().toISOString(), { audit: revokedEvent(a, ids[2]!.id) });
      const seen: AccessKeyRecord[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.listAccessKeys(a, cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen.map((k) => k.id)).toStrictEqual(ids.map((k) => k.id).sort());
      expect(seen.find((k) => k.id === ids[2]!.id)?.revokedAt).not.toBeNull();
    });

    it('revokeAccessKey sets revokedAt once with its event; revoking again keeps the first time and writes no event', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const key = await createKey(store, { tenantId: a });
      const first = await store.revokeAccessKey(a, key.id, '2026-01-01T00:00:00.000Z', {
        audit: revokedEvent(a, key.id),
      });
      expect(first).toStrictEqual({ ...key, revokedAt: '2026-01-01T00:00:00.000Z' });
      const again = await store.revokeAccessKey(a, key.id, '2026-02-02T00:00:00.000Z', {
        audit: revokedEvent(a, key.id),
      });
      expect(again?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
      expect(await store.getAccessKey(a, key.id)).toStrictEqual(first);
      expect((await allAudit(store, a, { limit: 100, type: 'access_key.revoked' })).length).toBe(1);
      expect(
        await store.revokeAccessKey(a, makeAccessKeyRecord().id, '2026-01-01T00:00:00.000Z', {
          audit: revokedEvent(a, 'x'),
        }),
      ).toBeNull();
      expect((await allAudit(store, a, { limit: 100, type: 'access_key.revoked' })).length).toBe(1);
    });

    it("loadAccessKeyCandidates returns the key, exactly the candidates of its tenant on its scope chain with sealed keys, and its tenant's settings", async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const key = await createKey(store, { tenantId: a, scope: 'ws1/p_1' });
      const keyed = makeFakeKey();
      const inChain = [
        await createConfig(store, { tenantId: a, scope: '', name: 'root' }),
        await createConfig(store, { tenantId: a, scope: 'ws1', name: 'ws1', enabled: false }),
        await createConfig(store, { tenantId: a, scope: 'ws1/p_1', name: 'own' }),
      ];
      await store.updateConfig(a, inChain[2]!.id, makeKeyPatch(keyed), {
        audit: makeAuditEvent({ tenantId: a, configId: inChain[2]!.id, type: 'key.set' }),
      });
      for (const [scope, name] of [
        ['ws1/p_1/deeper', 'child'],
        ['ws1/p-1', 'sibling'],
        ['ws1/pX1', 'like-pattern'],
        ['ws10', 'prefix'],
        ['ws2', 'other'],
      ]) {
        await createConfig(store, { tenantId: a, scope, name });
      }
      await createConfig(store, { tenantId: b, scope: 'ws1/p_1', name: 'other-tenant' });
      await createKey(store, { tenantId: b, scope: 'ws1/p_1' });
      const read = await store.loadAccessKeyCandidates(key.id);
      expect(read?.accessKey).toStrictEqual(key);
      expect(read?.settings).toBeNull();
      const byId = (list: { id: string }[]) => [...list].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(byId(read!.candidates)).toStrictEqual(byId(await store.loadCandidates(a, scopeChain(key.scope))));
      expect(read!.candidates.map((c) => c.name).sort()).toStrictEqual(['own', 'root', 'ws1']);
      expect(read!.candidates.find((c) => c.name === 'own')?.sealedKey).toBe(keyed.sealedKey);
      const settings = makeSettingsRecord({ tenantId: a });
      await store.putSettings(settings, {
        audit: makeAuditEvent({ tenantId: a, type: 'entitlement.changed' }),
        expectedRevision: 0,
      });
      await store.putSettings(makeSettingsRecord({ tenantId: b, document: {} }), {
        audit: makeAuditEvent({ tenantId: b, type: 'entitlement.changed' }),
        expectedRevision: 0,
      });
      expect((await store.loadAccessKeyCandidates(key.id))?.settings).toStrictEqual(settings);
    });

    it("loadAccessKeyCandidates is null for an unknown id, returns a key of the tenant scope with the tenant's configs, and a revoked key as stored", async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      expect(await store.loadAccessKeyCandidates(makeAccessKeyRecord().id)).toBeNull();
      const key = await createKey(store, { tenantId: a, scope: '' });
      const root = await createConfig(store, { tenantId: a, scope: '' });
      await createConfig(store, { tenantId: a, scope: 'ws1' });
      expect((await store.loadAccessKeyCandidates(key.id))?.candidates.map((c) => c.id)).toStrictEqual([root.id]);
      await store.revokeAccessKey(a, key.id, '2026-01-01T00:00:00.000Z', { audit: revokedEvent(a, key.id) });
      expect((await store.loadAccessKeyCandidates(key.id))?.accessKey.revokedAt).toBe('2026-01-01T00:00:00.000Z');
    });

    it('returns fresh objects: changing a result changes nothing stored', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const key = await createKey(store, {
        tenantId: a,
        providers: ['openai'],
        quota: { requests: { limit: 5, per: 'hour' } },
      });
      const read = await store.getAccessKey(a, key.id);
      read!.providers!.push('anthropic');
      read!.quota!.requests!.limit = 500;
      (await store.loadAccessKeyCandidates(key.id))!.accessKey.scope = 'elsewhere';
      expect(await store.getAccessKey(a, key.id)).toStrictEqual(key);
    });

    it(`stores a key's record and hash under its tenant, and a refused revoke through another tenant leaves no trace (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { a, b } = makeTenantIds();
      const key = await createKey(current.store, { tenantId: a });
      await current.store.revokeAccessKey(b, key.id, '2026-01-01T00:00:00.000Z', { audit: revokedEvent(b, key.id) });
      const dump = (await dumpOf(current))!;
      expect(dump).toContain(a);
      expect(dump).toContain(key.secretHash);
      expect(dump).not.toContain(b);
      expect(dump).not.toContain('2026-01-01T00:00:00.000Z');
    });

    it('a new key and its audit event commit together (skipped when capabilities.transactions is false or createStore returns no breakAuditWrites)', async (ctx) => {
      const current = sut();
      if (!current.store.capabilities.transactions) ctx.skip('capabilities.transactions is false');
      if (!current.breakAuditWrites) ctx.skip('createStore returned no breakAuditWrites');
      const { a } = makeTenantIds();
      const kept = await createKey(current.store, { tenantId: a });
      await current.breakAuditWrites!();
      const refused = makeAccessKeyRecord({ tenantId: a });
      await expect(current.store.createAccessKey(refused, { audit: createdEvent(refused) })).rejects.toThrow();
      await expect(
        current.store.revokeAccessKey(a, kept.id, '2026-01-01T00:00:00.000Z', { audit: revokedEvent(a, kept.id) }),
      ).rejects.toThrow();
      expect(await current.store.getAccessKey(a, refused.id)).toBeNull();
      expect(await current.store.loadAccessKeyCandidates(refused.id)).toBeNull();
      expect(await current.store.getAccessKey(a, kept.id)).toStrictEqual(kept);
    });
  });
}
