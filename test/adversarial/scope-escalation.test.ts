/**
 * Attack: a project admin, whom the host's policy allows everything inside
 * their own project only, captures the traffic of every project.
 * - Move: they move their keyed custom endpoint from their project to the
 *   tenant root (the policy was asked about the source scope only), so
 *   every project's requests resolve to their endpoint.
 * - Routes: someone who may edit configs but not manage keys widens the
 *   routes of a keyed custom endpoint at the root (only `config:write` was
 *   asked), with the same effect.
 *
 * What stops it: a move asks the policy about both scopes (`scope` is each
 * end in turn, `toScope` the destination), `key:manage` too when the config
 * has a key; a routes change on a keyed config needs `key:manage`.
 */
import { expect, it } from 'vitest';
import type { AuthorizeContext, AuthorizeFn, Permission } from '../../src/index.js';
import { attackerServer, canaryKey, expectRefused, platformVault } from './attacker.js';
import { describeAgainstEveryStore } from './stores.js';

/**
 * Alice administers project "eng/alice" and nothing else; the owner
 * everything; Eve edits configs but manages no key. Written as hosts wrote
 * policies for 0.1, which named a scope only where it knew one: where byokit
 * names a scope, it must be inside Alice's project.
 */
const hostPolicy: AuthorizeFn = (actor, permission: Permission, context: AuthorizeContext) => {
  if (actor.id === 'owner') return true;
  if (actor.id === 'eve') return permission === 'config:read' || permission === 'config:write';
  if (actor.id !== 'alice') return false;
  if (context.scope === undefined) return true;
  return context.scope === 'eng/alice' || context.scope.startsWith('eng/alice/');
};

describeAgainstEveryStore('scope escalation', (target) => {
  it('a project admin can’t move a keyed custom endpoint out of their project to capture every project’s traffic', async () => {
    const { store, dump } = target();
    const server = await attackerServer();
    try {
      const vault = platformVault(store, { authorize: hostPolicy });
      const alice = vault.as({ tenantId: 'acme', actor: { id: 'alice' } });
      const gateway = await alice.createConfig({
        name: 'alice-gw',
        provider: 'custom',
        scope: 'eng/alice',
        routes: ['openai'],
        baseUrl: server.url,
      });
      await alice.setKey(gateway.id, canaryKey());
      // Alice may still do what her role is for: inside her project.
      await alice.updateConfig(gateway.id, { name: 'alice-gateway', scope: 'eng/alice/beta' });
      await alice.updateConfig(gateway.id, { scope: 'eng/alice' });
      const before = await dump();

      for (const scope of ['', 'eng', 'eng/bob']) {
        await expectRefused(
          () => alice.updateConfig(gateway.id, { scope }),
          'PERMISSION_DENIED',
          'no key in this error',
        );
        await expectRefused(
          () => alice.updateConfig(gateway.id, { scope, name: 'renamed-too' }),
          'PERMISSION_DENIED',
          'no key in this error',
        );
      }
      expect(await dump()).toBe(before);
      // Without a key the move still needs config:write where it lands.
      const keyless = await alice.createConfig({ name: 'alice-notes', provider: 'openai', scope: 'eng/alice' });
      const withKeyless = await dump();
      await expectRefused(
        () => alice.updateConfig(keyless.id, { scope: '' }),
        'PERMISSION_DENIED',
        'no key in this error',
      );
      expect(await dump()).toBe(withKeyless);

      for (const scope of ['eng/bob', 'eng', '', 'ops/carol']) {
        const resolution = await vault.resolve({ tenantId: 'acme', scope, provider: 'openai' });
        expect(resolution.source, `scope "${scope}"`).toBe('platform');
      }
      expect(server.received).toStrictEqual([]);
    } finally {
      await server.close();
    }
  });

  it('the policy is asked about both ends of a move, and sees where it goes', async () => {
    const { store } = target();
    const asked: Array<{ permission: Permission; scope?: string; toScope?: string }> = [];
    const vault = platformVault(store, {
      authorize: (actor, permission, context) => {
        if (context.action === 'updateConfig')
          asked.push({ permission, scope: context.scope, toScope: context.toScope });
        return actor.id === 'owner';
      },
    });
    const owner = vault.as({ tenantId: 'acme', actor: { id: 'owner' } });
    const config = await owner.createConfig({ name: 'p', provider: 'openai', scope: 'eng/alice' });
    await owner.setKey(config.id, canaryKey());
    await owner.updateConfig(config.id, { scope: '' });
    expect(asked).toStrictEqual([
      { permission: 'config:write', scope: 'eng/alice', toScope: '' },
      { permission: 'config:write', scope: '', toScope: '' },
      { permission: 'key:manage', scope: 'eng/alice', toScope: '' },
      { permission: 'key:manage', scope: '', toScope: '' },
    ]);
  });

  it('someone who may edit configs but not manage keys can’t widen the routes of a keyed custom endpoint', async () => {
    const { store, dump } = target();
    const vault = platformVault(store, { authorize: hostPolicy });
    const owner = vault.as({ tenantId: 'acme', actor: { id: 'owner' } });
    const eve = vault.as({ tenantId: 'acme', actor: { id: 'eve' } });
    const gateway = await owner.createConfig({
      name: 'mistral-gw',
      provider: 'custom',
      routes: ['mistral'],
      baseUrl: 'https://gw.acme.example/v1',
    });
    await owner.setKey(gateway.id, canaryKey());
    const before = await dump();

    await expectRefused(
      () => eve.updateConfig(gateway.id, { routes: ['mistral', 'openai'] }),
      'PERMISSION_DENIED',
      'no key in this error',
    );
    await expectRefused(
      () => eve.updateConfig(gateway.id, { routes: ['openai'], name: 'renamed' }),
      'PERMISSION_DENIED',
      'no key in this error',
    );
    expect(await dump()).toBe(before);
    expect((await vault.resolve({ tenantId: 'acme', scope: 'eng/bob', provider: 'openai' })).source).toBe('platform');

    // Renaming it is still Eve's to do; routes of a keyless endpoint too.
    await eve.updateConfig(gateway.id, { name: 'mistral-gateway' });
    const keyless = await owner.createConfig({
      name: 'spare-gw',
      provider: 'custom',
      routes: ['mistral'],
      baseUrl: 'https://spare.acme.example/v1',
    });
    await eve.updateConfig(keyless.id, { routes: ['mistral', 'cohere'] });
  });
});
