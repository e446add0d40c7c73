/**
 * The resolution read costs one round trip: a vault resolve() over the
 * PostgreSQL store (through a `pg` Pool) sends exactly one statement
 * (loadCandidates), counted through a wrapping client; so does the
 * per-config sealed read (loadSealedConfig).
 */
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { PostgresStore } from '../../../adapters/postgres/index.js';
import { Keyring, accessKeys, byokEntitlement, createVault } from '../../../src/index.js';
import { PG_URL, countingClient, describeWithServer, newPool, storeInFreshSchema } from './pg-server.js';

describeWithServer('postgres round trips', () => {
  const pool = newPool(2);
  afterAll(() => pool.end());

  it('vault.resolve() sends exactly one statement to PostgreSQL', async () => {
    const sut = await storeInFreshSchema(pool, pool);
    try {
      const counter = countingClient(pool);
      const store = new PostgresStore(counter, { schema: sut.schema });
      const vault = createVault({ store, keyring: Keyring.generate('k1') });
      const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
      const config = await admin.createConfig({ name: 'prod', provider: 'openai', scope: '' });
      await admin.setKey(config.id, 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD');

      counter.count = 0;
      counter.texts.length = 0;
      const resolution = await vault.resolve({ tenantId: 'acme', provider: 'openai', scope: 'ws1/proj7' });
      expect(resolution.source).toBe('byok');
      expect(counter.count).toBe(1);
      expect(counter.texts[0]).toMatch(
        /^SELECT .* sealed_key, pending_sealed_key, previous_sealed_key FROM "byokit_test_\w+"\."byokit_configs"/s,
      );
      // Only the rows that can win: the one usable config, found by one LIMIT 1 seek per scope and group.
      expect(counter.texts[0]).toContain('LIMIT 1');

      // The per-config sealed read behind validateKey, re-sealing and rewrap: one statement for one row.
      counter.count = 0;
      counter.texts.length = 0;
      expect(await store.loadSealedConfig('acme', config.id)).toMatchObject({ id: config.id, kekId: 'k1' });
      expect(counter.count).toBe(1);
      expect(counter.texts[0]).toMatch(/WHERE tenant_id = \$1::text AND id = \$2::text$/);
    } finally {
      await sut.cleanup?.();
    }
  });

  it('an access-key resolution sends two statements: the key with its candidates and settings, then the quota count', async () => {
    const sut = await storeInFreshSchema(pool, pool);
    try {
      const counter = countingClient(pool);
      const store = new PostgresStore(counter, { schema: sut.schema });
      const vault = createVault({
        store,
        keyring: Keyring.generate('k1'),
        accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
        entitlement: byokEntitlement({ default: 'enabled' }),
      });
      const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
      const config = await admin.createConfig({ name: 'prod', provider: 'openai', scope: 'ws1' });
      await admin.setKey(config.id, 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD');
      const { secret } = await admin.createAccessKey({
        name: 'app',
        scope: 'ws1/proj7',
        quota: { requests: { limit: 10, per: 'minute' } },
      });

      counter.count = 0;
      counter.texts.length = 0;
      const resolution = await vault.resolve({ accessKey: secret, provider: 'openai' });
      expect(resolution).toMatchObject({ source: 'byok', configId: config.id, scope: 'ws1/proj7' });
      expect(counter.count).toBe(2);
      expect(counter.texts[0]).toMatch(/^WITH ak AS \(SELECT .* WHERE id = \$1::text\)/s);
      expect(counter.texts[1]).toMatch(/^WITH locked AS \(\s*SELECT requests_window/s);

      // With entitlement managed, a tenant resolution reads its settings beside its candidates: two statements, sent together.
      counter.count = 0;
      await vault.resolve({ tenantId: 'acme', scope: 'ws1', provider: 'openai' });
      expect(counter.count).toBe(2);
    } finally {
      await sut.cleanup?.();
    }
  });

  it('through a pg Client the resolution read is a named prepared statement, parsed once per connection', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const sut = await storeInFreshSchema(client, pool);
    try {
      const vault = createVault({ store: sut.store, keyring: Keyring.generate('k1') });
      const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
      const config = await admin.createConfig({ name: 'prod', provider: 'openai' });
      await admin.setKey(config.id, 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD');
      const prepared = async () =>
        (await client.query(`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'byokit\\_%'`)).rows.map(
          (r: { statement: string }) => r.statement,
        );
      const before = (await prepared()).length;
      for (let i = 0; i < 3; i++)
        expect((await vault.resolve({ tenantId: 'acme', provider: 'openai', scope: 'ws1' })).configId).toBe(config.id);
      const after = await prepared();
      expect(after.length).toBe(before + 1);
      expect(after.some((text) => text.includes('CROSS JOIN LATERAL'))).toBe(true);
      const plain = new PostgresStore(
        { query: (text: string, params?: unknown[]) => client.query(text, params) },
        { schema: sut.schema },
      );
      await createVault({ store: plain, keyring: Keyring.generate('k1') })
        .resolve({ tenantId: 'acme', provider: 'anthropic' })
        .catch(() => null);
      expect((await prepared()).length).toBe(after.length);
    } finally {
      await sut.cleanup?.();
      await client.end();
    }
  });
});
