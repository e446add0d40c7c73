import { describe, expect, it } from 'vitest';
import { MemoryStore, byokEntitlement, workloadRoutes, type AuthorizeFn } from '../../src/index.js';
import { CANARY, makeVault, refusal } from './helpers.js';

const ANTHROPIC_KEY = 'sk-ant-api03-CANARYcanary0123456789abcdefANTH';
const EMBED_KEY = 'sk-proj-embeddingsKEY0123456789abcdefEMBD';

async function setup(options: Parameters<typeof makeVault>[0] = {}) {
  const made = makeVault({
    routes: workloadRoutes(),
    platformKeys: { openai: 'sk-platform-0000000000000000000000p1' },
    ...options,
  });
  const { owner } = made;
  const chat = await owner.createConfig({ name: 'chat', provider: 'openai', isDefault: true });
  await owner.setKey(chat.id, CANARY);
  const embed = await owner.createConfig({ name: 'embeddings', provider: 'openai' });
  await owner.setKey(embed.id, EMBED_KEY);
  const claude = await owner.createConfig({ name: 'claude', provider: 'anthropic', scope: 'ws1' });
  await owner.setKey(claude.id, ANTHROPIC_KEY);
  return { ...made, chat, embed, claude };
}

describe('workload routes', () => {
  it('a route picks its config; without one the request falls back to the provider default', async () => {
    const { vault, owner, chat, embed } = await setup();
    const view = await owner.setRoute('embeddings', embed.id);
    expect(view).toStrictEqual({
      route: 'embeddings',
      scope: '',
      configId: embed.id,
      configName: 'embeddings',
      provider: 'openai',
      state: 'ok',
    });

    const routed = await vault.resolve({ tenantId: 'acme', provider: 'openai', route: 'embeddings' });
    expect(routed.configId).toBe(embed.id);
    expect(routed.key.reveal()).toBe(EMBED_KEY);
    expect(routed.trace[0]).toStrictEqual({
      step: 'route',
      route: 'embeddings',
      scope: '',
      configId: embed.id,
      configName: 'embeddings',
      outcome: 'selected',
    });

    const unrouted = await vault.resolve({ tenantId: 'acme', provider: 'openai', route: 'vision' });
    expect(unrouted.configId).toBe(chat.id);
    expect(unrouted.trace[0]).toStrictEqual({ step: 'route', route: 'vision', outcome: 'none' });
    // No provider named: the route alone says which config.
    expect((await vault.resolve({ tenantId: 'acme', route: 'embeddings' })).configId).toBe(embed.id);
  });

  it('the route nearest the asked scope wins; a scope routes only to configs it can reach', async () => {
    const { vault, owner, embed, claude } = await setup();
    await owner.setRoute('chat', embed.id);
    await owner.setRoute('chat', claude.id, { scope: 'ws1' });
    expect((await vault.resolve({ tenantId: 'acme', scope: 'ws1/p7', route: 'chat' })).configId).toBe(claude.id);
    expect((await vault.resolve({ tenantId: 'acme', scope: 'ws2', route: 'chat' })).configId).toBe(embed.id);
    expect((await vault.resolve({ tenantId: 'acme', route: 'chat' })).configId).toBe(embed.id);

    const error = await refusal(owner.setRoute('chat', claude.id, { scope: 'ws2' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/never reach/);
    expect((await refusal(owner.setRoute('chat', 'cfg_00000000000000000000000000'))).code).toBe('NOT_FOUND');
    expect((await refusal(owner.setRoute('Not A Name!', embed.id))).code).toBe('VALIDATION_FAILED');
  });

  it('a route whose config does not serve the named provider, or is gone, is passed over (traced), not an error', async () => {
    const { vault, owner, chat, embed, claude } = await setup();
    await owner.setRoute('chat', claude.id, { scope: 'ws1' });
    const mismatch = await vault.resolve({ tenantId: 'acme', scope: 'ws1', provider: 'openai', route: 'chat' });
    expect(mismatch.configId).toBe(chat.id);
    expect(mismatch.trace[0]).toMatchObject({
      step: 'route',
      configId: claude.id,
      outcome: 'skipped',
      reason: 'provider_mismatch',
    });

    await owner.setRoute('batch', embed.id);
    await owner.deleteConfig(embed.id);
    const dangling = await vault.resolve({ tenantId: 'acme', provider: 'openai', route: 'batch' });
    expect(dangling.configId).toBe(chat.id);
    expect(dangling.trace[0]).toStrictEqual({
      step: 'route',
      route: 'batch',
      scope: '',
      configId: embed.id,
      outcome: 'skipped',
      reason: 'route_dangling',
    });
    // A config moved out of the route's scope chain dangles too.
    await owner.updateConfig(claude.id, { scope: 'ws2' });
    expect(await owner.listRoutes({ scope: 'ws1' })).toMatchObject([{ route: 'chat', state: 'dangling' }]);
    await owner.updateConfig(claude.id, { scope: 'ws1' });
    const views = await owner.listRoutes();
    expect(views).toStrictEqual([
      { route: 'batch', scope: '', configId: embed.id, configName: null, provider: null, state: 'dangling' },
      { route: 'chat', scope: 'ws1', configId: claude.id, configName: 'claude', provider: 'anthropic', state: 'ok' },
    ]);
  });

  it('a routed config that is disabled falls through to its provider, as a named config does', async () => {
    const { vault, owner, chat, embed } = await setup();
    await owner.setRoute('embeddings', embed.id);
    await owner.setEnabled(embed.id, false);
    const r = await vault.resolve({ tenantId: 'acme', route: 'embeddings' });
    expect(r.configId).toBe(chat.id);
    expect(r.trace[0]).toMatchObject({
      step: 'route',
      route: 'embeddings',
      configId: embed.id,
      outcome: 'skipped',
      reason: 'disabled',
    });
  });

  it('every change is audited with the route, scope and previous config; removing a route restores the fallback', async () => {
    const { vault, owner, store, chat, embed } = await setup();
    await owner.setRoute('embeddings', embed.id);
    await owner.setRoute('embeddings', chat.id);
    await owner.setRoute('embeddings', chat.id); // unchanged: no write, no event
    await owner.removeRoute('embeddings');
    const events = (await owner.listAudit({ type: 'route.changed' })).items.reverse();
    expect(events.map((e) => e.detail)).toStrictEqual([
      {
        route: 'embeddings',
        scope: '',
        configId: embed.id,
        configName: 'embeddings',
        previousConfigId: null,
        revision: 1,
      },
      {
        route: 'embeddings',
        scope: '',
        configId: chat.id,
        configName: 'chat',
        previousConfigId: embed.id,
        revision: 2,
      },
      { route: 'embeddings', scope: '', configId: null, configName: null, previousConfigId: chat.id, revision: 3 },
    ]);
    expect(events.map((e) => e.actor)).toStrictEqual(Array(3).fill({ id: 'owner-1', role: 'owner' }));
    expect(await owner.listRoutes()).toStrictEqual([]);
    expect((await store.getSettings('acme'))?.document).toStrictEqual({ routes: {} });
    expect((await vault.resolve({ tenantId: 'acme', route: 'embeddings' })).configId).toBe(chat.id);
  });

  it('routes share the settings document with the entitlement, and neither write drops the other', async () => {
    const { vault, owner, store, embed } = await setup({ entitlement: byokEntitlement({ default: 'enabled' }) });
    await owner.setRoute('embeddings', embed.id);
    await vault.setEntitlement('acme', { byok: true, providers: ['openai'] });
    await owner.setRoute('chat', embed.id, { scope: 'ws1' });
    expect((await store.getSettings('acme'))?.document).toStrictEqual({
      routes: { '': { embeddings: embed.id }, ws1: { chat: embed.id } },
      entitlement: { byok: true, providers: ['openai'] },
    });
    // The one settings read serves both the route and the entitlement.
    expect((await vault.resolve({ tenantId: 'acme', route: 'embeddings' })).configId).toBe(embed.id);
  });

  it('permissions: config:write in the scope to set, config:read to list', async () => {
    const seen: string[] = [];
    const authorize: AuthorizeFn = (actor, permission, { scope }) => {
      seen.push(`${actor.role}:${permission}:${scope ?? '-'}`);
      return actor.role === 'owner' || permission === 'config:read';
    };
    const { vault, embed } = await setup({ authorize });
    const viewer = vault.as({ tenantId: 'acme', actor: { id: 'v1', role: 'viewer' } });
    expect((await refusal(viewer.setRoute('chat', embed.id, { scope: 'ws1' }))).code).toBe('PERMISSION_DENIED');
    expect(seen).toContain('viewer:config:write:ws1');
    expect(await viewer.listRoutes()).toStrictEqual([]);
  });

  it('bad requests are typed errors: route with config, a bad route name, and no routes option', async () => {
    const { vault, embed } = await setup();
    expect((await refusal(vault.resolve({ tenantId: 'acme', route: 'chat', config: embed.id }))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refusal(vault.resolve({ tenantId: 'acme', route: 'Chat Bot' }))).code).toBe('VALIDATION_FAILED');
    const plain = makeVault({ store: new MemoryStore() });
    const error = await refusal(plain.vault.resolve({ tenantId: 'acme', route: 'chat' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/routes: not set/);
    expect((await refusal(plain.owner.listRoutes())).code).toBe('VALIDATION_FAILED');
  });
});
