/**
 * The resolution read costs one round trip: a vault resolve() over the
 * PostgreSQL store (through a `pg` Pool) sends exactly one statement
 * (loadCandidates), counted through a wrapping client.
 */
import { afterAll, expect, it } from 'vitest';
import { PostgresStore } from '../../../adapters/postgres/index.js';
import { Keyring, createVault } from '../../../src/index.js';
import { countingClient, describeWithServer, newPool, storeInFreshSchema } from './pg-server.js';

describeWithServer('postgres round trips', () => {
  const pool = newPool(2);
  afterAll(() => pool.end());

  it('vault.resolve() sends exactly one statement to PostgreSQL', async () => {
    const sut = await storeInFreshSchema(pool, pool);
    try {
      const counter = countingClient(pool);
      const store = new PostgresStore(counter, { schema: sut.schema });
      const vault = createVault({ store, keyring: Keyring.generate() });
      const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
      const config = await admin.createConfig({ name: 'prod', provider: 'openai', scope: '' });
      await admin.setKey(config.id, 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD');

      counter.count = 0;
      counter.texts.length = 0;
      const resolution = await vault.resolve({ tenantId: 'acme', provider: 'openai', scope: 'ws1/proj7' });
      expect(resolution.source).toBe('byok');
      expect(counter.count).toBe(1);
      expect(counter.texts[0]).toMatch(/^SELECT .* sealed_key FROM "byokit_test_\w+"\."byokit_configs"/s);
    } finally {
      await sut.cleanup?.();
    }
  });
});
