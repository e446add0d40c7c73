/**
 * What the conformance suite can't see from outside: which errors the
 * adapter raises and that they carry no written values, the one-statement
 * writes (no retry needed for set-default races), exact time round trips.
 */
import { inspect } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../adapters/postgres/index.js';
import type { PostgresQueryable } from '../../../adapters/postgres/index.js';
import { ConflictError, StoreError } from '../../../src/errors.js';
import type { ConfigRecord } from '../../../src/store/types.js';
import {
  makeAuditEventFor,
  makeConfigRecord,
  makeFakeKey,
  makeKeyPatch,
  makeTenantIds,
} from '../../../src/testing/index.js';
import { PG_URL, countingClient, describeWithServer, newPool, storeInFreshSchema } from './pg-server.js';

async function create(store: PostgresStore, overrides: Partial<ConfigRecord>): Promise<ConfigRecord> {
  const record = makeConfigRecord(overrides);
  return store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** Every way the error could reach a log: message, stack, cause, inspect, JSON. */
function everythingPrinted(error: Error): string {
  return [
    error.message,
    error.stack,
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    JSON.stringify(error.cause),
  ].join('\n');
}

function describeErrors(
  label: string,
  setup: () => Promise<{ db: PostgresQueryable; store: PostgresStore; schema: string }>,
) {
  describe(`postgres store errors (${label})`, () => {
    let db: PostgresQueryable;
    let store: PostgresStore;
    let schema: string;
    beforeAll(async () => {
      ({ db, store, schema } = await setup());
    });

    it('a taken name is ConflictError NAME_TAKEN on create and on rename', async () => {
      const { a } = makeTenantIds();
      await create(store, { tenantId: a, name: 'prod' });
      const other = await create(store, { tenantId: a, name: 'other' });
      const onCreate = await rejection(create(store, { tenantId: a, name: 'prod' }));
      expect(onCreate).toBeInstanceOf(ConflictError);
      expect(onCreate).toMatchObject({
        code: 'NAME_TAKEN',
        message: expect.stringMatching(/^\[byokit\] \[postgres\] /),
      });
      const onRename = await rejection(
        store.updateConfig(a, other.id, { name: 'prod' }, { audit: makeAuditEventFor(other, 'config.updated') }),
      );
      expect(onRename).toBeInstanceOf(ConflictError);
      expect(onRename).toMatchObject({ code: 'NAME_TAKEN' });
    });

    it('a failed write with a sealed key is StoreError STORE_FAILED whose message, stack and cause hold no written value', async () => {
      const { a } = makeTenantIds();
      const record = await create(store, { tenantId: a, name: 'locked-out' });
      // PostgreSQL's detail for a check violation lists the whole row ("Failing row contains (..., sealed key, ...)"),
      // and PGlite attaches the query parameters to its errors.
      await db.query(
        `ALTER TABLE "${schema}".byokit_configs ADD CONSTRAINT no_keys_for_test CHECK (sealed_key IS NULL OR tenant_id <> '${a}')`,
      );
      const key = makeFakeKey();
      const error = await rejection(
        store.updateConfig(a, record.id, makeKeyPatch(key), { audit: makeAuditEventFor(record, 'key.set') }),
      );
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({
        code: 'STORE_FAILED',
        message: '[byokit] [postgres] updateConfig failed (SQLSTATE 23514)',
      });
      expect(error.cause).toMatchObject({ code: '23514', constraint: 'no_keys_for_test' });
      // PostgreSQL cuts long values in a detail, so look for a prefix.
      const sealedPrefix = key.sealedKey.slice(0, 40);
      const printed = everythingPrinted(error);
      expect(printed).not.toContain(sealedPrefix);
      expect(printed).not.toContain(key.keyHint);
      expect(printed).not.toContain(record.id);
      // The raw driver error does hold the sealed key, so the check above is not vacuous.
      const raw = await db
        .query(`UPDATE "${schema}".byokit_configs SET sealed_key = $1 WHERE tenant_id = $2`, [key.sealedKey, a])
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(inspect(raw, { depth: 10 })).toContain(sealedPrefix);
    });

    it('a data error that quotes its input keeps only the SQLSTATE as cause message', async () => {
      const { a } = makeTenantIds();
      const record = await create(store, { tenantId: a });
      // Make the revision check compare against a value PostgreSQL will quote in its message.
      const error = await rejection(
        store.updateConfig(
          a,
          record.id,
          { model: 'x' },
          {
            audit: makeAuditEventFor(record, 'config.updated'),
            expectedRevision: 'sk-quoted-secret' as unknown as number,
          },
        ),
      );
      expect(error).toMatchObject({
        code: 'STORE_FAILED',
        message: '[byokit] [postgres] updateConfig failed (SQLSTATE 22P02)',
      });
      expect(everythingPrinted(error)).not.toContain('sk-quoted-secret');
    });

    it('an unreachable table is StoreError STORE_FAILED naming the operation, and migrate()', async () => {
      const broken = new PostgresStore(db, { schema, tablePrefix: 'missing_' });
      const error = await rejection(broken.loadCandidates('t', ['']));
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'STORE_FAILED' });
      expect((error as Error).message).toMatch(
        /^\[byokit\] \[postgres\] loadCandidates failed \(SQLSTATE 42P01\): .*call `await store\.migrate\(\)`/,
      );
    });

    it('times come back as the exact strings written, whatever their precision or offset', async () => {
      const { a } = makeTenantIds();
      const times = {
        createdAt: '2025-01-02T03:04:05Z',
        updatedAt: '2025-01-02T03:04:05.123456+02:00',
        keySetAt: '2025-01-02T03:04:05.1Z',
        keyExpiresAt: '2099-12-31T23:59:59.999Z',
        lastValidatedAt: '2025-01-02T03:04:05.000Z',
      };
      const record = await create(store, { tenantId: a, ...times });
      expect(await store.getConfig(a, record.id)).toMatchObject(times);
      expect((await store.loadCandidates(a, [record.scope]))[0]).toMatchObject(times);
    });

    it('loadCandidates is one statement', async () => {
      const { a } = makeTenantIds();
      await create(store, { tenantId: a, scope: '' });
      await create(store, { tenantId: a, scope: 'ws1' });
      const counter = countingClient(db);
      const counted = new PostgresStore(counter, { schema });
      expect(await counted.loadCandidates(a, ['ws1/p', 'ws1', ''])).toHaveLength(2);
      expect(counter.count).toBe(1);
    });

    afterAll(async () => {
      await db.query(`DROP SCHEMA "${schema}" CASCADE`);
    });
  });
}

const pglite = new PGlite();
afterAll(() => pglite.close());
describeErrors('PGlite', async () => {
  const sut = await storeInFreshSchema(pglite, pglite);
  return { db: pglite, store: sut.store, schema: sut.schema };
});

describeWithServer('postgres store on the server', () => {
  const pool = newPool();
  afterAll(() => pool.end());
  describeErrors('pg Pool', async () => {
    const sut = await storeInFreshSchema(pool, pool);
    return { db: pool, store: sut.store, schema: sut.schema };
  });

  it('200 concurrent set-default calls over 20 configs need no retry: one statement each, exactly one default', async () => {
    const sut = await storeInFreshSchema(pool, pool);
    try {
      const counter = countingClient(pool);
      const store = new PostgresStore(counter, { schema: sut.schema });
      const { a } = makeTenantIds();
      const configs: ConfigRecord[] = [];
      for (let i = 0; i < 20; i++)
        configs.push(await create(store, { tenantId: a, scope: 'ws1', name: `c${i}`, isDefault: i === 0 }));
      counter.count = 0;
      const calls = Array.from({ length: 200 }, (_, i) => configs[i % 20]!).map((c) =>
        store.updateConfig(a, c.id, { isDefault: true }, { audit: makeAuditEventFor(c, 'config.default_changed') }),
      );
      await Promise.all(calls);
      expect(counter.count).toBe(200);
      expect((await store.loadCandidates(a, ['ws1'])).filter((r) => r.isDefault)).toHaveLength(1);
    } finally {
      await sut.cleanup?.();
    }
  });

  /**
   * Runs `call` while `other` holds an uncommitted change, commits that change once `call` has
   * taken its snapshot and waits on the row lock, and returns what `call` returned.
   */
  async function againstHeldChange<T>(
    other: pg.Client,
    change: () => Promise<unknown>,
    call: () => Promise<T>,
  ): Promise<PromiseSettledResult<T>> {
    await other.query('BEGIN');
    await change();
    const pending = call();
    const settled = pending.then(
      (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await other.query('COMMIT');
    return settled;
  }

  describe('updateConfig reads the locked (newest) version of the record, not its snapshot', () => {
    let other: pg.Client;
    let sut: Awaited<ReturnType<typeof storeInFreshSchema>>;
    let configs: string;
    beforeAll(async () => {
      other = new pg.Client({ connectionString: PG_URL });
      await other.connect();
      sut = await storeInFreshSchema(pool, pool);
      configs = `"${sut.schema}"."byokit_configs"`;
    });
    afterAll(async () => {
      await sut.cleanup?.();
      await other.end();
    });
    const defaults = async (tenantId: string, scope: string) =>
      (await sut.store.loadCandidates(tenantId, [scope])).filter((r) => r.isDefault).map((r) => r.name);

    it("a default moved with { scope } while a set-default in its old scope takes the flag moves as non-default and keeps the new scope's default", async () => {
      const { a } = makeTenantIds();
      const x = await create(sut.store, { tenantId: a, name: 'x', scope: 'ws2', isDefault: true });
      const y = await create(sut.store, { tenantId: a, name: 'y', scope: 'ws2' });
      await create(sut.store, { tenantId: a, name: 'z', scope: 'ws1', isDefault: true });
      const result = await againstHeldChange(
        other,
        () =>
          other.query(
            `UPDATE ${configs} SET is_default = (id = $1), revision = revision + 1 WHERE tenant_id = $2 AND scope = 'ws2'`,
            [y.id, a],
          ),
        () => sut.store.updateConfig(a, x.id, { scope: 'ws1' }, { audit: makeAuditEventFor(x, 'config.updated') }),
      );
      expect(result).toMatchObject({ status: 'fulfilled', value: { scope: 'ws1', isDefault: false, revision: 3 } });
      expect(await defaults(a, 'ws1')).toStrictEqual(['z']);
      expect(await defaults(a, 'ws2')).toStrictEqual(['y']);
    });

    it('a set-default whose record moved to another scope meanwhile clears the default of its new scope only', async () => {
      const { a } = makeTenantIds();
      await create(sut.store, { tenantId: a, name: 'd1', scope: 'ws1', isDefault: true });
      const t = await create(sut.store, { tenantId: a, name: 't', scope: 'ws1' });
      await create(sut.store, { tenantId: a, name: 'd2', scope: 'ws2', isDefault: true });
      const result = await againstHeldChange(
        other,
        () =>
          other.query(`UPDATE ${configs} SET scope = 'ws2', revision = revision + 1 WHERE tenant_id = $1 AND id = $2`, [
            a,
            t.id,
          ]),
        () =>
          sut.store.updateConfig(
            a,
            t.id,
            { isDefault: true },
            { audit: makeAuditEventFor(t, 'config.default_changed') },
          ),
      );
      expect(result).toMatchObject({ status: 'fulfilled', value: { scope: 'ws2', isDefault: true, revision: 3 } });
      expect(await defaults(a, 'ws1')).toStrictEqual(['d1']);
      expect(await defaults(a, 'ws2')).toStrictEqual(['t']);
    });

    it('a set-default whose expectedRevision went stale after the snapshot throws CONCURRENT_UPDATE and clears nothing', async () => {
      const { a } = makeTenantIds();
      await create(sut.store, { tenantId: a, name: 'current', scope: 'ws1', isDefault: true });
      const b = await create(sut.store, { tenantId: a, name: 'b', scope: 'ws1' });
      const audit = makeAuditEventFor(b, 'config.default_changed');
      const result = await againstHeldChange(
        other,
        () =>
          other.query(
            `UPDATE ${configs} SET model = 'meanwhile', revision = revision + 1 WHERE tenant_id = $1 AND id = $2`,
            [a, b.id],
          ),
        () => sut.store.updateConfig(a, b.id, { isDefault: true }, { audit, expectedRevision: 1 }),
      );
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'CONCURRENT_UPDATE' });
      expect(await defaults(a, 'ws1')).toStrictEqual(['current']);
      expect((await sut.store.listAudit(a, { limit: 10 })).items.map((e) => e.id)).not.toContain(audit.id);
    });

    it('an audit event naming another tenant is stored under the tenant of the call', async () => {
      const { a, b } = makeTenantIds();
      const record = await create(sut.store, { tenantId: a, name: 'mislabelled' });
      const audit = makeAuditEventFor({ ...record, tenantId: b }, 'config.updated');
      await sut.store.updateConfig(a, record.id, { model: 'm' }, { audit });
      expect((await sut.store.listAudit(b, { limit: 10 })).items).toStrictEqual([]);
      expect((await sut.store.listAudit(a, { limit: 10, type: 'config.updated' })).items).toStrictEqual([
        { ...audit, tenantId: a },
      ]);
    });
  });

  it('concurrent set-default calls through two clients (two "processes") on one scope leave exactly one default', async () => {
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    const sut = await storeInFreshSchema(pool, pool);
    try {
      const stores = [sut.store, new PostgresStore(other, { schema: sut.schema })];
      const { a } = makeTenantIds();
      const configs: ConfigRecord[] = [];
      for (let i = 0; i < 10; i++) configs.push(await create(sut.store, { tenantId: a, scope: 'ws1', name: `c${i}` }));
      const fresh = Array.from({ length: 10 }, (_, i) =>
        makeConfigRecord({ tenantId: a, scope: 'ws1', name: `n${i}`, isDefault: true }),
      );
      await Promise.all([
        ...configs.map((c, i) =>
          stores[i % 2]!.updateConfig(
            a,
            c.id,
            { isDefault: true },
            { audit: makeAuditEventFor(c, 'config.default_changed') },
          ),
        ),
        ...fresh.map((r, i) => stores[i % 2]!.createConfig(r, { audit: makeAuditEventFor(r, 'config.created') })),
      ]);
      expect((await sut.store.loadCandidates(a, ['ws1'])).filter((r) => r.isDefault)).toHaveLength(1);
    } finally {
      await sut.cleanup?.();
      await other.end();
    }
  });
});
