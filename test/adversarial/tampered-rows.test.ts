/**
 * Attack: tamper with a stored config behind the adapter so that its row
 * and its sealed key disagree, and see whether byokit fails open.
 * - Null the sealed key, leave the hint: the view said `active` while
 *   resolution silently used the platform key.
 * - Remove the hint, leave the sealed key: the view said `missing` while
 *   resolution kept using the key.
 * - Change the row's KEK id to the new KEK: rewrap skipped a key still
 *   sealed under the old KEK and reported `remaining: 0`, so removing the
 *   old KEK lost it.
 *
 * What stops it: key state and the KEK id are derived from the sealed value
 * itself (no adapter stores a KEK id any more), and a row whose hint and
 * sealed value disagree is `undecryptable`: resolution fails closed with
 * KEY_UNDECRYPTABLE, never with another key.
 */
import { expect, it } from 'vitest';
import { Keyring, createVault } from '../../src/index.js';
import { PLATFORM_KEY, canaryKey, expectNoPlaintext, expectRefused, platformVault } from './attacker.js';
import { describeAgainstEveryStore } from './stores.js';

const K1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
const K2 = { id: 'k2', key: new Uint8Array(32).fill(2) };

describeAgainstEveryStore('tampered rows', (target) => {
  for (const [title, tamper] of [
    ['a hint left without its sealed key', { dropSealedKey: true }],
    ['a sealed key left without its hint', { dropHint: true }],
  ] as const) {
    it(`${title} shows undecryptable and fails resolution closed, never with the platform key`, async () => {
      const { store, tamper: write, dump } = target();
      const vault = platformVault(store);
      const owner = vault.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
      const key = canaryKey();
      const config = await owner.createConfig({ name: 'prod', provider: 'openai' });
      await owner.setKey(config.id, key);
      expect(await write('acme', config.id, tamper)).toBe(true);
      const before = await dump();

      expect((await owner.getConfig(config.id)).keyState).toBe('undecryptable');
      expect((await owner.listConfigs()).items.map((v) => v.keyState)).toStrictEqual(['undecryptable']);
      await expectRefused(() => vault.resolve({ tenantId: 'acme', provider: 'openai' }), 'KEY_UNDECRYPTABLE', key);
      await expectRefused(
        () => vault.resolve({ tenantId: 'acme', provider: 'openai', scope: 'ws1/proj7' }),
        'KEY_UNDECRYPTABLE',
        PLATFORM_KEY,
      );
      await expectRefused(() => vault.resolve({ tenantId: 'acme', config: 'prod' }), 'KEY_UNDECRYPTABLE', key);
      await expectRefused(() => owner.validateKey(config.id), 'KEY_UNDECRYPTABLE', key);
      expect(await dump()).toBe(before);
      expectNoPlaintext(JSON.stringify(await store.listAudit('acme', { limit: 100 })), key);

      // Disabling it is still a way out (a disabled config falls through), and re-entering the key repairs it.
      await owner.setEnabled(config.id, false);
      expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).source).toBe('platform');
      await owner.setEnabled(config.id, true);
      await owner.setKey(config.id, key);
      expect((await owner.getConfig(config.id)).keyState).toBe('active');
      expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal()).toBe(key);
    });
  }

  it('a row claiming the new KEK for a key still sealed under the old one is still rewrapped: removing the old KEK loses nothing', async () => {
    const { store, tamper } = target();
    const before = createVault({ store, keyring: Keyring.fromKeys([K1]) });
    const owner = before.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
    const key = canaryKey();
    const config = await owner.createConfig({ name: 'prod', provider: 'openai', scope: 'ws1' });
    await owner.setKey(config.id, key);
    // Where the layout still keeps a KEK id beside the sealed key (a Redis hash field, a 0.1 kek_id column), claim k2.
    await tamper('acme', config.id, { claimKekId: 'k2' });
    expect((await store.getConfig('acme', config.id))?.kekId).toBe('k1');

    const rotated = createVault({ store, keyring: Keyring.fromKeys([K2, K1]) });
    expect(await rotated.rewrapKeys({ tenantId: 'acme' })).toStrictEqual({ rewrapped: 1, failed: [], remaining: 0 });
    expect(await rotated.rewrapKeys({ tenantId: 'acme' })).toStrictEqual({ rewrapped: 0, failed: [], remaining: 0 });

    // The old KEK is gone now: the key must still open.
    const after = createVault({ store, keyring: Keyring.fromKeys([K2]) });
    const admin = after.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
    expect((await admin.getConfig(config.id)).keyState).toBe('active');
    expect((await after.resolve({ tenantId: 'acme', scope: 'ws1', provider: 'openai' })).key.reveal()).toBe(key);
  });

  it('a row claiming an old KEK for a key already under the new one neither fails nor counts as remaining', async () => {
    const { store, tamper } = target();
    const vault = createVault({ store, keyring: Keyring.fromKeys([K2, K1]) });
    const owner = vault.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
    const config = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(config.id, canaryKey());
    await tamper('acme', config.id, { claimKekId: 'k1' });
    expect(await vault.rewrapKeys({ tenantId: 'acme' })).toStrictEqual({ rewrapped: 0, failed: [], remaining: 0 });
    expect((await owner.getConfig(config.id)).keyState).toBe('active');
  });
});
