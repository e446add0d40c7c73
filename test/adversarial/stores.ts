/**
 * The stores every attack of the adversarial suite runs against, each with
 * raw access behind the adapter, the way an attacker with write access to
 * the backend would reach it: memory, SQLite (a real file), PostgreSQL (a
 * real server, fresh schema; also on the 0.1 schema, before migration 002)
 * and Redis (a real server, fresh prefix).
 *
 * Outside CI an unreachable server skips its runs with the reason in the
 * title; with `CI=true` they fail instead (see test/in-ci.ts).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect } from 'vitest';
import { PostgresStore, postgresMigrations } from '../../adapters/postgres/index.js';
import { SqliteStore } from '../../adapters/sqlite/index.js';
import { locatorKey, tenantBase } from '../../adapters/redis/keys.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { AccessKeyRecord, StorageAdapter } from '../../src/index.js';
import { isCI } from '../in-ci.js';
import {
  copyPostgresRow,
  dumpTables,
  freshSchemaName,
  newPool,
  unreachable as pgUnreachable,
} from '../adapters/postgres/pg-server.js';
import { REDIS_UP, REDIS_URL, connect, copyRedisRow, createRedisFixture } from '../adapters/redis/helpers.js';
import { copySqliteRow, dumpDatabase, openObserver, tempDir } from '../adapters/sqlite/helpers.js';
import { copyMemoryRow, dumpAll } from '../store/memory-helpers.js';

/** A change to a stored config made behind the adapter. */
export interface Tamper {
  /** Remove the sealed key, leaving the hint (and everything else) in place. */
  dropSealedKey?: true;
  /** Remove the hint, leaving the sealed key in place. */
  dropHint?: true;
  /** Write this KEK id wherever the layout keeps a KEK id beside the sealed key. */
  claimKekId?: string;
}

/** A store under attack, with raw access behind it. */
export interface AttackTarget {
  store: StorageAdapter;
  /** Everything the backend holds for this store, as text. */
  dump(): Promise<string>;
  /** The copied-row attack (see `StoreUnderTest.copyRowBehindAdapter`); `false` when the backend can't hold that copy. */
  copyRow(
    from: { tenantId: string; id: string },
    toTenantId: string,
    options: { keepStoredTenant: boolean },
  ): Promise<boolean>;
  /**
   * Changes a stored config behind the adapter. `false` when the layout has
   * nowhere to write part of it (no KEK id field left to claim anything in).
   */
  tamper(tenantId: string, id: string, change: Tamper): Promise<boolean>;
  /**
   * Rewrites a stored access key's grants behind the adapter: its tenant
   * (the row moved into another tenant, the locator too where there is
   * one), scope, allow-lists or quota. `false` when the backend gives no
   * raw write (the memory store).
   */
  editAccessKey(tenantId: string, id: string, change: AccessKeyEdit): Promise<boolean>;
  cleanup(): Promise<void>;
}

/** A change to a stored access key made behind the adapter. */
export type AccessKeyEdit = Partial<Pick<AccessKeyRecord, 'tenantId' | 'scope' | 'providers' | 'models' | 'quota'>>;

/** The SQL column of each editable access-key field (the same in SQLite and PostgreSQL). */
const ACCESS_KEY_COLUMNS = {
  tenantId: 'tenant_id',
  scope: 'scope',
  providers: 'providers',
  models: 'models',
  quota: 'quota',
} as const satisfies Record<keyof AccessKeyEdit, string>;

interface TargetKind {
  name: string;
  /** Why it can't run here, or `null`. */
  unavailable: string | null;
  create: () => Promise<AttackTarget>;
}

let redisAdmin: Redis | undefined;
let pgAdmin: pg.Pool | undefined;

const memory: TargetKind = {
  name: 'memory',
  unavailable: null,
  create: async () => {
    const store = new MemoryStore();
    return {
      store,
      dump: async () => dumpAll(store),
      copyRow: async (from, to, { keepStoredTenant }) => copyMemoryRow(store, from, to, keepStoredTenant),
      tamper: async (tenantId, id, change) => {
        const row = store.inspectRaw(tenantId).configs.find((c) => c.id === id)!;
        store.putRaw(tenantId, {
          ...row,
          ...(change.dropSealedKey ? { sealedKey: null } : {}),
          ...(change.dropHint ? { keyHint: null } : {}),
          // The record object keeps whatever it is given; reads derive the KEK id from the sealed key.
          ...(change.claimKekId === undefined ? {} : { kekId: change.claimKekId }),
        });
        return true;
      },
      editAccessKey: async () => false,
      cleanup: async () => undefined,
    };
  },
};

const sqlite: TargetKind = {
  name: 'sqlite (file)',
  unavailable: null,
  create: async () => {
    const tmp = tempDir();
    const path = tmp.file();
    const store = await SqliteStore.open(path);
    await store.migrate();
    const raw = openObserver(path);
    const hasColumn = (name: string) =>
      (raw.prepare('PRAGMA table_info(byokit_configs)').all() as Array<{ name: string }>).some((c) => c.name === name);
    return {
      store,
      dump: async () => dumpDatabase(raw),
      copyRow: async (from, to, { keepStoredTenant }) =>
        copySqliteRow(raw, 'byokit_configs', from, to, keepStoredTenant),
      tamper: async (tenantId, id, change) => {
        const where = 'WHERE tenant_id = ? AND id = ?';
        if (change.dropSealedKey) raw.prepare(`UPDATE byokit_configs SET sealed_key = NULL ${where}`).run(tenantId, id);
        if (change.dropHint) raw.prepare(`UPDATE byokit_configs SET key_hint = NULL ${where}`).run(tenantId, id);
        if (change.claimKekId === undefined) return true;
        if (!hasColumn('kek_id')) return false;
        raw.prepare(`UPDATE byokit_configs SET kek_id = ? ${where}`).run(change.claimKekId, tenantId, id);
        return true;
      },
      editAccessKey: async (tenantId, id, change) => {
        for (const [field, value] of Object.entries(change) as [keyof AccessKeyEdit, unknown][]) {
          const stored = typeof value === 'string' || value === null ? value : JSON.stringify(value);
          raw
            .prepare(`UPDATE byokit_access_keys SET ${ACCESS_KEY_COLUMNS[field]} = ? WHERE tenant_id = ? AND id = ?`)
            .run(stored, tenantId, id);
          if (field === 'tenantId') tenantId = value as string;
        }
        return true;
      },
      cleanup: async () => {
        raw.close();
        await store.close();
        tmp.remove();
      },
    };
  },
};

/**
 * A PostgreSQL store in a fresh schema; with `legacySchema`, a 0.1 database
 * not yet through migration 002: 001, plus the additive 003 (a new table,
 * harmless to 0.1) that 0.2 needs for key health.
 */
function postgres(legacySchema: boolean): TargetKind {
  return {
    name: legacySchema ? 'postgres (0.1 schema, before migration 002)' : 'postgres',
    unavailable: pgUnreachable,
    create: async () => {
      pgAdmin ??= newPool(4);
      const admin = pgAdmin;
      const schema = freshSchemaName();
      await admin.query(`CREATE SCHEMA "${schema}"`);
      const store = new PostgresStore(admin, { schema });
      if (legacySchema)
        for (const m of postgresMigrations({ schema }).filter((m) => m.version !== 2)) await admin.query(m.sql);
      else await store.migrate();
      const table = `"${schema}".byokit_configs`;
      const hasColumn = async (name: string) =>
        (
          await admin.query(
            `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'byokit_configs' AND column_name = $2`,
            [schema, name],
          )
        ).rows.length === 1;
      return {
        store,
        dump: () => dumpTables(admin, schema),
        copyRow: (from, to, { keepStoredTenant }) =>
          copyPostgresRow(admin, schema, 'byokit_', from, to, keepStoredTenant),
        tamper: async (tenantId, id, change) => {
          const where = 'WHERE tenant_id = $1 AND id = $2';
          if (change.dropSealedKey) await admin.query(`UPDATE ${table} SET sealed_key = NULL ${where}`, [tenantId, id]);
          if (change.dropHint) await admin.query(`UPDATE ${table} SET key_hint = NULL ${where}`, [tenantId, id]);
          if (change.claimKekId === undefined) return true;
          if (!(await hasColumn('kek_id'))) return false;
          await admin.query(`UPDATE ${table} SET kek_id = $3 ${where}`, [tenantId, id, change.claimKekId]);
          return true;
        },
        editAccessKey: async (tenantId, id, change) => {
          for (const [field, value] of Object.entries(change) as [keyof AccessKeyEdit, unknown][]) {
            const typed = field === 'tenantId' || field === 'scope' ? '$1::text' : '$1::jsonb';
            const stored = typeof value === 'string' || value === null ? value : JSON.stringify(value);
            await admin.query(
              `UPDATE "${schema}".byokit_access_keys SET ${ACCESS_KEY_COLUMNS[field]} = ${typed} WHERE tenant_id = $2 AND id = $3`,
              [stored, tenantId, id],
            );
            if (field === 'tenantId') tenantId = value as string;
          }
          return true;
        },
        cleanup: async () => {
          await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
        },
      };
    },
  };
}

const redis: TargetKind = {
  name: 'redis',
  unavailable: REDIS_UP ? null : `no Redis at ${REDIS_URL}`,
  create: async () => {
    if (!redisAdmin) {
      redisAdmin = connect();
      await redisAdmin.connect();
    }
    const admin = redisAdmin;
    const fixture = await createRedisFixture(admin);
    return {
      store: fixture.store,
      dump: fixture.rawDump,
      copyRow: (from, to, { keepStoredTenant }) => copyRedisRow(admin, fixture.prefix, from, to, keepStoredTenant),
      tamper: async (tenantId, id, change) => {
        const key = `${tenantBase(fixture.prefix, tenantId)}cfg:${id}`;
        if (change.dropSealedKey) await admin.hdel(key, 'sealedKey');
        if (change.dropHint) await admin.hdel(key, 'keyHint');
        // A hash can always hold one more field: the claim is written, and must be ignored.
        if (change.claimKekId !== undefined) await admin.hset(key, 'kekId', change.claimKekId);
        return true;
      },
      editAccessKey: async (tenantId, id, change) => {
        const from = `${tenantBase(fixture.prefix, tenantId)}key:${id}`;
        const hash = await admin.hgetall(from);
        const json = { ...JSON.parse(hash.json!), ...change };
        const owner = change.tenantId ?? tenantId;
        // Moved into another tenant: the hash under its base, in its index, and the locator pointing there.
        if (owner !== tenantId) {
          await admin.del(from);
          await admin.zadd(`${tenantBase(fixture.prefix, owner)}keys`, 0, id);
          await admin.set(locatorKey(fixture.prefix, id), owner);
        }
        await admin.hset(`${tenantBase(fixture.prefix, owner)}key:${id}`, {
          ...hash,
          json: JSON.stringify(json),
          scope: json.scope,
        });
        return true;
      },
      cleanup: fixture.cleanup,
    };
  },
};

/** Every store kind, in the order the suite runs them. */
export const TARGET_KINDS: readonly TargetKind[] = [memory, sqlite, postgres(false), postgres(true), redis];

const IN_CI = isCI();

/**
 * Registers `body` once per store kind, each test with a fresh target.
 * Titles read `<title> [<store>]`.
 */
export function describeAgainstEveryStore(
  title: string,
  body: (target: () => AttackTarget, storeName: string) => void,
): void {
  for (const kind of TARGET_KINDS) {
    const name = `${title} [${kind.name}]`;
    if (kind.unavailable !== null && !IN_CI) {
      describe.skip(`${name} (skipped: ${kind.unavailable}; set CI=true to fail instead)`, () =>
        body(() => expect.fail('skipped'), kind.name));
      continue;
    }
    describe(name, () => {
      let current: AttackTarget | undefined;
      beforeEach(async () => {
        if (kind.unavailable !== null) throw new Error(`${kind.unavailable} (CI=true: failing instead of skipping)`);
        current = await kind.create();
      });
      afterEach(async () => {
        await current?.cleanup();
        current = undefined;
      });
      afterAll(async () => {
        redisAdmin?.disconnect();
        redisAdmin = undefined;
        await pgAdmin?.end();
        pgAdmin = undefined;
      });
      body(() => {
        if (!current) throw new Error('the attack target is only available inside a test');
        return current;
      }, kind.name);
    });
  }
}
