import { describe, expect, it } from 'vitest';
import { ResolutionDeniedError, type GuardRequest, type UsageEvent } from '../../src/index.js';
import { makeVault } from './helpers.js';

const PLATFORM = 'sk-platform-0000zzzz9999yyyy8888';
const flush = () => new Promise((r) => setImmediate(r));

describe('usage attribution (rule 11)', () => {
  it('reports tenant, scope, provider, config, source and time for each precedence case', async () => {
    const usage: UsageEvent[] = [];
    const { vault, owner } = makeVault({
      platformKeys: { openai: PLATFORM },
      onResolve: (e) => void usage.push(e),
      now: () => new Date('2026-05-05T05:05:05.000Z'),
    });
    await vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai' });
    const byok = await owner.createConfig({ name: 'mine', provider: 'openai', model: 'gpt-4o' });
    await owner.setKey(byok.id, 'sk-proj-MINEmine0000000000000000001111');
    await vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai' });
    const gw = await owner.createConfig({
      name: 'gw',
      provider: 'custom',
      scope: 'ws',
      baseUrl: 'https://gw.example/v1',
      routes: ['openai'],
    });
    await owner.setKey(gw.id, 'gw-key-0000000000000000000002');
    await vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai' });
    await flush();
    expect(usage).toEqual([
      {
        tenantId: 'acme',
        accessKeyId: null,
        scope: 'ws',
        provider: 'openai',
        requestedProvider: 'openai',
        configId: null,
        configName: null,
        model: null,
        source: 'platform',
        at: '2026-05-05T05:05:05.000Z',
      },
      {
        tenantId: 'acme',
        accessKeyId: null,
        scope: 'ws',
        provider: 'openai',
        requestedProvider: 'openai',
        configId: byok.id,
        configName: 'mine',
        model: 'gpt-4o',
        source: 'byok',
        at: '2026-05-05T05:05:05.000Z',
      },
      {
        tenantId: 'acme',
        accessKeyId: null,
        scope: 'ws',
        provider: 'custom',
        requestedProvider: 'openai',
        configId: gw.id,
        configName: 'gw',
        model: null,
        source: 'custom',
        at: '2026-05-05T05:05:05.000Z',
      },
    ]);
  });

  it('a failing usage hook never fails the resolution', async () => {
    const errors: string[] = [];
    const { vault } = makeVault({
      platformKeys: { openai: PLATFORM },
      onResolve: () => {
        throw new Error('meter down');
      },
      onHookError: (e, hook) => void errors.push(`${hook}: ${(e as Error).message}`),
    });
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).resolves.toMatchObject({
      source: 'platform',
    });
    expect(errors).toEqual(['onResolve: meter down']);
  });
});

describe('the guard hook', () => {
  it('enforces a per-tenant quota on platform-key calls only (the quota example)', async () => {
    const used = new Map<string, number>();
    const seen: GuardRequest[] = [];
    const { vault, owner } = makeVault({
      platformKeys: { openai: PLATFORM },
      guard: (req) => {
        seen.push(req);
        if (req.source !== 'platform') return;
        const count = (used.get(req.tenantId) ?? 0) + 1;
        if (count > 2) return { deny: `platform quota of 2 calls used up for ${req.tenantId}` };
        used.set(req.tenantId, count);
      },
    });
    await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    const denied = await vault.resolve({ tenantId: 'acme', provider: 'openai' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ResolutionDeniedError);
    expect(denied).toMatchObject({ code: 'RESOLUTION_DENIED', reason: 'platform quota of 2 calls used up for acme' });
    // Their own key is not metered.
    const cfg = await owner.createConfig({ name: 'mine', provider: 'openai' });
    await owner.setKey(cfg.id, 'sk-proj-MINEmine0000000000000000001111');
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).resolves.toMatchObject({ source: 'byok' });
    expect(seen.at(-1)).toEqual({
      tenantId: 'acme',
      accessKeyId: null,
      scope: '',
      provider: 'openai',
      requestedProvider: 'openai',
      configId: cfg.id,
      model: null,
      source: 'byok',
    });
  });

  it('can allow-list providers and models, asynchronously', async () => {
    const { vault, owner } = makeVault({
      guard: async (req) => (req.model === 'gpt-4o' ? undefined : { deny: `model ${req.model} is not on your plan` }),
    });
    const cfg = await owner.createConfig({ name: 'mini', provider: 'openai', model: 'o1-pro' });
    await owner.setKey(cfg.id, 'sk-proj-MINEmine0000000000000000001111');
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).rejects.toMatchObject({
      code: 'RESOLUTION_DENIED',
      reason: 'model o1-pro is not on your plan',
    });
    await owner.updateConfig(cfg.id, { model: 'gpt-4o' });
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).resolves.toMatchObject({ model: 'gpt-4o' });
  });
});
