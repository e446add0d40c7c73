import { describe, expect, it } from 'vitest';
import { ByokitError, Keyring, type Resolution, type UsageEvent } from '../../src/index.js';
import { makeVault } from './helpers.js';

const OPENAI_A = 'sk-proj-AAAAaaaa1111bbbb2222cccc3333';
const OPENAI_B = 'sk-proj-BBBBbbbb4444cccc5555dddd6666';
const GATEWAY = 'gw-key-CCCCcccc7777dddd8888eeee';
const PLATFORM = 'sk-platform-0000zzzz9999yyyy8888';

function setup(options: Parameters<typeof makeVault>[0] = {}) {
  const usage: UsageEvent[] = [];
  const ctx = makeVault({ platformKeys: { openai: PLATFORM }, onResolve: (e) => void usage.push(e), ...options });
  return { ...ctx, usage };
}

async function flush() {
  await new Promise((r) => setImmediate(r));
}

describe('vault.resolve: precedence through the real vault', () => {
  it('uses the platform key when the tenant has nothing, and reports source platform', async () => {
    const { vault, usage } = setup();
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.source).toBe('platform');
    expect(r.key.reveal()).toBe(PLATFORM);
    expect(r.configId).toBeNull();
    await flush();
    expect(usage).toEqual([
      expect.objectContaining({ tenantId: 'acme', provider: 'openai', source: 'platform', configId: null }),
    ]);
  });

  it('a tenant key beats the platform key; the trace says why', async () => {
    const { vault, owner, usage } = setup();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o' });
    await owner.setKey(cfg.id, OPENAI_A);
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r).toMatchObject({
      source: 'byok',
      provider: 'openai',
      model: 'gpt-4o',
      configId: cfg.id,
      configName: 'prod',
      keyHint: 'sk-proj-...3333',
    });
    expect(r.key.reveal()).toBe(OPENAI_A);
    expect(r.trace).toEqual([{ step: 'byok', scope: '', configId: cfg.id, configName: 'prod', outcome: 'selected' }]);
    await flush();
    expect(usage.at(-1)).toMatchObject({ source: 'byok', configId: cfg.id, model: 'gpt-4o' });
  });

  it('a custom endpoint routing the provider wins, with source custom and its base URL', async () => {
    const { vault, owner, usage } = setup();
    const byok = await owner.createConfig({ name: 'byok', provider: 'openai', isDefault: true });
    await owner.setKey(byok.id, OPENAI_A);
    const gw = await owner.createConfig({
      name: 'gateway',
      provider: 'custom',
      baseUrl: 'https://gw.example/v1',
      routes: ['openai', 'anthropic'],
    });
    await owner.setKey(gw.id, GATEWAY);
    const r = await vault.resolve({ tenantId: 'acme', provider: 'anthropic' });
    expect(r).toMatchObject({
      source: 'custom',
      provider: 'custom',
      requestedProvider: 'anthropic',
      baseUrl: 'https://gw.example/v1',
    });
    expect(r.key.reveal()).toBe(GATEWAY);
    await flush();
    expect(usage.at(-1)).toMatchObject({ source: 'custom', provider: 'custom', requestedProvider: 'anthropic' });
  });

  it('an explicitly named config (by name or id) wins', async () => {
    const { vault, owner } = setup();
    const a = await owner.createConfig({ name: 'a', provider: 'openai', isDefault: true });
    await owner.setKey(a.id, OPENAI_A);
    const b = await owner.createConfig({ name: 'b', provider: 'openai' });
    await owner.setKey(b.id, OPENAI_B);
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configId).toBe(a.id);
    expect((await vault.resolve({ tenantId: 'acme', config: 'b' })).key.reveal()).toBe(OPENAI_B);
    expect((await vault.resolve({ tenantId: 'acme', config: b.id })).configName).toBe('b');
    await expect(vault.resolve({ tenantId: 'acme', config: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('default, else most recent; a disabled or removed key falls through', async () => {
    const { vault, owner } = setup();
    const a = await owner.createConfig({ name: 'a', provider: 'openai' });
    await owner.setKey(a.id, OPENAI_A);
    const b = await owner.createConfig({ name: 'b', provider: 'openai' });
    await owner.setKey(b.id, OPENAI_B);
    const pick = async () => (await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configName;
    expect(await pick()).toBe('b');
    await owner.setDefault(a.id);
    expect(await pick()).toBe('a');
    await owner.setEnabled(a.id, false);
    expect(await pick()).toBe('b');
    await owner.removeKey(b.id);
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.source).toBe('platform');
    // Rows that can't win are never read, so the trace says only that the scope had no usable config.
    expect(r.trace).toEqual([
      { step: 'byok', scope: '', outcome: 'none' },
      { step: 'platform', outcome: 'selected' },
    ]);
    // explain: true reads the whole scope chain, and the trace names every config passed over and why.
    const explained = await vault.resolve({ tenantId: 'acme', provider: 'openai', explain: true });
    expect(explained.source).toBe('platform');
    expect(explained.trace.map((t) => [t.configName, t.reason])).toEqual([
      ['a', 'disabled'],
      ['b', 'missing_key'],
      [undefined, undefined],
    ]);
  });

  it('walks project > workspace > tenant', async () => {
    const { vault, owner } = setup();
    const tenantCfg = await owner.createConfig({ name: 'org', provider: 'openai' });
    await owner.setKey(tenantCfg.id, OPENAI_A);
    const ws = await owner.createConfig({ name: 'ws', provider: 'openai', scope: 'eng' });
    await owner.setKey(ws.id, OPENAI_B);
    expect((await vault.resolve({ tenantId: 'acme', scope: 'eng/api', provider: 'openai' })).configName).toBe('ws');
    expect((await vault.resolve({ tenantId: 'acme', scope: 'sales/crm', provider: 'openai' })).configName).toBe('org');
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configName).toBe('org');
  });

  it("fallback 'none' never uses a platform key", async () => {
    const { vault } = setup({ fallback: 'none' });
    const error = await vault.resolve({ tenantId: 'acme', provider: 'openai' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NO_KEY' });
    expect((error as { trace: unknown[] }).trace.at(-1)).toMatchObject({ reason: 'fallback_none' });
  });

  it('an async platform-key function is asked per tenant and provider; an empty key counts as none', async () => {
    const asked: unknown[] = [];
    const { vault } = setup({
      platformKeys: async (req) => {
        asked.push(req);
        return req.provider === 'openai'
          ? { apiKey: PLATFORM, baseUrl: 'https://eu.example/v1', model: 'gpt-4o-mini' }
          : '';
      },
    });
    const r = await vault.resolve({ tenantId: 'acme', scope: 'eng', provider: 'openai' });
    expect(r).toMatchObject({ source: 'platform', baseUrl: 'https://eu.example/v1', model: 'gpt-4o-mini' });
    await expect(vault.resolve({ tenantId: 'acme', provider: 'anthropic' })).rejects.toMatchObject({ code: 'NO_KEY' });
    expect(asked).toEqual([
      { tenantId: 'acme', scope: 'eng', provider: 'openai' },
      { tenantId: 'acme', scope: '', provider: 'anthropic' },
    ]);
  });

  it('a present, enabled key that cannot be opened fails closed: no platform fallback', async () => {
    const { store, owner } = setup();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI_A);
    // The same data, but the keyring lost the KEK (e.g. it was rotated out without a rewrap).
    const { vault: after } = makeVault({ store, keyring: Keyring.generate('k9'), platformKeys: { openai: PLATFORM } });
    const error = await after.resolve({ tenantId: 'acme', provider: 'openai' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ByokitError);
    expect(error).toMatchObject({ code: 'KEY_UNDECRYPTABLE' });
    const view = await after.as({ tenantId: 'acme', actor: { id: 'o', role: 'owner' } }).getConfig(cfg.id);
    expect(view.keyState).toBe('undecryptable');
  });

  it('tenants never see each other', async () => {
    const { vault, owner } = setup({ platformKeys: {} });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI_A);
    await expect(vault.resolve({ tenantId: 'globex', provider: 'openai' })).rejects.toMatchObject({ code: 'NO_KEY' });
    await expect(vault.resolve({ tenantId: 'globex', config: cfg.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const other = vault.as({ tenantId: 'globex', actor: { id: 'x', role: 'owner' } });
    await expect(other.getConfig(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('Resolution is a snapshot (rule 8)', () => {
  it('later key, default and enable changes never touch a resolution already handed out', async () => {
    const { vault, owner } = setup();
    const a = await owner.createConfig({ name: 'a', provider: 'openai', isDefault: true, model: 'gpt-4o' });
    await owner.setKey(a.id, OPENAI_A);
    const b = await owner.createConfig({ name: 'b', provider: 'openai' });
    await owner.setKey(b.id, OPENAI_B);
    const r: Resolution = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    const before = JSON.stringify(r);
    await owner.setKey(a.id, 'sk-proj-REPLACEDreplaced00000000zzzz');
    await owner.updateConfig(a.id, { model: 'gpt-4o-mini' });
    await owner.setDefault(b.id);
    await owner.deleteConfig(a.id);
    expect(r.key.reveal()).toBe(OPENAI_A);
    expect(r.model).toBe('gpt-4o');
    expect(JSON.stringify(r)).toBe(before);
    expect(
      Object.isFrozen(r) && Object.isFrozen(r.trace) && Object.isFrozen(r.trace[0]) && Object.isFrozen(r.options),
    ).toBe(true);
    expect(() => {
      (r as { source: string }).source = 'platform';
    }).toThrow(TypeError);
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configName).toBe('b');
  });
});
