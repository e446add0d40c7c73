/**
 * What a resolution carries and what the vault does around the decision:
 * options, the guard's verdicts, the platform key's parts, the trace, the
 * usage event, and the errors when no key can be handed out.
 */
import { describe, expect, it } from 'vitest';
import {
  Keyring,
  MemoryStore,
  NoKeyError,
  byokEntitlement,
  ResolutionDeniedError,
  type GuardRequest,
  type Resolution,
  type UsageEvent,
} from '../../src/index.js';
import { makeVault, refusal } from './helpers.js';

const OPENAI = 'sk-proj-AAAAaaaa1111bbbb2222cccc3333';
const PLATFORM = 'sk-proj-platform0000zzzz9999yyyy8888';

async function flush() {
  await new Promise((r) => setImmediate(r));
}

describe('a resolution carries its config', () => {
  it('the config’s options, model, base URL, scope and names, frozen', async () => {
    const { vault, owner } = makeVault();
    const cfg = await owner.createConfig({
      name: 'azure',
      provider: 'openai',
      model: 'gpt-4o',
      scope: 'ws',
      options: { apiVersion: '2024-10-21', deployment: 'prod', retries: 2, beta: true },
    });
    await owner.setKey(cfg.id, OPENAI);
    const r = await vault.resolve({ tenantId: 'acme', scope: 'ws/proj', provider: 'openai' });
    expect(r).toMatchObject({
      source: 'byok',
      tenantId: 'acme',
      accessKeyId: null,
      scope: 'ws/proj',
      configScope: 'ws',
      provider: 'openai',
      requestedProvider: 'openai',
      model: 'gpt-4o',
      baseUrl: null,
      configId: cfg.id,
      configName: 'azure',
      keyHint: 'sk-proj-...3333',
    });
    expect(r.options).toEqual({ apiVersion: '2024-10-21', deployment: 'prod', retries: 2, beta: true });
    expect(
      Object.isFrozen(r.options) &&
        Object.isFrozen(r) &&
        Object.isFrozen(r.trace) &&
        r.trace.every((e) => Object.isFrozen(e)),
    ).toBe(true);
  });

  it('with no provider named, the requested provider is null', async () => {
    const { vault, owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI);
    const r = await vault.resolve({ tenantId: 'acme' });
    expect(r).toMatchObject({ provider: 'openai', requestedProvider: null, configId: cfg.id });
    expect(r.trace).toEqual([{ step: 'recent', scope: '', configId: cfg.id, configName: 'prod', outcome: 'selected' }]);
  });
});

describe('a resolution carries the platform key’s parts', () => {
  it('its options, model and base URL', async () => {
    const { vault } = makeVault({
      platformKeys: {
        openai: {
          apiKey: PLATFORM,
          model: 'gpt-4o-mini',
          baseUrl: 'https://gw.example/v1',
          options: { organization: 'org-1' },
        },
      },
    });
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r).toMatchObject({
      source: 'platform',
      provider: 'openai',
      configScope: null,
      configId: null,
      configName: null,
      model: 'gpt-4o-mini',
      baseUrl: 'https://gw.example/v1',
      keyHint: 'sk-proj-...8888',
    });
    expect(r.options).toEqual({ organization: 'org-1' });
    expect(Object.isFrozen(r.options)).toBe(true);
    expect(r.key.reveal()).toBe(PLATFORM);
    expect(r.trace).toEqual([
      { step: 'byok', scope: '', outcome: 'none' },
      { step: 'platform', outcome: 'selected' },
    ]);
  });

  it('none of them when the key is a plain string: no model, no base URL, empty options', async () => {
    const { vault } = makeVault({ platformKeys: { openai: PLATFORM } });
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r).toMatchObject({ model: null, baseUrl: null });
    expect(r.options).toEqual({});
  });

  it('a platform key is hinted with the provider’s public prefixes; an unknown provider gets none', async () => {
    const { vault } = makeVault({ platformKeys: { openai: PLATFORM, 'no-such-provider': 'xx-0000zzzz9999yyyy8888' } });
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).keyHint).toBe('sk-proj-...8888');
  });

  it('no platform key for a provider the map does not own (not even an inherited one)', async () => {
    const keys = Object.create({ openai: PLATFORM }) as Record<string, string>;
    const { vault } = makeVault({ platformKeys: keys });
    expect((await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }))).code).toBe('NO_KEY');
  });
});

describe('when no key can be handed out', () => {
  it('a vault created without platform keys, with no usable config, refuses with NO_KEY and the whole trace', async () => {
    const { vault, owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'off', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI);
    await owner.setEnabled(cfg.id, false);
    const error = await refusal(vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai', explain: true }));
    expect(error).toBeInstanceOf(NoKeyError);
    expect(error.message).toBe(
      '[byokit] [resolve] no key for tenant "acme", scope "ws", provider "openai": no usable config and no platform key',
    );
    expect((error as NoKeyError).trace).toEqual([
      { step: 'byok', scope: 'ws', outcome: 'none' },
      { step: 'byok', scope: '', configId: cfg.id, configName: 'off', outcome: 'skipped', reason: 'disabled' },
      { step: 'platform', outcome: 'skipped', reason: 'no_platform_key' },
    ]);
    expect(Object.isFrozen((error as NoKeyError).trace)).toBe(true);
  });

  it('no provider named and no config: the message says so', async () => {
    const { vault } = makeVault({ platformKeys: { openai: PLATFORM } });
    const error = await refusal(vault.resolve({ tenantId: 'acme' }));
    expect(error.message).toBe(
      '[byokit] [resolve] no key for tenant "acme", scope "", any provider: no usable config and no provider named for a platform key',
    );
    expect((error as NoKeyError).trace.at(-1)).toEqual({ step: 'platform', outcome: 'skipped', reason: 'no_provider' });
  });

  it('fallback none: the message says so', async () => {
    const { vault } = makeVault({ platformKeys: { openai: PLATFORM }, fallback: 'none' });
    const error = await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }));
    expect(error.message).toBe(
      '[byokit] [resolve] no key for tenant "acme", scope "", provider "openai": no usable config and the fallback policy is "none"',
    );
  });

  it('a named config that does not exist is NOT_FOUND, named in the message', async () => {
    const { vault } = makeVault({ platformKeys: { openai: PLATFORM } });
    const error = await refusal(vault.resolve({ tenantId: 'acme', scope: 'ws', config: 'nope' }));
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: '[byokit] [resolve] no config "nope" visible from tenant "acme", scope "ws", config "nope"',
    });
  });

  it('a named config of another provider is PROVIDER_MISMATCH, named in the message', async () => {
    const { vault, owner } = makeVault({ platformKeys: { openai: PLATFORM } });
    const cfg = await owner.createConfig({ name: 'claude', provider: 'anthropic' });
    await owner.setKey(cfg.id, 'sk-ant-api03-AAAAaaaa1111bbbb2222cccc3333');
    const error = await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai', config: 'claude' }));
    expect(error).toMatchObject({
      code: 'PROVIDER_MISMATCH',
      message: '[byokit] [resolve] config "claude" is a anthropic config and does not serve provider "openai"',
    });
  });
});

describe('the guard', () => {
  const setup = (guard: (request: GuardRequest) => unknown) =>
    makeVault({ platformKeys: { openai: PLATFORM }, guard: guard as never });

  it('allows anything that is not an object with a string deny', async () => {
    for (const verdict of [
      undefined,
      null,
      {},
      { allow: true },
      { deny: 42 },
      { deny: null },
      'deny',
      Promise.resolve({}),
    ]) {
      const { vault } = setup(() => verdict);
      expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).source).toBe('platform');
    }
  });

  it('refuses with its reason when it returns or resolves to { deny }', async () => {
    for (const verdict of [{ deny: 'over quota' }, Promise.resolve({ deny: 'over quota' })]) {
      const { vault } = setup(() => verdict);
      const error = await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }));
      expect(error).toBeInstanceOf(ResolutionDeniedError);
      expect(error).toMatchObject({ code: 'RESOLUTION_DENIED', reason: 'over quota' });
    }
    const { vault } = setup(() => ({ deny: '' }));
    expect((await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }))).code).toBe('RESOLUTION_DENIED');
  });

  it('sees the request and what is about to be handed out, for a config and for the platform key', async () => {
    const seen: GuardRequest[] = [];
    const { vault, owner } = makeVault({
      platformKeys: { openai: { apiKey: PLATFORM, model: 'gpt-4o-mini' } },
      guard: (r) => void seen.push(r),
    });
    const gw = await owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://gw.example/v1',
      routes: ['anthropic'],
      model: 'claude-x',
      scope: 'ws',
    });
    await owner.setKey(gw.id, 'gw-key-CCCCcccc7777dddd8888eeee');
    await vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'anthropic' });
    await vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai' });
    expect(seen).toEqual([
      {
        tenantId: 'acme',
        scope: 'ws',
        provider: 'custom',
        requestedProvider: 'anthropic',
        configId: gw.id,
        model: 'claude-x',
        source: 'custom',
        accessKeyId: null,
      },
      {
        tenantId: 'acme',
        scope: 'ws',
        provider: 'openai',
        requestedProvider: 'openai',
        configId: null,
        model: 'gpt-4o-mini',
        source: 'platform',
        accessKeyId: null,
      },
    ]);
  });

  it('is asked before the key is opened: a denied config key is never decrypted', async () => {
    const { vault, owner, keyring } = makeVault({ guard: () => ({ deny: 'no' }) });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI);
    let unwraps = 0;
    const unwrap = keyring.unwrapDek.bind(keyring);
    keyring.unwrapDek = (args) => {
      unwraps += 1;
      return unwrap(args);
    };
    expect((await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }))).code).toBe('RESOLUTION_DENIED');
    expect(unwraps).toBe(0);
  });
});

describe('the usage event', () => {
  it('reports who, what, whose key and when', async () => {
    const usage: UsageEvent[] = [];
    const { vault, owner } = makeVault({ onResolve: (e) => void usage.push(e) });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o', scope: 'ws' });
    await owner.setKey(cfg.id, OPENAI);
    const r: Resolution = await vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai' });
    await flush();
    expect(usage).toEqual([
      {
        tenantId: 'acme',
        accessKeyId: null,
        scope: 'ws',
        provider: 'openai',
        requestedProvider: 'openai',
        configId: cfg.id,
        configName: 'prod',
        model: 'gpt-4o',
        source: 'byok',
        at: r.resolvedAt,
      },
    ]);
  });
});

describe('the reads behind a resolution', () => {
  /** Counts loadCandidates calls. */
  class CountingStore extends MemoryStore {
    reads = 0;
    override async loadCandidates(...args: Parameters<MemoryStore['loadCandidates']>) {
      this.reads += 1;
      return super.loadCandidates(...args);
    }
  }

  it('a disabled config named without a provider falls back within its provider, with one more read; a usable one takes one read', async () => {
    const store = new CountingStore();
    const { vault, owner } = makeVault({ store });
    const named = await owner.createConfig({ name: 'named', provider: 'anthropic' });
    await owner.setKey(named.id, 'sk-ant-api03-AAAAaaaa1111bbbb2222cccc3333');
    const sibling = await owner.createConfig({ name: 'sibling', provider: 'anthropic' });
    await owner.setKey(sibling.id, 'sk-ant-api03-BBBBbbbb1111bbbb2222cccc3333');
    const openai = await owner.createConfig({ name: 'openai', provider: 'openai', isDefault: true });
    await owner.setKey(openai.id, OPENAI);
    store.reads = 0;
    expect((await vault.resolve({ tenantId: 'acme', config: 'named' })).configId).toBe(named.id);
    expect(store.reads).toBe(1);
    expect((await vault.resolve({ tenantId: 'acme', config: 'named', provider: 'anthropic' })).configId).toBe(named.id);
    await owner.setEnabled(named.id, false);
    store.reads = 0;
    const r = await vault.resolve({ tenantId: 'acme', config: 'named' });
    expect(r).toMatchObject({ configId: sibling.id, provider: 'anthropic', requestedProvider: null });
    expect(store.reads).toBe(2);
    store.reads = 0;
    expect((await vault.resolve({ tenantId: 'acme', config: 'named', provider: 'anthropic' })).configId).toBe(
      sibling.id,
    );
    expect((await vault.resolve({ tenantId: 'acme', config: 'named', explain: true })).configId).toBe(sibling.id);
    expect(store.reads).toBe(2);
  });
});

describe('a key that cannot be opened fails closed', () => {
  it('a KEK gone from the keyring: KEY_UNDECRYPTABLE naming the config, with the cause', async () => {
    const { store, owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI);
    const { vault } = makeVault({ store, keyring: Keyring.generate('k2'), platformKeys: { openai: PLATFORM } });
    const error = await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }));
    expect(error).toMatchObject({
      code: 'KEY_UNDECRYPTABLE',
      message: `[byokit] [resolve] the key of config ${cfg.id} ("prod") can't be opened; re-enter it`,
    });
    expect((error.cause as { code?: string }).code).toBe('KEK_UNKNOWN');
  });

  it('a row with a hint but no sealed key: KEY_UNDECRYPTABLE, no platform key, no cause', async () => {
    const { vault, store, owner } = makeVault({ platformKeys: { openai: PLATFORM } });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI);
    const row = store.inspectRaw('acme').configs.find((c) => c.id === cfg.id)!;
    store.putRaw('acme', { ...row, sealedKey: null });
    const error = await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }));
    expect(error).toMatchObject({
      code: 'KEY_UNDECRYPTABLE',
      message: `[byokit] [resolve] the key of config ${cfg.id} ("prod") can't be opened; re-enter it`,
    });
    expect(error.cause).toBeUndefined();
  });
});

describe('the hint a resolution shows', () => {
  it('is the stored hint of the config, not one made again from the key', async () => {
    const { vault, store, owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, OPENAI);
    const row = store.inspectRaw('acme').configs.find((c) => c.id === cfg.id)!;
    store.putRaw('acme', { ...row, keyHint: 'stored...hint' });
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).keyHint).toBe('stored...hint');
  });
});

describe('a store that fails', () => {
  it('fails the resolution with STORE_FAILED naming the read', async () => {
    class BrokenStore extends MemoryStore {
      override async loadCandidates(): Promise<never> {
        throw new Error('connection reset');
      }
    }
    const { vault } = makeVault({ store: new BrokenStore(), platformKeys: { openai: PLATFORM } });
    const error = await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }));
    expect(error).toMatchObject({
      code: 'STORE_FAILED',
      message: '[byokit] [vault] memory store failed during loadCandidates',
    });
  });
});

describe('what resolve accepts', () => {
  it('refuses a closed vault, and input that is not a request object', async () => {
    const { vault } = makeVault({ platformKeys: { openai: PLATFORM } });
    for (const input of [null, 'acme', 42]) {
      expect((await refusal(vault.resolve(input as never))).code).toBe('VALIDATION_FAILED');
    }
    expect((await refusal(vault.resolve({ tenantId: 42 } as never))).message).toMatch(/resolve request/);
    await vault.close();
    expect((await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }))).code).toBe('VAULT_CLOSED');
  });

  it('a platform key that is not a non-empty string is no key', async () => {
    for (const apiKey of [['sk-proj-platform0000zzzz9999yyyy8888'], 42, '']) {
      const { vault } = makeVault({ platformKeys: { openai: { apiKey } as never } });
      expect((await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }))).code).toBe('NO_KEY');
    }
  });

  it('a platform key of a provider byokit does not know is hinted without a prefix', async () => {
    const { vault } = makeVault({ platformKeys: { voicebox: 'sk-proj-platform0000zzzz9999yyyy8888' } });
    expect((await vault.resolve({ tenantId: 'acme', provider: 'voicebox' })).keyHint).toBe('...8888');
  });
});

describe('entitlement and the filtered read', () => {
  it('a winner the tenant is not entitled to, met below the asked scope, is read past: the next config wins, not the platform key', async () => {
    const { vault, owner } = makeVault({
      platformKeys: { openai: PLATFORM },
      entitlement: byokEntitlement({ default: 'enabled' }),
    });
    const gw = await owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://gw.example/v1',
      routes: ['openai'],
    });
    await owner.setKey(gw.id, 'gw-key-0000000000000000000001');
    const own = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(own.id, OPENAI);
    await vault.setEntitlement('acme', { byok: true, providers: ['openai'] });
    const r = await vault.resolve({ tenantId: 'acme', scope: 'ws/proj', provider: 'openai' });
    expect(r).toMatchObject({ source: 'byok', configId: own.id });
    expect(r.trace).toEqual([
      { step: 'byok', scope: 'ws/proj', outcome: 'none' },
      { step: 'byok', scope: 'ws', outcome: 'none' },
      { step: 'custom', scope: '', configId: gw.id, configName: 'gw', outcome: 'skipped', reason: 'not_entitled' },
      { step: 'byok', scope: '', configId: own.id, configName: 'own', outcome: 'selected' },
    ]);
  });
});
