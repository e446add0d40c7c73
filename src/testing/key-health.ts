/**
 * Group `keyHealth`: `recordKeyHealth` applies news about a key to its
 * health record atomically (the `mergeKeyHealth` rule), never touches the
 * config itself, writes the audit event of a transition in the same step,
 * and is tenant-scoped; `loadKeyHealth` reads one tenant's records;
 * `deleteConfig` takes the record with the config.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { ConfigRecord, KeyHealthChange, KeyHealthWriteOptions, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import { allAudit, createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

const KEY_SET_AT = '2026-03-01T00:00:00.000Z';
/** An ISO time `minutes` after {@link KEY_SET_AT}. */
const at = (minutes: number) => new Date(Date.parse(KEY_SET_AT) + minutes * 60_000).toISOString();

/** Fresh audit events for both possible transitions of `record`. */
function transitionEvents(record: Pick<ConfigRecord, 'id' | 'tenantId'>): KeyHealthWriteOptions {
  return {
    audit: { failing: makeAuditEventFor(record, 'key.failing'), recovered: makeAuditEventFor(record, 'key.recovered') },
  };
}

/** A config with a key set at {@link KEY_SET_AT}. */
async function keyedConfig(store: StorageAdapter, tenantId: string, name = 'keyed'): Promise<ConfigRecord> {
  const record = await createConfig(store, { tenantId, name });
  const updated = await store.updateConfig(tenantId, record.id, makeKeyPatch(makeFakeKey(), KEY_SET_AT), {
    audit: makeAuditEventFor(record, 'key.set'),
  });
  return updated!;
}

async function record(
  store: StorageAdapter,
  config: Pick<ConfigRecord, 'id' | 'tenantId'>,
  change: Partial<KeyHealthChange>,
) {
  return store.recordKeyHealth(
    config.tenantId,
    config.id,
    { keySetAt: KEY_SET_AT, ...change },
    transitionEvents(config),
  );
}

const failure = (minute: number, count = 1) => ({ failures: { count, firstAt: at(minute), lastAt: at(minute) } });

async function healthEvents(store: StorageAdapter, tenantId: string, configId: string) {
  const events = await allAudit(store, tenantId, { configId, limit: 500 });
  return events.filter((e) => e.type === 'key.failing' || e.type === 'key.recovered').map((e) => e.type);
}

/** Registers the `keyHealth` group. */
export function describeKeyHealth(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'key health'), () => {
    const sut = useStore(options);

    it('recordKeyHealth creates the record on first news and loadKeyHealth returns it; a config never reported on has none', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const one = await keyedConfig(store, a, 'one');
      const two = await keyedConfig(store, a, 'two');
      expect(await store.loadKeyHealth(a, [one.id, two.id])).toStrictEqual([]);
      const result = await record(store, one, { usedAt: at(1), successAt: at(1) });
      const expected = {
        tenantId: a,
        configId: one.id,
        keySetAt: KEY_SET_AT,
        state: 'ok',
        firstFailureAt: null,
        lastFailureAt: null,
        failureCount: 0,
        lastUsedAt: at(1),
        lastSuccessAt: at(1),
        lastValidAt: null,
      };
      expect(result).toStrictEqual({ health: expected, transition: null });
      expect(await store.loadKeyHealth(a, [one.id, two.id])).toStrictEqual([expected]);
      expect(await store.loadKeyHealth(a, [])).toStrictEqual([]);
    });

    it('never touches the config: revision, updatedAt and every field stay the same, and news without a transition writes no event', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      const before = await store.getConfig(a, config.id);
      const eventsBefore = (await allAudit(store, a, { limit: 500 })).length;
      await record(store, config, { usedAt: at(1), successAt: at(1) });
      await record(store, config, { usedAt: at(2), validAt: at(2) });
      expect(await store.getConfig(a, config.id)).toStrictEqual(before);
      expect((await store.loadSealedConfig(a, config.id))?.revision).toBe(before!.revision);
      expect((await allAudit(store, a, { limit: 500 })).length).toBe(eventsBefore);
      // A compare-and-swap write with the revision read before the reports still applies.
      const renamed = await store.updateConfig(
        a,
        config.id,
        { name: 'renamed' },
        { audit: makeAuditEventFor(config, 'config.updated'), expectedRevision: before!.revision },
      );
      expect(renamed?.name).toBe('renamed');
    });

    it('failures make the key failing (the first sets firstFailureAt, each adds to failureCount) with one key.failing event; a later success makes it ok with one key.recovered event', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      const first = await record(store, config, { usedAt: at(1), ...failure(1) });
      expect(first?.transition).toBe('failing');
      expect(first?.health).toMatchObject({
        state: 'failing',
        firstFailureAt: at(1),
        lastFailureAt: at(1),
        failureCount: 1,
      });
      const more = await record(store, config, {
        usedAt: at(3),
        failures: { count: 3, firstAt: at(2), lastAt: at(3) },
      });
      expect(more?.transition).toBeNull();
      expect(more?.health).toMatchObject({
        state: 'failing',
        firstFailureAt: at(1),
        lastFailureAt: at(3),
        failureCount: 4,
        lastUsedAt: at(3),
      });
      expect(await healthEvents(store, a, config.id)).toStrictEqual(['key.failing']);
      const recovered = await record(store, config, { usedAt: at(4), successAt: at(4) });
      expect(recovered?.transition).toBe('recovered');
      expect(recovered?.health).toMatchObject({
        state: 'ok',
        firstFailureAt: null,
        lastFailureAt: at(3),
        failureCount: 0,
        lastSuccessAt: at(4),
      });
      expect(await healthEvents(store, a, config.id)).toStrictEqual(['key.recovered', 'key.failing']);
      // A valid validation clears a failing key too, and is remembered apart.
      await record(store, config, failure(5));
      const validated = await record(store, config, { validAt: at(6) });
      expect(validated).toMatchObject({
        transition: 'recovered',
        health: { state: 'ok', lastValidAt: at(6), lastSuccessAt: at(6) },
      });
      const events = (await allAudit(store, a, { configId: config.id, limit: 500 })).filter(
        (e) => e.type === 'key.failing' || e.type === 'key.recovered',
      );
      expect(events.map((e) => e.tenantId)).toStrictEqual([a, a, a, a]);
    });

    it('a success older than the last failure clears nothing, a failure older than the last success fails nothing, and times only move forward', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      await record(store, config, { usedAt: at(10), ...failure(10) });
      const late = await record(store, config, { usedAt: at(5), successAt: at(5), validAt: at(4) });
      expect(late?.transition).toBeNull();
      expect(late?.health).toMatchObject({
        state: 'failing',
        failureCount: 1,
        lastUsedAt: at(10),
        lastSuccessAt: at(5),
        lastValidAt: at(4),
        lastFailureAt: at(10),
      });
      const cleared = await record(store, config, { successAt: at(10) });
      expect(cleared).toMatchObject({ transition: 'recovered', health: { state: 'ok' } });
      const stale = await record(store, config, { usedAt: at(9), ...failure(9) });
      expect(stale).toMatchObject({
        transition: null,
        health: { state: 'ok', failureCount: 0, lastFailureAt: at(10), lastUsedAt: at(10) },
      });
      expect(await healthEvents(store, a, config.id)).toStrictEqual(['key.recovered', 'key.failing']);
    });

    it('news about an older key only moves lastUsedAt; news about a newer key starts the record over for it', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      await record(store, config, { usedAt: at(1), validAt: at(1), ...failure(2) });
      const newKey = at(30);
      const fresh = await store.recordKeyHealth(
        a,
        config.id,
        { keySetAt: newKey, usedAt: at(31), successAt: at(31) },
        transitionEvents(config),
      );
      expect(fresh).toStrictEqual({
        transition: null,
        health: {
          tenantId: a,
          configId: config.id,
          keySetAt: newKey,
          state: 'ok',
          firstFailureAt: null,
          lastFailureAt: null,
          failureCount: 0,
          lastUsedAt: at(31),
          lastSuccessAt: at(31),
          lastValidAt: null,
        },
      });
      const old = await record(store, config, { usedAt: at(40), ...failure(40), successAt: at(40), validAt: at(40) });
      expect(old).toStrictEqual({ transition: null, health: { ...fresh!.health, lastUsedAt: at(40) } });
      // The new key's own first failure is a transition of its own.
      const failing = await store.recordKeyHealth(
        a,
        config.id,
        { keySetAt: newKey, ...failure(50) },
        transitionEvents(config),
      );
      expect(failing).toMatchObject({ transition: 'failing', health: { failureCount: 1, firstFailureAt: at(50) } });
    });

    it('returns null and writes nothing for a missing config or another tenant’s config; loadKeyHealth never returns another tenant’s records', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const config = await keyedConfig(store, a);
      await record(store, config, failure(1));
      const eventsOfB = (await allAudit(store, b, { limit: 500 })).length;
      expect(
        await store.recordKeyHealth(
          b,
          config.id,
          { keySetAt: KEY_SET_AT, ...failure(2) },
          transitionEvents({ tenantId: b, id: config.id }),
        ),
      ).toBeNull();
      expect(
        await store.recordKeyHealth(
          a,
          'cfg_01JZZZZZZZZZZZZZZZZZZZZZZZ',
          { keySetAt: KEY_SET_AT, ...failure(2) },
          transitionEvents(config),
        ),
      ).toBeNull();
      expect(await store.loadKeyHealth(b, [config.id])).toStrictEqual([]);
      expect((await allAudit(store, b, { limit: 500 })).length).toBe(eventsOfB);
      expect((await store.loadKeyHealth(a, [config.id]))[0]).toMatchObject({ failureCount: 1 });
    });

    it('deleteConfig removes the config’s health record', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      const other = await keyedConfig(store, a, 'other');
      await record(store, config, failure(1));
      await record(store, other, failure(1));
      await store.deleteConfig(a, config.id, { audit: makeAuditEventFor(config, 'config.deleted') });
      expect(await store.loadKeyHealth(a, [config.id, other.id])).toMatchObject([{ configId: other.id }]);
      expect(await record(store, config, failure(2))).toBeNull();
    });

    it('race: 40 concurrent failure reports lose nothing, and exactly one of them reports the transition', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => record(store, config, { usedAt: at(i), ...failure(i + 1) })),
      );
      expect(results.filter((r) => r?.transition === 'failing')).toHaveLength(1);
      expect(results.filter((r) => r?.transition !== null)).toHaveLength(1);
      const [health] = await store.loadKeyHealth(a, [config.id]);
      expect(health).toMatchObject({
        state: 'failing',
        failureCount: 40,
        firstFailureAt: expect.any(String),
        lastFailureAt: at(40),
        lastUsedAt: at(39),
      });
      expect(await healthEvents(store, a, config.id)).toStrictEqual(['key.failing']);
    });

    it('race: 20 concurrent successes after a failure: exactly one reports the recovery', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const config = await keyedConfig(store, a);
      await record(store, config, failure(1));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => record(store, config, { usedAt: at(2 + i), successAt: at(2 + i) })),
      );
      expect(results.filter((r) => r?.transition === 'recovered')).toHaveLength(1);
      expect(results.filter((r) => r?.transition === 'failing')).toHaveLength(0);
      expect(await store.loadKeyHealth(a, [config.id])).toMatchObject([
        { state: 'ok', lastSuccessAt: at(21), lastUsedAt: at(21) },
      ]);
      expect(await healthEvents(store, a, config.id)).toStrictEqual(['key.recovered', 'key.failing']);
    });
  });
}
