import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  Keyring,
  MemoryStore,
  NotEntitledError,
  accessKeys,
  byokEntitlement,
  type SettingsRecord,
} from '../../src/index.js';
import { CANARY, makeVault, refusal } from './helpers.js';

const PLATFORM = 'sk-platform-0000000000000000000000p1';

function setup(fallback: 'enabled' | 'disabled' = 'enabled', store = new MemoryStore()) {
  return makeVault({ store, platformKeys: { openai: PLATFORM }, entitlement: byokEntitlement({ default: fallback }) });
}

describe('BYOK entitlement', () => {
  it('default enabled: tenants bring keys until the platform switches BYOK off; their keys stay stored and resolution falls to the platform key', async () => {
    const { vault, owner, store } = setup('enabled');
    const cfg = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).source).toBe('byok');

    expect(await vault.setEntitlement('acme', { byok: false }, { actor: { id: 'platform-admin' } })).toStrictEqual({
      byok: false,
      providers: null,
    });
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.source).toBe('platform');
    expect(r.trace).toContainEqual({
      step: 'byok',
      scope: '',
      configId: cfg.id,
      configName: 'own',
      outcome: 'skipped',
      reason: 'not_entitled',
    });
    expect((await owner.getConfig(cfg.id)).keyState).toBe('active');
    expect((await store.loadSealedConfig('acme', cfg.id))?.sealedKey).toMatch(/^byokit:1:/);

    const error = await refusal(owner.setKey(cfg.id, 'sk-proj-another00000000000000000000001'));
    expect(error).toBeInstanceOf(NotEntitledError);
    expect(error.code).toBe('BYOK_NOT_ENTITLED');
    expect((await owner.getConfig(cfg.id)).keyHint).toBe('sk-proj-...XYZW');

    await vault.setEntitlement('acme', { byok: true });
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configId).toBe(cfg.id);
  });

  it("default disabled: no tenant may set keys until entitled; other tenants are unaffected by one tenant's setting", async () => {
    const { vault, owner } = setup('disabled');
    const cfg = await owner.createConfig({ name: 'own', provider: 'openai' });
    expect((await refusal(owner.setKey(cfg.id, CANARY))).code).toBe('BYOK_NOT_ENTITLED');
    expect(await vault.getEntitlement('acme')).toStrictEqual({ byok: false, providers: null });
    await vault.setEntitlement('acme', { byok: true });
    await owner.setKey(cfg.id, CANARY);
    expect(await vault.getEntitlement('other')).toStrictEqual({ byok: false, providers: null });
    const other = vault.as({ tenantId: 'other', actor: { id: 'o', role: 'owner' } });
    const theirs = await other.createConfig({ name: 'own', provider: 'openai' });
    expect((await refusal(other.setKey(theirs.id, CANARY))).code).toBe('BYOK_NOT_ENTITLED');
  });

  it('a provider list entitles those providers only; custom endpoints count as BYOK, entitled as provider "custom"', async () => {
    const { vault, owner } = setup('enabled');
    const gw = await owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://gw.example/v1',
      routes: ['openai'],
    });
    await owner.setKey(gw.id, 'gw-key-0000000000000000000001');
    const own = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(own.id, CANARY);
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).source).toBe('custom');

    await vault.setEntitlement('acme', { byok: true, providers: ['openai'] });
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r).toMatchObject({ source: 'byok', configId: own.id });
    expect(r.trace[0]).toMatchObject({ step: 'custom', configId: gw.id, reason: 'not_entitled' });
    expect((await refusal(owner.setKey(gw.id, 'gw-key-0000000000000000000002'))).code).toBe('BYOK_NOT_ENTITLED');

    await vault.setEntitlement('acme', { byok: true, providers: ['custom', 'anthropic'] });
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).source).toBe('custom');
    const mistral = await owner.createConfig({ name: 'm', provider: 'mistral' });
    expect((await refusal(owner.setKey(mistral.id, 'mistral-key-000000000000000000000001'))).code).toBe(
      'BYOK_NOT_ENTITLED',
    );
  });

  it('an explicitly named config the tenant is not entitled to falls through like a disabled one; under fallback "none" that is NO_KEY', async () => {
    const store = new MemoryStore();
    const { vault, owner } = makeVault({
      store,
      fallback: 'none',
      entitlement: byokEntitlement({ default: 'enabled' }),
    });
    const cfg = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    await vault.setEntitlement('acme', { byok: false });
    const error = await refusal(vault.resolve({ tenantId: 'acme', config: 'own' }));
    expect(error).toMatchObject({ code: 'NO_KEY' });
    expect((error as unknown as { trace: unknown[] }).trace[0]).toMatchObject({
      step: 'explicit',
      reason: 'not_entitled',
    });
  });

  it('applies to access-key resolutions too (the settings come with the access-key read)', async () => {
    const { vault, owner } = makeVault({
      platformKeys: { openai: PLATFORM },
      entitlement: byokEntitlement({ default: 'enabled' }),
      accessKeys: accessKeys({ keyring: Keyring.generate() }),
    });
    const cfg = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    const { secret } = await owner.createAccessKey({ name: 'app' });
    expect((await vault.resolve({ accessKey: secret, provider: 'openai' })).source).toBe('byok');
    await vault.setEntitlement('acme', { byok: false });
    expect((await vault.resolve({ accessKey: secret, provider: 'openai' })).source).toBe('platform');
  });

  it('is audited with the platform actor (or none), once per change; an unchanged setting writes nothing', async () => {
    const { vault, owner } = setup('enabled');
    await vault.setEntitlement(
      'acme',
      { byok: true, providers: ['openai', 'anthropic'] },
      { actor: { id: 'platform-admin', role: 'staff' } },
    );
    await vault.setEntitlement('acme', { byok: true, providers: ['openai', 'anthropic'] });
    await vault.setEntitlement('acme', { byok: false });
    const events = (await owner.listAudit({ type: 'entitlement.changed' })).items;
    expect(events.map((e) => [e.actor, e.configId, e.changes, e.detail])).toStrictEqual([
      [null, null, ['entitlement'], { byok: false, providers: null, revision: 2 }],
      [
        { id: 'platform-admin', role: 'staff' },
        null,
        ['entitlement'],
        { byok: true, providers: 'openai,anthropic', revision: 1 },
      ],
    ]);
  });

  it('checks its input: unknown providers and fields, a bad tenant or actor fail typed and write nothing', async () => {
    const { vault, owner, store } = setup('enabled');
    const bad: [string, unknown, unknown][] = [
      ['acme', { byok: true, providers: ['nope'] }, undefined],
      ['acme', { byok: 'yes' }, undefined],
      ['acme', { byok: true, extra: 1 }, undefined],
      ['bad tenant!', { byok: true }, undefined],
      ['acme', { byok: true }, { name: 'no id' }],
    ];
    for (const [tenant, input, actor] of bad) {
      const error = await refusal(vault.setEntitlement(tenant, input as never, { actor: actor as never }));
      expect(error.code, JSON.stringify(input)).toBe('VALIDATION_FAILED');
    }
    expect(await store.getSettings('acme')).toBeNull();
    expect((await owner.listAudit()).items).toStrictEqual([]);
  });

  it('without the entitlement option, setEntitlement fails naming it, every tenant may bring keys, and resolution reads no settings', async () => {
    const calls: string[] = [];
    class Counting extends MemoryStore {
      override async getSettings(tenantId: string) {
        calls.push('getSettings');
        return super.getSettings(tenantId);
      }
    }
    const { vault, owner } = makeVault({ store: new Counting() });
    expect(await refusal(vault.setEntitlement('acme', { byok: false }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'entitlement' }],
    });
    const cfg = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(calls).toStrictEqual([]);
    expect(() => byokEntitlement({ default: 'maybe' as never })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('keeps the settings sections it does not know, and fails closed on a stored document that does not validate', async () => {
    const store = new MemoryStore();
    const { vault } = setup('enabled', store);
    const audit = {
      id: 'evt_01JD3Q0000000000000000000A',
      at: '2026-01-01T00:00:00.000Z',
      tenantId: 'acme',
      configId: null,
      actor: null,
      type: 'entitlement.changed' as const,
      changes: [],
      keyHint: null,
      detail: {},
    };
    const later: SettingsRecord = {
      tenantId: 'acme',
      document: { laterSection: { chat: ['openai'] } },
      revision: 1,
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await store.putSettings(later, { audit, expectedRevision: 0 });
    await vault.setEntitlement('acme', { byok: false });
    expect((await store.getSettings('acme'))?.document).toStrictEqual({
      laterSection: { chat: ['openai'] },
      entitlement: { byok: false, providers: null },
    });

    await store.putSettings(
      { ...later, document: { entitlement: { byok: 'no' } } as never, revision: 3 },
      { audit: { ...audit, id: 'evt_01JD3Q0000000000000000000B' }, expectedRevision: 2 },
    );
    expect(await refusal(vault.resolve({ tenantId: 'acme', provider: 'openai' }))).toMatchObject({
      code: 'STORE_FAILED',
    });
    expect(await refusal(vault.getEntitlement('acme'))).toMatchObject({ code: 'STORE_FAILED' });
  });

  it('concurrent setEntitlement calls all land (compare-and-swap, retried from a fresh read), one revision and one event each', async () => {
    const { vault, owner, store } = setup('enabled');
    const lists = [['openai'], ['anthropic'], ['mistral'], ['cohere'], ['openai', 'anthropic'], ['openai', 'mistral']];
    await Promise.all(lists.map((providers) => vault.setEntitlement('acme', { byok: true, providers })));
    const stored = await store.getSettings('acme');
    expect(stored?.revision).toBe(6);
    expect(
      (await owner.listAudit({ type: 'entitlement.changed' })).items.map((e) => e.detail.revision).sort(),
    ).toStrictEqual([1, 2, 3, 4, 5, 6]);
    const stale = store.putSettings(
      { ...stored!, revision: 6 },
      {
        audit: {
          id: 'evt_01JD3Q0000000000000000000C',
          at: '',
          tenantId: 'acme',
          configId: null,
          actor: null,
          type: 'entitlement.changed',
          changes: [],
          keyHint: null,
          detail: {},
        },
        expectedRevision: 5,
      },
    );
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('BYOK entitlement with the filtered resolution read', () => {
  it('a custom endpoint the tenant is not entitled to does not hide its own provider config behind it', async () => {
    const { vault, owner } = setup('enabled');
    const own = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(own.id, CANARY);
    // Newer and in the same scope: the filtered read's winner is the custom endpoint, which routes openai.
    const gateway = await owner.createConfig({
      name: 'gateway',
      provider: 'custom',
      baseUrl: 'https://gw.example.com/v1',
      routes: ['openai'],
    });
    await owner.setKey(gateway.id, 'gw-token-000000000001');
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configId).toBe(gateway.id);

    await vault.setEntitlement('acme', { byok: true, providers: ['openai'] });
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r).toMatchObject({ source: 'byok', configId: own.id });
    expect(r.trace).toContainEqual(
      expect.objectContaining({ configId: gateway.id, outcome: 'skipped', reason: 'not_entitled' }),
    );
  });

  it('importConfigs refuses keys for providers the tenant is not entitled to, and writes nothing', async () => {
    const { vault, owner } = setup('enabled');
    await vault.setEntitlement('acme', { byok: true, providers: ['openai'] });
    const error = await refusal(
      owner.importConfigs([
        { name: 'a', provider: 'openai', key: 'sk-proj-IMPORTentitled0000000000000001' },
        { name: 'b', provider: 'anthropic', key: 'sk-ant-api03-IMPORTnotentitled0000001' },
      ]),
    );
    expect(error.code).toBe('BYOK_NOT_ENTITLED');
    expect((await owner.listConfigs()).items).toStrictEqual([]);
    // A config without a key is no BYOK: it imports.
    expect((await owner.importConfigs([{ name: 'c', provider: 'anthropic' }])).created).toBe(1);
  });
});
