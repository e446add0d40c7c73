/**
 * Group `vaultRoundTrip`: the real vault (real envelope crypto) over the
 * adapter under test: a canary provider key set through the vault resolves
 * back, and (with a raw dump) never reaches the backend in plaintext, and
 * its sealed form is gone after the config is deleted; a workload route
 * set through the vault is stored in the settings document, audited in
 * the same step, and resolves its config.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
// By the package name, not a relative path: the testing entry is built on its
// own, and must use the same vault (and error classes) as the host's adapters.
import { Keyring, createVault, workloadRoutes } from 'byokit';
import { makeTenantIds, uniqueSuffix } from './fixtures.js';
import { NO_RAW_DUMP, dumpOf, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

/** Registers the `vaultRoundTrip` group. */
export function describeVaultRoundTrip(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'vault round trip'), () => {
    const sut = useStore(options);

    it('a key set through the vault resolves back, and its view, audit and errors never show it', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const vault = createVault({ store, keyring: Keyring.generate() });
      const admin = vault.as({ tenantId: a, actor: { id: 'u1', role: 'owner' } });
      const canary = `sk-proj-canary${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}`;
      const config = await admin.createConfig({ name: 'canary', provider: 'openai' });
      const view = await admin.setKey(config.id, canary);
      expect(JSON.stringify(view)).not.toContain(canary);
      const resolution = await vault.resolve({ tenantId: a, provider: 'openai' });
      expect(resolution.key.reveal()).toBe(canary);
      const audit = await store.listAudit(a, { limit: 100 });
      expect(JSON.stringify(audit)).not.toContain(canary);
      const [candidate] = await store.loadCandidates(a, ['']);
      expect(typeof candidate?.sealedKey).toBe('string');
      expect(candidate!.sealedKey).not.toContain(canary);
      expect(JSON.stringify(audit)).not.toContain(candidate!.sealedKey);
    });

    it(`a key set through the vault never reaches the backend in plaintext, and its sealed form is gone after delete (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { store } = current;
      const { a } = makeTenantIds();
      const vault = createVault({ store, keyring: Keyring.generate() });
      const admin = vault.as({ tenantId: a, actor: { id: 'u1', role: 'owner' } });
      const canary = `sk-proj-canary${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}`;
      const config = await admin.createConfig({ name: 'canary', provider: 'openai' });
      await admin.setKey(config.id, canary);
      const sealed = (await store.loadCandidates(a, ['']))[0]!.sealedKey!;
      let dump = (await dumpOf(current))!;
      expect(dump).not.toContain(canary);
      expect(dump).toContain(sealed);
      expect((await vault.resolve({ tenantId: a, provider: 'openai' })).key.reveal()).toBe(canary);
      await admin.deleteConfig(config.id);
      dump = (await dumpOf(current))!;
      expect(dump).not.toContain(sealed);
      expect(dump).not.toContain(canary);
    });

    it('a workload route set through the vault is kept in the settings document, audited, and resolves its config; a deleted config leaves it dangling', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const vault = createVault({ store, keyring: Keyring.generate(), routes: workloadRoutes() });
      const admin = vault.as({ tenantId: a, actor: { id: 'u1', role: 'owner' } });
      const chat = await admin.createConfig({ name: 'chat', provider: 'openai', isDefault: true });
      await admin.setKey(chat.id, `sk-proj-chat${uniqueSuffix()}${uniqueSuffix()}`);
      const embed = await admin.createConfig({ name: 'embed', provider: 'openai', scope: 'ws1' });
      await admin.setKey(embed.id, `sk-proj-embed${uniqueSuffix()}${uniqueSuffix()}`);
      await admin.setRoute('embeddings', embed.id, { scope: 'ws1' });
      expect((await store.getSettings(a))?.document).toStrictEqual({ routes: { ws1: { embeddings: embed.id } } });
      expect(await store.getSettings(b)).toBeNull();
      const [event] = (await store.listAudit(a, { type: 'route.changed', limit: 10 })).items;
      expect(event).toMatchObject({
        tenantId: a,
        configId: embed.id,
        type: 'route.changed',
        detail: { route: 'embeddings', scope: 'ws1', revision: 1 },
      });
      expect(
        (await vault.resolve({ tenantId: a, scope: 'ws1/p1', provider: 'openai', route: 'embeddings' })).configId,
      ).toBe(embed.id);
      expect((await vault.resolve({ tenantId: a, provider: 'openai', route: 'embeddings' })).configId).toBe(chat.id);
      await admin.deleteConfig(embed.id);
      expect(await admin.listRoutes()).toMatchObject([{ route: 'embeddings', scope: 'ws1', state: 'dangling' }]);
      expect(
        (await vault.resolve({ tenantId: a, scope: 'ws1', provider: 'openai', route: 'embeddings' })).configId,
      ).toBe(chat.id);
    });
  });
}
