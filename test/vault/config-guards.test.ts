import { describe, expect, it } from 'vitest';
import { createVault, type AuthorizeFn, type KekProvider } from '../../src/index.js';
import { CANARY, makeVault } from './helpers.js';

describe('updateConfig treats undefined as "not given"', () => {
  it('an undefined baseUrl neither re-seals nor loses the key, and writes nothing', async () => {
    const { vault, owner, store } = makeVault();
    const cfg = await owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://gw.example/v1',
      routes: ['openai'],
    });
    await owner.setKey(cfg.id, CANARY);
    const before = JSON.stringify(store.inspectRaw('acme'));
    const view = await owner.updateConfig(cfg.id, {
      baseUrl: undefined,
      scope: undefined,
      routes: undefined,
      provider: undefined,
      model: undefined,
    });
    expect(view.revision).toBe(2);
    expect(JSON.stringify(store.inspectRaw('acme'))).toBe(before);
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal()).toBe(CANARY);
  });

  it('a base URL change is audited with both URLs', async () => {
    const { owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'gw', provider: 'custom', baseUrl: 'https://a.example/v1' });
    await owner.setKey(cfg.id, CANARY);
    await owner.updateConfig(cfg.id, { baseUrl: 'https://b.example/v1' });
    const [event] = (await owner.listAudit({ type: 'config.updated' })).items;
    expect(event).toMatchObject({
      changes: ['baseUrl', 'key'],
      detail: { fromBaseUrl: 'https://a.example/v1', toBaseUrl: 'https://b.example/v1' },
    });
  });
});

describe('explicit config naming a provider it does not serve', () => {
  it('fails with PROVIDER_MISMATCH instead of paying with another key', async () => {
    const { vault, owner } = makeVault({ platformKeys: { anthropic: 'sk-ant-platform-000000000000000000000001' } });
    const cfg = await owner.createConfig({ name: 'prod-openai', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    await expect(
      vault.resolve({ tenantId: 'acme', config: 'prod-openai', provider: 'anthropic' }),
    ).rejects.toMatchObject({ code: 'PROVIDER_MISMATCH' });
    await expect(vault.resolve({ tenantId: 'acme', config: 'prod-openai', provider: 'openai' })).resolves.toMatchObject(
      { source: 'byok' },
    );
  });
});

describe('moving a config with a key to another scope decides who uses the key', () => {
  it('needs key:manage, and the policy sees scope, provider and fields', async () => {
    const { owner, store, keyring } = makeVault();
    const keyed = await owner.createConfig({ name: 'p', provider: 'openai', scope: 'ws1' });
    const keyless = await owner.createConfig({ name: 'q', provider: 'openai', scope: 'ws1' });
    await owner.setKey(keyed.id, CANARY);
    const asked: unknown[] = [];
    const authorize: AuthorizeFn = (_actor, permission, context) => {
      if (permission === 'key:manage') asked.push(context);
      return permission !== 'key:manage';
    };
    const editor = createVault({ store, keyring, authorize }).as({ tenantId: 'acme', actor: { id: 'editor' } });
    await expect(editor.updateConfig(keyed.id, { scope: '' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      permission: 'key:manage',
    });
    expect(asked).toEqual([
      expect.objectContaining({
        action: 'updateConfig',
        configId: keyed.id,
        scope: 'ws1',
        provider: 'openai',
        fields: ['scope'],
      }),
    ]);
    await expect(editor.updateConfig(keyless.id, { scope: '' })).resolves.toMatchObject({ scope: '' });
  });
});

describe('narrow audit actors, fixed tenant handles, and refused expiries, id-like names and KEK ids', () => {
  it('audit events keep only the actor id and role', async () => {
    const { vault } = makeVault();
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
    await admin.createConfig({ name: 'p', provider: 'openai' });
    const [event] = (await admin.listAudit()).items;
    expect(event!.actor).toEqual({ id: 'u1', role: 'owner' });
    expect(() => vault.as({ tenantId: 'acme', actor: { id: 'u1', sessionToken: 'SECRET' } as never })).toThrow(
      /unknown field/,
    );
  });

  it('a tenant handle cannot be re-pointed at another tenant', async () => {
    const { owner } = makeVault();
    expect(() => {
      (owner as { tenantId: string }).tenantId = 'globex';
    }).toThrow(TypeError);
    expect(owner.tenantId).toBe('acme');
  });

  it('refuses an expiry in the past, and a name that reads as a config id', async () => {
    const { owner } = makeVault({ now: () => new Date('2026-06-01T00:00:00Z') });
    const cfg = await owner.createConfig({ name: 'p', provider: 'openai' });
    await expect(owner.setKey(cfg.id, CANARY, { expiresAt: '2026-05-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      owner.createConfig({ name: 'cfg_01JD0000000000000000000000', provider: 'openai' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('createVault refuses a KEK provider whose primary id the sealed format cannot hold', () => {
    const kms: KekProvider = {
      primaryKekId: 'arn:aws:kms:eu-west-1:1:key/x',
      hasKek: () => true,
      wrapDek: async () => new Uint8Array(1),
      unwrapDek: async () => new Uint8Array(32),
    };
    expect(() => makeVault({ keyring: kms })).toThrow(expect.objectContaining({ code: 'KEYRING_INVALID' }));
  });
});

describe('the endpoint policy', () => {
  it('is asked before a base URL is stored and before validateKey calls it, after the address rule', async () => {
    const asked: string[] = [];
    let allowLoopback = true;
    const { owner } = makeVault({
      // The local address is allowed by the opt-in; the host's function can only narrow it.
      allowPrivateEndpoints: ['127.0.0.1'],
      endpointPolicy: (url, request) => {
        asked.push(`${request.action} ${url.hostname}`);
        return url.protocol === 'https:' || (allowLoopback && url.hostname === '127.0.0.1');
      },
    });
    // Refused by the address rule before the host's function is asked.
    await expect(
      owner.createConfig({ name: 'x', provider: 'custom', baseUrl: 'http://169.254.169.254/latest' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const cfg = await owner.createConfig({ name: 'gw', provider: 'custom', baseUrl: 'https://gw.example/v1' });
    await expect(owner.updateConfig(cfg.id, { baseUrl: 'http://10.0.0.7/v1' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    // Refused by the host's function although the address rule allows it.
    await expect(owner.updateConfig(cfg.id, { baseUrl: 'http://gw.example/v1' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const local = await owner.createConfig({ name: 'local', provider: 'custom', baseUrl: 'http://127.0.0.1:9/v1' });
    await owner.setKey(local.id, CANARY);
    allowLoopback = false;
    await expect(owner.validateKey(local.id)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(asked).toEqual([
      'createConfig gw.example',
      'updateConfig gw.example',
      'createConfig 127.0.0.1',
      'validateKey 127.0.0.1',
    ]);
  });
});
