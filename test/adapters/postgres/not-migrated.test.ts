/**
 * A store used before `migrate()` ran says so, instead of a bare SQLSTATE.
 */
import { afterAll, expect, it } from 'vitest';
import { PostgresNotMigratedError, PostgresStore } from '../../../adapters/postgres/index.js';
import { StoreError } from '../../../src/errors.js';
import { createVault, Keyring } from '../../../src/index.js';
import { describeWithServer, freshSchemaName, newPool } from './pg-server.js';

describeWithServer('postgres store used before migrate()', () => {
  const admin = newPool(2);
  afterAll(() => admin.end());

  it('fails every kind of call with PostgresNotMigratedError naming migrate(), tables missing (42P01)', async () => {
    const schema = freshSchemaName();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    try {
      const store = new PostgresStore(admin, { schema });
      const vault = createVault({ store, keyring: Keyring.generate() });
      const calls = [
        () =>
          vault
            .as({ tenantId: 't1', actor: { id: 'u', role: 'owner' } })
            .createConfig({ name: 'n', provider: 'openai' }),
        () => vault.as({ tenantId: 't1', actor: { id: 'u', role: 'owner' } }).listConfigs(),
        () => vault.resolve({ tenantId: 't1', provider: 'openai' }),
      ];
      for (const call of calls) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PostgresNotMigratedError);
        expect(error).toBeInstanceOf(StoreError);
        expect(error).toMatchObject({ code: 'STORE_FAILED', sqlState: '42P01' });
        expect((error as Error).message).toContain('call `await store.migrate()`');
        expect((error as Error).message).toContain(`schema "${schema}"`);
      }
      // And migrate() itself is what makes it work.
      await store.migrate();
      await expect(vault.resolve({ tenantId: 't1', provider: 'openai' })).rejects.toMatchObject({ code: 'NO_KEY' });
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('says the same when the schema itself does not exist (3F000)', async () => {
    const store = new PostgresStore(admin, { schema: freshSchemaName() });
    const error = await store.getConfig('t1', 'cfg_01JD0000000000000000000000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresNotMigratedError);
    expect(['42P01', '3F000']).toContain((error as PostgresNotMigratedError).sqlState);
  });
});
