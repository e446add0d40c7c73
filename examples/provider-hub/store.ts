/**
 * The hub's store: the embedded SQLite file by default, PostgreSQL when
 * `DATABASE_URL` is set (tables in `HUB_PG_SCHEMA`, default `public`,
 * created or upgraded at start).
 */
import type { StorageAdapter } from 'byokit';

export interface HubStore {
  store: StorageAdapter;
  label: string;
  close(): Promise<void>;
}

export async function openHubStore(env: Record<string, string | undefined>, sqliteFile: string): Promise<HubStore> {
  if (env.DATABASE_URL) {
    const { default: pg } = await import('pg');
    const { PostgresStore } = await import('byokit/adapters/postgres');
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
    const schema = env.HUB_PG_SCHEMA;
    try {
      if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '')}"`);
      const store = new PostgresStore(pool, schema ? { schema } : {});
      await store.migrate();
      return { store, label: `postgres (schema ${schema ?? 'public'})`, close: () => pool.end() };
    } catch (error) {
      await pool.end();
      throw error;
    }
  }
  const { SqliteStore } = await import('byokit/adapters/sqlite');
  const store = await SqliteStore.open(env.HUB_DB_FILE ?? sqliteFile);
  return { store, label: `sqlite (${env.HUB_DB_FILE ?? sqliteFile})`, close: () => store.close() };
}
