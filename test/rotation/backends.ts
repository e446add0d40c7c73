/**
 * The three real stores the rotation proofs run on, each fresh, with what
 * the `byokit` CLI needs to reach the same store (`--store` and its
 * companion options).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { SqliteStore } from '../../adapters/sqlite/index.js';
import { RedisStore } from '../../adapters/redis/index.js';
import type { StorageAdapter } from '../../src/index.js';
import { PG_URL, newPool, storeInFreshSchema, unreachable } from '../adapters/postgres/pg-server.js';
import { REDIS_URL, REDIS_UP, connect, deleteUnder, randomPrefix } from '../adapters/redis/helpers.js';
import { isCI } from '../in-ci.js';

export interface Backend {
  store: StorageAdapter;
  /** The CLI arguments that name this store. */
  cliArgs: string[];
  cleanup(): Promise<void>;
}

export interface BackendKind {
  name: 'sqlite' | 'postgres' | 'redis';
  /** Why it can't run here (`null` when it can); with CI=true the tests then fail instead of skipping. */
  unavailable: string | null;
  open(): Promise<Backend>;
}

const sqlite: BackendKind = {
  name: 'sqlite',
  unavailable: null,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'byokit-rotation-'));
    const file = join(dir, 'store.db');
    const store = await SqliteStore.open(file);
    await store.migrate();
    return {
      store,
      cliArgs: ['--store', `sqlite:${file}`],
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

let pool: pg.Pool | null = null;
const postgres: BackendKind = {
  name: 'postgres',
  unavailable: unreachable,
  async open() {
    pool ??= newPool(12);
    const fixture = await storeInFreshSchema(pool, pool);
    return {
      store: fixture.store,
      cliArgs: ['--store', PG_URL, '--schema', fixture.schema],
      async cleanup() {
        await fixture.cleanup?.();
      },
    };
  },
};

const redis: BackendKind = {
  name: 'redis',
  unavailable: REDIS_UP ? null : `no Redis at ${REDIS_URL}`,
  async open() {
    const client: Redis = connect();
    await client.connect();
    const prefix = randomPrefix();
    return {
      store: new RedisStore(client, { keyPrefix: prefix }),
      cliArgs: ['--store', REDIS_URL, '--key-prefix', prefix],
      async cleanup() {
        await deleteUnder(client, prefix);
        client.disconnect();
      },
    };
  },
};

export const BACKENDS: readonly BackendKind[] = [sqlite, postgres, redis];

/** Ends the shared PostgreSQL pool. */
export async function closeBackends(): Promise<void> {
  await pool?.end();
  pool = null;
}

/** Whether a backend's tests run, fail (CI) or skip. */
export function backendMode(kind: BackendKind): 'run' | 'fail' | 'skip' {
  if (kind.unavailable === null) return 'run';
  return isCI() ? 'fail' : 'skip';
}
