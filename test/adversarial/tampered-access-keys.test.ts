/**
 * Attack: someone with write access to the backend (but not to the
 * access-key keyring) edits a stored access key behind the adapter to make
 * their own token serve more: moves it into a victim tenant, widens its
 * scope to the whole tenant, drops its provider or model allow-list, or
 * lifts its quota. Each would turn a sandboxed token into a key to the
 * victim's provider keys.
 *
 * What stops it: the stored hash is an HMAC keyed by a key the store never
 * sees, over the secret AND the key's tenant, id, scope, allow-lists and
 * quota. Any edit makes the token fail verification, with the one refusal
 * an unknown token gets (`ACCESS_KEY_INVALID`), and no key of the victim is
 * opened or shown.
 */
import { expect, it } from 'vitest';
import { Keyring, accessKeys } from '../../src/index.js';
import { canaryKey, expectNoPlaintext, expectRefused, platformVault } from './attacker.js';
import { describeAgainstEveryStore, type AccessKeyEdit } from './stores.js';

const edits: [string, AccessKeyEdit][] = [
  ['moved into the victim tenant', { tenantId: 'victim' }],
  ['widened to the whole tenant', { scope: '' }],
  ['without its provider allow-list', { providers: null }],
  ['with another provider allowed', { providers: ['mistral', 'openai'] }],
  ['without its model allow-list', { models: null }],
  ['without its quota', { quota: null }],
  ['with its quota raised', { quota: { requests: { limit: 1_000_000, per: 'day' } } }],
];

/** Why a store kind can't hold this attack, or `null`. */
function cannotRun(storeName: string): string | null {
  if (storeName === 'memory') return 'no raw write behind the memory store';
  if (storeName.includes('0.1 schema')) return 'the 0.1 schema has no access-key tables (migration 003 adds them)';
  return null;
}

describeAgainstEveryStore('access keys edited behind the adapter', (target, storeName) => {
  const skipReason = cannotRun(storeName);
  for (const [title, edit] of edits) {
    it(`a token whose key was ${title} is refused like an unknown one (${skipReason === null ? 'raw edit' : `skipped: ${skipReason}`})`, async (ctx) => {
      if (skipReason !== null) ctx.skip(skipReason);
      const { store, editAccessKey } = target();
      const vault = platformVault(store, { accessKeys: accessKeys({ keyring: Keyring.generate('h1') }) });
      const victim = vault.as({ tenantId: 'victim', actor: { id: 'owner', role: 'owner' } });
      const victimKey = canaryKey();
      const config = await victim.createConfig({ name: 'prod', provider: 'openai' });
      await victim.setKey(config.id, victimKey);

      const own = vault.as({ tenantId: 'evil', actor: { id: 'evil', role: 'owner' } });
      const mistral = await own.createConfig({ name: 'sandbox', provider: 'mistral', scope: 'sandbox' });
      await own.setKey(mistral.id, 'mistral-key-000000000000000000000001');
      const { accessKey, secret } = await own.createAccessKey({
        name: 'app',
        scope: 'sandbox',
        providers: ['mistral'],
        models: ['mistral-small'],
        quota: { requests: { limit: 1, per: 'day' } },
      });
      expect(await editAccessKey('evil', accessKey.id, edit)).toBe(true);

      for (const request of [
        { provider: 'openai' },
        { provider: 'mistral', model: 'mistral-small' },
        { provider: 'openai', model: 'gpt-4o' },
      ]) {
        await expectRefused(() => vault.resolve({ accessKey: secret, ...request }), 'ACCESS_KEY_INVALID', victimKey);
      }
      expectNoPlaintext(JSON.stringify(await store.listAudit('victim', { limit: 100 })), victimKey);
      // The victim's own resolution is untouched.
      expect((await vault.resolve({ tenantId: 'victim', provider: 'openai' })).key.reveal()).toBe(victimKey);
    });
  }

  it(`an unedited token still works: the refusals above are the edits${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, async (ctx) => {
    if (storeName.includes('0.1 schema')) ctx.skip(skipReason!);
    const { store } = target();
    const vault = platformVault(store, { accessKeys: accessKeys({ keyring: Keyring.generate('h1') }) });
    const own = vault.as({ tenantId: 'evil', actor: { id: 'evil', role: 'owner' } });
    const mistral = await own.createConfig({ name: 'sandbox', provider: 'mistral', scope: 'sandbox' });
    await own.setKey(mistral.id, 'mistral-key-000000000000000000000001');
    const { secret } = await own.createAccessKey({
      name: 'app',
      scope: 'sandbox',
      providers: ['mistral'],
      models: ['mistral-small'],
    });
    expect((await vault.resolve({ accessKey: secret, provider: 'mistral', model: 'mistral-small' })).configId).toBe(
      mistral.id,
    );
  });
});
