/**
 * Redis-specific checks beyond the conformance suite: one round trip per
 * resolution read (counted on the client and on the server with MONITOR),
 * the EVALSHA → EVAL fallback, the cluster hash tag, the interplay with
 * ioredis `keyPrefix`, fail-closed writes and scrubbed errors.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, type RedisClientLike } from '../../../adapters/redis/index.js';
import { StoreError } from '../../../src/errors.js';
import type { AuditEventType, ConfigRecord, StorageAdapter } from '../../../src/store/types.js';
import {
  makeAccessKeyRecord,
  makeAuditEvent,
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeSettingsRecord,
} from '../../../src/testing/fixtures.js';
import {
  connect,
  createRedisFixture,
  hashTag,
  keySlot,
  keysUnder,
  REDIS_URL,
  SKIP_REASON,
  SKIP_REDIS,
  type RedisStoreFixture,
} from './helpers.js';

async function create(store: StorageAdapter, overrides: Partial<ConfigRecord>): Promise<ConfigRecord> {
  const record = makeConfigRecord(overrides);
  return store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
}

/** A client wrapper that records every script call and can rewrite it. */
function countingClient(
  inner: RedisClientLike,
  hooks: { evalsha?: (sha: string, call: number) => string } = {},
): RedisClientLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    evalsha: (sha, numkeys, ...rest) => {
      calls.push('evalsha');
      return inner.evalsha(hooks.evalsha ? hooks.evalsha(sha, calls.length) : sha, numkeys, ...rest);
    },
    eval: (script, numkeys, ...rest) => {
      calls.push('eval');
      return inner.eval(script, numkeys, ...rest);
    },
  };
}

describe('RedisStore without a server', () => {
  describe('construction', () => {
    it('refuses a client without evalsha/eval, naming what is missing', () => {
      expect(() => new RedisStore({ evalsha: async () => null } as unknown as RedisClientLike)).toThrow(/lacks eval;/);
      expect(() => new RedisStore(null as unknown as RedisClientLike)).toThrow(
        expect.objectContaining({ name: 'StoreError', code: 'ADAPTER_INVALID' }),
      );
    });

    it('refuses a keyPrefix with braces (the tenant must be the hash tag)', () => {
      const client = countingClient({ evalsha: async () => null, eval: async () => null });
      expect(() => new RedisStore(client, { keyPrefix: 'app:{x}:' })).toThrow(
        expect.objectContaining({ name: 'ValidationError', code: 'VALIDATION_FAILED' }),
      );
    });
  });

  describe('script errors', () => {
    it('does not retry other errors with EVAL; they surface as STORE_FAILED', async () => {
      const failing: RedisClientLike = {
        evalsha: async () => {
          throw new Error('LOADING Redis is loading the dataset in memory');
        },
        eval: async () => {
          throw new Error('eval must not be called');
        },
      };
      const store = new RedisStore(failing);
      const error = await store.getConfig('t1', 'cfg_x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('STORE_FAILED');
      expect((error as StoreError).message).toBe('[byokit] [redis] getConfig failed');
      expect(((error as StoreError).cause as Error).message).toMatch(/^LOADING/);
    });
  });

  describe('cluster slots', () => {
    it('computes slots like Redis Cluster (CRC16 reference value)', () => {
      expect(keySlot('123456789')).toBe(0x31c3 % 16384);
      expect(keySlot('user:{123456789}:profile')).toBe(keySlot('123456789'));
    });
  });
});

describe.skipIf(SKIP_REDIS)(`RedisStore (${REDIS_URL})${SKIP_REASON}`, () => {
  let admin: Redis;
  let fixtures: RedisStoreFixture[] = [];

  beforeAll(async () => {
    admin = connect();
    await admin.connect().catch((cause: unknown) => {
      throw new Error(`cannot reach Redis at ${REDIS_URL} (this fails instead of skipping because CI=true)`, { cause });
    });
  });
  afterAll(() => admin?.disconnect());
  afterEach(async () => {
    for (const fixture of fixtures) await fixture.cleanup();
    fixtures = [];
  });

  async function fixture(options: { clientKeyPrefix?: string } = {}): Promise<RedisStoreFixture> {
    const made = await createRedisFixture(admin, options);
    fixtures.push(made);
    return made;
  }

  describe('per-provider indexes of the filtered resolution read', () => {
    it('a tenant written before them is read through its scope indexes (no write), and its next write builds them', async () => {
      const { store, prefix } = await fixture();
      const keyed: ConfigRecord[] = [];
      for (let i = 0; i < 6; i++) {
        const record = await create(store, {
          tenantId: 't1',
          scope: 'ws1',
          name: `n${i}`,
          provider: i % 2 ? 'anthropic' : 'openai',
        });
        await store.updateConfig('t1', record.id, makeKeyPatch(makeFakeKey()), {
          audit: makeAuditEventFor(record, 'key.set'),
        });
        keyed.push(record);
      }
      // What byokit before these indexes left behind: no prov: keys, no marker.
      const base = `${prefix}{t1}:`;
      const indexKeys = (await keysUnder(admin, base)).filter((key) => key.startsWith(`${base}prov`));
      expect(indexKeys.length).toBeGreaterThan(1);
      await admin.del(...indexKeys);
      const filter = { provider: 'openai', config: null, now: new Date().toISOString() };
      expect((await store.loadCandidates('t1', ['ws1', ''], filter)).map((r) => r.id)).toStrictEqual([keyed[4]!.id]);
      expect(
        (await store.loadCandidates('t1', ['ws1', ''], { ...filter, provider: 'anthropic' })).map((r) => r.id),
      ).toStrictEqual([keyed[5]!.id]);
      expect((await keysUnder(admin, base)).filter((key) => key.startsWith(`${base}prov`))).toStrictEqual([]);
      await create(store, { tenantId: 't1', scope: '', name: 'the next write' });
      expect(await admin.exists(`${base}prov-index`)).toBe(1);
      expect(await admin.zrange(`${base}prov:6:openai:ws1`, '0', '-1')).toStrictEqual([
        keyed[0]!.id,
        keyed[2]!.id,
        keyed[4]!.id,
      ]);
      expect((await store.loadCandidates('t1', ['ws1', ''], filter)).map((r) => r.id)).toStrictEqual([keyed[4]!.id]);
    });
  });

  describe('one round trip per resolution read', () => {
    it('loadCandidates sends exactly one command, counted on the client', async () => {
      const { client, prefix } = await fixture();
      const counting = countingClient(client);
      const store = new RedisStore(counting, { keyPrefix: prefix });
      for (const scope of ['', 'ws1', 'ws1/p1']) {
        for (let i = 0; i < 3; i++) await create(store, { tenantId: 't1', scope, name: `${scope}-${i}` });
      }
      await store.loadCandidates('t1', ['ws1/p1']); // warm the server's script cache
      counting.calls.length = 0;
      const rows = await store.loadCandidates('t1', ['ws1/p1', 'ws1', '']);
      expect(rows).toHaveLength(9);
      expect(counting.calls).toStrictEqual(['evalsha']);
    });

    it('loadSealedConfig sends exactly one command and returns that one config, its KEK id read from the sealed key', async () => {
      const { client, prefix } = await fixture();
      const counting = countingClient(client);
      const store = new RedisStore(counting, { keyPrefix: prefix });
      const records = [];
      for (let i = 0; i < 5; i++) records.push(await create(store, { tenantId: 't1', scope: 'ws1', name: `n${i}` }));
      const key = makeFakeKey('kek-7');
      await store.updateConfig('t1', records[2]!.id, makeKeyPatch(key), {
        audit: makeAuditEventFor(records[2]!, 'key.set'),
      });
      await store.loadSealedConfig('t1', records[0]!.id); // warm the server's script cache
      counting.calls.length = 0;
      expect(await store.loadSealedConfig('t1', records[2]!.id)).toMatchObject({
        id: records[2]!.id,
        sealedKey: key.sealedKey,
        kekId: 'kek-7',
      });
      expect(counting.calls).toStrictEqual(['evalsha']);
    });

    it('loadCandidates is one command on the server too (MONITOR)', async () => {
      const { client, store } = await fixture();
      for (let i = 0; i < 4; i++) await create(store, { tenantId: 't1', scope: i % 2 ? 'ws1' : '', name: `n${i}` });
      await store.loadCandidates('t1', ['']); // warm the script cache
      const info = String(await client.call('CLIENT', 'INFO'));
      const addr = /addr=(\S+)/.exec(info)?.[1];
      expect(addr).toBeTruthy();

      const monitor = await connect().monitor();
      const seen: string[][] = [];
      const ended = new Promise<void>((resolve) => {
        monitor.on('monitor', (_time: string, args: string[], source: string) => {
          if (source !== addr) return; // other connections, and commands run inside scripts ("lua")
          seen.push(args);
          if (args[0]?.toLowerCase() === 'echo' && args[1] === 'end-marker') resolve();
        });
      });
      try {
        await client.echo('begin-marker');
        const rows = await store.loadCandidates('t1', ['', 'ws1']);
        await client.echo('end-marker');
        await ended;
        expect(rows).toHaveLength(4);
        const begin = seen.findIndex((args) => args[1] === 'begin-marker');
        const between = seen.slice(begin + 1, -1).map((args) => args[0]?.toLowerCase());
        expect(between).toStrictEqual(['evalsha']);
      } finally {
        monitor.disconnect();
      }
    });
  });

  describe('script cache', () => {
    it('falls back to EVAL when the server answers NOSCRIPT (real server reply)', async () => {
      const { client, prefix } = await fixture();
      // The first EVALSHA asks for a script the server cannot have: a real NOSCRIPT.
      const unknownSha = randomBytes(20).toString('hex');
      const counting = countingClient(client, { evalsha: (sha, call) => (call === 1 ? unknownSha : sha) });
      const store = new RedisStore(counting, { keyPrefix: prefix });
      // The first call of a tenant's first create registers the tenant (for the store-wide rotation walk).
      const record = await create(store, { tenantId: 't1', name: 'first' });
      expect(counting.calls).toStrictEqual(['evalsha', 'eval', 'evalsha']);
      // The EVAL cached the script: the next create is a plain EVALSHA (the tenant is registered already).
      await create(store, { tenantId: 't1', name: 'second' });
      expect(counting.calls).toStrictEqual(['evalsha', 'eval', 'evalsha', 'evalsha']);
      expect(await store.getConfig('t1', record.id)).toStrictEqual(record);
    });
  });

  describe('tenant registry (the store-wide rotation walk)', () => {
    it("indexTenants fills the registry from the tenants' own keys (data written before it existed), escaped ids included", async () => {
      const { store, prefix } = await fixture();
      const tenants = ['acme', 'a{b}c', '%41', 'ünï 鍵', ''];
      for (const tenantId of tenants) {
        const record = await create(store, { tenantId, name: 'n' });
        await store.updateConfig(tenantId, record.id, makeKeyPatch(makeFakeKey('k-old')), {
          audit: makeAuditEventFor(record, 'key.set'),
        });
      }
      const count = async () =>
        (await new RedisStore(admin, { keyPrefix: prefix }).countKeysByKek({ now: new Date().toISOString() })).reduce(
          (n, l) => n + l.count,
          0,
        );
      expect(await count()).toBe(tenants.length);
      // As a store written by a byokit without the registry.
      await admin.del(`${prefix}tenants`);
      expect(await count()).toBe(0);
      expect(await store.indexTenants()).toBeGreaterThanOrEqual(1);
      expect((await admin.zrange(`${prefix}tenants`, '0', '-1')).sort()).toStrictEqual([...tenants].sort());
      expect(await count()).toBe(tenants.length);
      const walked = await store.listSealedConfigsAcrossTenants({ kekIdNot: 'k-new', limit: 2 });
      expect(walked.items).toHaveLength(2);
    });
  });

  describe('keys and cluster slots', () => {
    it('accepts an ioredis client as RedisClientLike without a cast', async () => {
      const { client } = await fixture();
      const store = new RedisStore(client);
      expect(store.name).toBe('redis');
      expect(store.capabilities.transactions).toBe(true);
    });

    it('puts every key of a tenant under one hash tag, so each script is single-slot', async () => {
      const { store, prefix, rawDump } = await fixture();
      const tenants = ['acme', 'a{b}c', 'x}:y', 'has:colon', '%41', 'ünï 鍵', ''];
      for (const tenantId of tenants) {
        const record = await create(store, { tenantId, scope: 'ws1', name: 'n', isDefault: true });
        await store.updateConfig(tenantId, record.id, makeKeyPatch(makeFakeKey()), {
          audit: makeAuditEventFor(record, 'key.set'),
        });
        await create(store, { tenantId, scope: '', name: 'm' });
      }
      const keys = await keysUnder(admin, prefix);
      // The one key outside every tenant: the registry the store-wide rotation walks.
      expect(keys.filter((key) => hashTag(key) === null)).toStrictEqual([`${prefix}tenants`]);
      const byTag = new Map<string, string[]>();
      for (const key of keys.filter((k) => k !== `${prefix}tenants`)) {
        const tag = hashTag(key);
        expect(tag, key).not.toBeNull();
        byTag.set(tag!, [...(byTag.get(tag!) ?? []), key]);
      }
      // One tag per tenant, none shared, every key of a tag in one slot.
      expect(byTag.size).toBe(tenants.length);
      for (const group of byTag.values()) {
        expect(new Set(group.map(keySlot)).size).toBe(1);
        expect(group.length).toBeGreaterThanOrEqual(9);
      }
      // Each tenant reads back only its own configs.
      for (const tenantId of tenants) {
        const rows = await store.loadCandidates(tenantId, ['', 'ws1']);
        expect(rows.map((r) => r.tenantId)).toStrictEqual([tenantId, tenantId]);
      }
      expect(await rawDump()).toContain('{acme}:cfg:');
    });

    it('with an ioredis keyPrefix, every key carries both prefixes and the store works', async () => {
      const clientKeyPrefix = `io-${randomBytes(4).toString('hex')}:`;
      const { store, prefix } = await fixture({ clientKeyPrefix });
      const record = await create(store, { tenantId: 'acme', name: 'prod', isDefault: true });
      const key = makeFakeKey();
      await store.updateConfig('acme', record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') });
      expect((await store.loadCandidates('acme', ['']))[0]?.sealedKey).toBe(key.sealedKey);
      expect((await store.listAudit('acme', { limit: 10 })).items).toHaveLength(2);
      const keys = await keysUnder(admin, clientKeyPrefix);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys)
        expect(
          k.startsWith(`${clientKeyPrefix}${prefix}{acme}:`) || k === `${clientKeyPrefix}${prefix}tenants`,
          k,
        ).toBe(true);
      expect(await keysUnder(admin, prefix)).toStrictEqual([]);
    });
  });

  describe('values and failures', () => {
    it('round-trips empty strings, nulls, booleans and option numbers exactly', async () => {
      const { store } = await fixture();
      const record = await create(store, {
        tenantId: 't1',
        name: '',
        scope: '',
        model: '',
        baseUrl: null,
        options: { tiny: 0.1, big: 9007199254740991, exp: 1e21, neg: -0.5, t: true, f: false, s: '1', e: '' },
        routes: ['', 'a'],
        enabled: false,
      });
      const read = await store.getConfig('t1', record.id);
      expect(read).toStrictEqual(record);
      const patched = await store.updateConfig(
        't1',
        record.id,
        { model: null, baseUrl: '', enabled: true },
        { audit: makeAuditEventFor(record, 'config.updated') },
      );
      expect(patched).toStrictEqual({ ...record, model: null, baseUrl: '', enabled: true, revision: 2 });
      expect(await store.getConfig('t1', record.id)).toStrictEqual(patched);
    });

    it("pages exactly across the scripts' scan batches with sparse filters", async () => {
      const { store } = await fixture();
      const matching: string[] = [];
      for (let i = 0; i < 230; i++) {
        const provider = i % 23 === 5 ? 'anthropic' : 'openai';
        const record = await create(store, { tenantId: 't1', provider, name: `c${i}` });
        if (provider === 'anthropic') matching.push(record.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.listConfigs('t1', { provider: 'anthropic', limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((r) => r.id));
        if (page.nextCursor === null) break;
        expect(page.items).toHaveLength(3);
        cursor = page.nextCursor;
      }
      expect(seen).toStrictEqual(matching);
      const types: AuditEventType[] = ['config.updated', 'key.validated'];
      const target = await create(store, { tenantId: 't1', name: 'target' });
      const validated: string[] = [];
      for (let i = 0; i < 150; i++) {
        const audit = makeAuditEventFor(target, types[i % 37 === 0 ? 1 : 0]!);
        if (audit.type === 'key.validated') validated.unshift(audit.id);
        await store.updateConfig('t1', target.id, { model: `m${i}` }, { audit });
      }
      const first = await store.listAudit('t1', { configId: target.id, type: 'key.validated', limit: 2 });
      expect(first.items.map((e) => e.id)).toStrictEqual(validated.slice(0, 2));
      const rest = await store.listAudit('t1', {
        configId: target.id,
        type: 'key.validated',
        limit: 10,
        cursor: first.nextCursor!,
      });
      expect(rest.items.map((e) => e.id)).toStrictEqual(validated.slice(2));
      expect(rest.nextCursor).toBeNull();
    });

    it('fails closed: a failed audit write (WRONGTYPE) changes nothing, and the error carries no sealed key', async () => {
      const { store, prefix, rawDump } = await fixture();
      const record = await create(store, { tenantId: 't1', name: 'prod', isDefault: true });
      const before = await rawDump();
      // Break the first write of every change script: the tenant's audit index.
      await admin.del(`${prefix}{t1}:audit`);
      await admin.set(`${prefix}{t1}:audit`, 'not a zset');
      const brokenDump = await rawDump();
      const key = makeFakeKey();
      const error = await store
        .updateConfig(
          't1',
          record.id,
          { ...makeKeyPatch(key), name: 'renamed' },
          { audit: makeAuditEventFor(record, 'key.set', { keyHint: key.keyHint }) },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('STORE_FAILED');
      expect((error as StoreError).message).toBe('[byokit] [redis] updateConfig failed');
      expect(((error as StoreError).cause as Error).message).toMatch(/WRONGTYPE/);
      const shown = inspect(error, { depth: 10, showHidden: true });
      expect(shown).not.toContain(key.sealedKey);
      expect(shown).not.toContain(key.keyHint);
      expect(await rawDump()).toBe(brokenDump);
      expect(brokenDump.replace(/\n {2}not a zset/, '')).not.toBe(before); // the break itself is visible
      expect(await store.getConfig('t1', record.id)).toStrictEqual(record);
    });
  });

  describe('access keys', () => {
    /** A tenant with configs on and off the key's scope chain, its settings, and one access key in ws1/p1. */
    async function seed(store: StorageAdapter, tenantId: string) {
      for (const scope of ['', 'ws1', 'ws1/p1', 'ws2', 'ws1/p1/deeper'])
        await create(store, { tenantId, scope, name: `at-${scope}` });
      const settings = makeSettingsRecord({ tenantId });
      await store.putSettings(settings, {
        audit: makeAuditEvent({ tenantId, type: 'entitlement.changed' }),
        expectedRevision: 0,
      });
      const key = makeAccessKeyRecord({ tenantId, scope: 'ws1/p1' });
      await store.createAccessKey(key, { audit: makeAuditEvent({ tenantId, type: 'access_key.created' }) });
      return { key, settings };
    }

    it('the authenticating read is one script on standalone Redis, also with an ioredis keyPrefix and a tenant id that needs escaping', async () => {
      for (const tenantId of ['acme', 'a{b}%c', '']) {
        const { client, prefix } = await fixture({ clientKeyPrefix: `app${randomBytes(3).toString('hex')}:` });
        const counting = countingClient(client);
        const store = new RedisStore(counting, { keyPrefix: prefix });
        const { key, settings } = await seed(store, tenantId);
        await store.loadAccessKeyCandidates(key.id); // warm the server's script cache
        counting.calls.length = 0;
        const read = await store.loadAccessKeyCandidates(key.id);
        expect(counting.calls).toStrictEqual(['evalsha']);
        expect(read?.accessKey).toStrictEqual(key);
        expect(read?.settings).toStrictEqual(settings);
        expect(read?.candidates.map((c) => c.scope).sort()).toStrictEqual(['', 'ws1', 'ws1/p1']);
      }
    });

    it("on a Redis Cluster client (isCluster) it reads the locator, then the tenant's slot: two scripts, one slot each, the same result", async () => {
      const { client, prefix } = await fixture();
      const standalone = new RedisStore(client, { keyPrefix: prefix });
      const { key } = await seed(standalone, 'acme');
      const counting = Object.assign(countingClient(client), { isCluster: true });
      const cluster = new RedisStore(counting, { keyPrefix: prefix });
      await cluster.loadAccessKeyCandidates(key.id); // warm the server's script cache
      counting.calls.length = 0;
      const read = await cluster.loadAccessKeyCandidates(key.id);
      expect(read).toStrictEqual(await standalone.loadAccessKeyCandidates(key.id));
      expect(counting.calls).toStrictEqual(['evalsha', 'evalsha']);
      expect(await cluster.loadAccessKeyCandidates(makeAccessKeyRecord().id)).toBeNull();
    });

    it("keeps an access key's record, counters and usage in its tenant's slot; only its locator lives outside", async () => {
      const { store, prefix } = await fixture();
      const { key } = await seed(store, 'acme');
      await store.useAccessKey('acme', key.id, { period: '2026-11-24', requests: { window: 'w', limit: 5 } });
      await store.chargeAccessKeyTokens('acme', key.id, { period: '2026-11-24', tokens: 5, window: 'w' });
      const keys = await keysUnder(admin, prefix);
      const outside = keys.filter((k) => hashTag(k) === null);
      expect(outside.sort()).toStrictEqual([`${prefix}locate:${key.id}`, `${prefix}tenants`].sort());
      expect(new Set(keys.filter((k) => hashTag(k) !== null).map(keySlot)).size).toBe(1);
    });

    it('a create whose tenant write fails releases the id it claimed: no locator is left without its key', async () => {
      const { store, prefix } = await fixture();
      await admin.set(`${prefix}{acme}:audit`, 'not a zset');
      const key = makeAccessKeyRecord({ tenantId: 'acme' });
      await expect(
        store.createAccessKey(key, { audit: makeAuditEvent({ tenantId: 'acme', type: 'access_key.created' }) }),
      ).rejects.toThrow(StoreError);
      expect(await admin.exists(`${prefix}locate:${key.id}`)).toBe(0);
      expect(await store.loadAccessKeyCandidates(key.id)).toBeNull();
    });
  });
});
