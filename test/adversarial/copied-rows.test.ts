/**
 * Attack: copy tenant A's keyed config, sealed key included, into tenant
 * B's keyspace behind the adapter; then, as B's owner, use it, re-point it
 * at your own server (the vault would re-seal it for that server) and have
 * validateKey send it there. On Redis a hash copied verbatim still says
 * tenant A; in SQL the copy's tenant column says B.
 *
 * What stops it: every seal and open context is built from the tenant of
 * the call, and a record whose stored tenant disagrees is refused
 * (RECORD_MISMATCH); a rewritten copy can't be opened for B, whose tenant
 * its sealed key is not bound to (KEY_UNDECRYPTABLE).
 */
import { expect, it } from 'vitest';
import { attackerServer, canaryKey, expectNoPlaintext, expectRefused, platformVault } from './attacker.js';
import { describeAgainstEveryStore } from './stores.js';

describeAgainstEveryStore('copied rows', (target) => {
  const cases = [
    { keepStoredTenant: true, code: 'RECORD_MISMATCH', title: 'a verbatim copy (still naming tenant A)' },
    { keepStoredTenant: false, code: 'KEY_UNDECRYPTABLE', title: 'a copy with its tenant rewritten to B' },
  ] as const;

  for (const { keepStoredTenant, code, title } of cases) {
    it(`${title} gives tenant B nothing: every use fails with ${code}, no request leaves, A's key stays A's`, async (ctx) => {
      const { store, copyRow, dump } = target();
      const server = await attackerServer();
      try {
        const vault = platformVault(store);
        const a = vault.as({ tenantId: 'tenant-a', actor: { id: 'owner-a', role: 'owner' } });
        const b = vault.as({ tenantId: 'tenant-b', actor: { id: 'owner-b', role: 'owner' } });
        const key = canaryKey();
        const gateway = await a.createConfig({
          name: 'gateway',
          provider: 'custom',
          routes: ['openai'],
          baseUrl: 'https://gateway.tenant-a.example/v1',
        });
        await a.setKey(gateway.id, key);
        if (!(await copyRow({ tenantId: 'tenant-a', id: gateway.id }, 'tenant-b', { keepStoredTenant }))) {
          ctx.skip('a row of this backend has one tenant column: a verbatim copy cannot exist');
        }
        const before = await dump();

        await expectRefused(() => vault.resolve({ tenantId: 'tenant-b', provider: 'openai' }), code, key);
        await expectRefused(() => vault.resolve({ tenantId: 'tenant-b', config: gateway.id }), code, key);
        await expectRefused(() => b.updateConfig(gateway.id, { baseUrl: server.url }), code, key);
        await expectRefused(() => b.validateKey(gateway.id), code, key);
        await expectRefused(() => b.setEnabled(gateway.id, true).then(() => b.validateKey(gateway.id)), code, key);
        if (keepStoredTenant) {
          await expectRefused(() => b.getConfig(gateway.id), code, key);
          await expectRefused(() => b.listConfigs(), code, key);
          await expectRefused(() => b.removeKey(gateway.id), code, key);
        }

        expect(server.received, 'requests that reached the attacker').toStrictEqual([]);
        expect(await dump(), 'the store after the attempts').toBe(before);
        expectNoPlaintext(before, key);
        expectNoPlaintext(
          JSON.stringify([
            await store.listAudit('tenant-a', { limit: 100 }),
            await store.listAudit('tenant-b', { limit: 100 }),
          ]),
          key,
        );
        // A keeps its key, for its own endpoint only.
        const resolution = await vault.resolve({ tenantId: 'tenant-a', provider: 'openai' });
        expect({ source: resolution.source, baseUrl: resolution.baseUrl, key: resolution.key.reveal() }).toStrictEqual({
          source: 'custom',
          baseUrl: 'https://gateway.tenant-a.example/v1',
          key,
        });
      } finally {
        await server.close();
      }
    });
  }
});
