/**
 * `--store <url>` to a storage adapter: `postgres://…` (or
 * `postgresql://…`), `redis://…` (or `rediss://…`), `sqlite:<path>`. The
 * database clients are byokit's optional peers, loaded only for the store
 * named, so the CLI needs only the one in use installed.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { StorageAdapter } from '../store/types.js';
import { UsageError } from './usage-error.js';

/** Where a store lives, as `--store` and its companion options name it. */
export interface StoreLocation {
  url: string;
  /** PostgreSQL schema (default `public`). */
  schema?: string;
  /** SQL table prefix (default `byokit_`). */
  tablePrefix?: string;
  /** Redis key prefix (default `byokit:`). */
  keyPrefix?: string;
}

/** An open store and how to let go of its connection. */
export interface OpenStore {
  store: StorageAdapter;
  /** What the store is, for messages: the scheme and host or file, never a password. */
  label: string;
  close(): Promise<void>;
}

/** The URL without its credentials, for messages. */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Loads an optional peer dependency, or says how to install it. */
async function peer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ||
      (error as { code?: string }).code === 'MODULE_NOT_FOUND'
    ) {
      throw new UsageError(`this store needs the "${name}" package: npm install ${name}`);
    }
    throw error;
  }
}

/**
 * Opens the store `location.url` names. Never migrates a SQL schema: a
 * store that is behind says so with `STORE_FAILED` (apply the migrations
 * with your deploy step, or `store.migrate()`).
 *
 * @throws UsageError for a URL of no known kind, or a SQLite file that does not exist.
 */
export async function openStore(location: StoreLocation): Promise<OpenStore> {
  const { url: text } = location;
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new UsageError('--store sqlite:<path> needs a path');
    if (!existsSync(path)) throw new UsageError(`no SQLite file at ${path}`);
    const { SqliteStore } = await import('../../adapters/sqlite/index.js');
    const store = await SqliteStore.open(path, {
      autoMigrate: false,
      ...(location.tablePrefix === undefined ? {} : { tablePrefix: location.tablePrefix }),
    });
    return { store, label: `sqlite:${path}`, close: () => store.close() };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('--store must be postgres://…, redis://… or sqlite:<path>');
  }
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
    const pg = await peer(
      'pg',
      async () => ((await import('pg')) as unknown as { default: typeof import('pg') }).default,
    );
    const pool = new pg.Pool({ connectionString: text, max: 4 });
    // An idle client's error (the server went away) must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    const { PostgresStore } = await import('../../adapters/postgres/index.js');
    const store = new PostgresStore(pool, {
      ...(location.schema === undefined ? {} : { schema: location.schema }),
      ...(location.tablePrefix === undefined ? {} : { tablePrefix: location.tablePrefix }),
    });
    return { store, label: redact(url), close: () => pool.end() };
  }
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') {
    const { Redis } = await peer('ioredis', () => import('ioredis'));
    const client = new Redis(text, { maxRetriesPerRequest: 2, lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    const { RedisStore } = await import('../../adapters/redis/index.js');
    const store = new RedisStore(client, location.keyPrefix === undefined ? {} : { keyPrefix: location.keyPrefix });
    return {
      store,
      label: redact(url),
      close: async () => {
        await client.quit().catch(() => client.disconnect());
      },
    };
  }
  throw new UsageError(`--store must be postgres://…, redis://… or sqlite:<path>, not ${url.protocol}`);
}
