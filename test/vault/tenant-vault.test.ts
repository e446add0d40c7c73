import { describe, expect, it } from 'vitest';
import { Keyring, MemoryStore, ValidationError, createVault } from '../../src/index.js';
import { CANARY, CANARY_HINT, makeVault } from './helpers.js';

/** Everything the store holds for a tenant, to prove that a rejected call wrote nothing. */
function snapshotStore(store: MemoryStore, tenantId = 'acme') {
  return JSON.stringify(store.inspectRaw(tenantId));
}

describe('configs', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const { owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o' });
    expect(cfg).toMatchObject({
      tenantId: 'acme',
      scope: '',
      name: 'prod',
      provider: 'openai',
      model: 'gpt-4o',
      enabled: true,
      isDefault: false,
      keyHint: null,
      keyState: 'missing',
      revision: 1,
    });
    expect(cfg.id).toMatch(/^cfg_[0-9A-Z]{26}$/);
    expect(await owner.getConfig(cfg.id)).toEqual(cfg);
    const updated = await owner.updateConfig(cfg.id, { name: 'production', model: 'gpt-4o-mini' });
    expect(updated).toMatchObject({ name: 'production', model: 'gpt-4o-mini', revision: 2 });
    expect((await owner.listConfigs()).items.map((c) => c.name)).toEqual(['production']);
    await owner.deleteConfig(cfg.id);
    await expect(owner.getConfig(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(owner.deleteConfig(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists page by page in creation order, filtered by scope and provider', async () => {
    const { owner } = makeVault();
    for (let i = 0; i < 5; i++)
      await owner.createConfig({ name: `c${i}`, provider: i % 2 ? 'anthropic' : 'openai', scope: i < 3 ? '' : 'ws' });
    const first = await owner.listConfigs({ limit: 2 });
    const second = await owner.listConfigs({ limit: 2, cursor: first.nextCursor! });
    const third = await owner.listConfigs({ limit: 2, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((c) => c.name)).toEqual([
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
    ]);
    expect(third.nextCursor).toBeNull();
    expect((await owner.listConfigs({ scope: 'ws' })).items.map((c) => c.name)).toEqual(['c3', 'c4']);
    expect((await owner.listConfigs({ provider: 'anthropic' })).items.map((c) => c.name)).toEqual(['c1', 'c3']);
  });

  it('keeps names unique within a tenant (rule 4), and several configs per provider', async () => {
    const { vault, owner, store } = makeVault();
    await owner.createConfig({ name: 'prod', provider: 'openai' });
    const second = await owner.createConfig({ name: 'cheap', provider: 'openai', model: 'gpt-4o-mini' });
    const before = snapshotStore(store);
    await expect(owner.createConfig({ name: 'prod', provider: 'anthropic' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
    await expect(owner.updateConfig(second.id, { name: 'prod' })).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    expect(snapshotStore(store)).toBe(before);
    // Another tenant may use the same name.
    await expect(
      vault
        .as({ tenantId: 'globex', actor: { id: 'g', role: 'owner' } })
        .createConfig({ name: 'prod', provider: 'openai' }),
    ).resolves.toBeTruthy();
  });

  it('keeps one default per (tenant, scope), even under 200 concurrent calls (rule 5)', async () => {
    const { owner } = makeVault();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await owner.createConfig({ name: `c${i}`, provider: 'openai' })).id);
    const other = await owner.createConfig({ name: 'ws-default', provider: 'openai', scope: 'ws', isDefault: true });
    await Promise.all(Array.from({ length: 200 }, (_, i) => owner.setDefault(ids[i % 20]!)));
    const all = (await owner.listConfigs({ limit: 100 })).items;
    expect(all.filter((c) => c.scope === '' && c.isDefault)).toHaveLength(1);
    expect(all.find((c) => c.id === other.id)?.isDefault).toBe(true);
    const created = await owner.createConfig({ name: 'new-default', provider: 'openai', isDefault: true });
    const after = (await owner.listConfigs({ limit: 100 })).items.filter((c) => c.scope === '' && c.isDefault);
    expect(after.map((c) => c.id)).toEqual([created.id]);
    await owner.setDefault(created.id, false);
    expect((await owner.listConfigs({ limit: 100 })).items.filter((c) => c.scope === '' && c.isDefault)).toHaveLength(
      0,
    );
  });
});

describe('keys (rules 1, 3, 13)', () => {
  it('sets, replaces and removes a key; views carry the hint and state, never the key', async () => {
    const { owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    const set = await owner.setKey(cfg.id, CANARY);
    expect(set).toMatchObject({ keyHint: CANARY_HINT, keyState: 'active' });
    expect(JSON.stringify(set)).not.toContain('byokit:1:');
    const replaced = await owner.setKey(cfg.id, 'sk-proj-secondKEY000000000000000009999');
    expect(replaced.keyHint).toBe('sk-proj-...9999');
    const removed = await owner.removeKey(cfg.id);
    expect(removed).toMatchObject({ keyHint: null, keyState: 'missing', keySetAt: null });
    expect((await owner.getConfig(cfg.id)).name).toBe('prod');
  });

  it('shows disabled, expired and undecryptable states', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const { owner, store } = makeVault({ now: () => now });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY, { expiresAt: '2026-02-01T00:00:00Z' });
    expect((await owner.getConfig(cfg.id)).keyState).toBe('active');
    expect((await owner.setEnabled(cfg.id, false)).keyState).toBe('disabled');
    await owner.setEnabled(cfg.id, true);
    now = new Date('2026-03-01T00:00:00Z');
    expect((await owner.getConfig(cfg.id)).keyState).toBe('expired');
    const lost = createVault({ store, keyring: Keyring.generate('k2') }).as({
      tenantId: 'acme',
      actor: { id: 'o', role: 'owner' },
    });
    expect((await lost.getConfig(cfg.id)).keyState).toBe('undecryptable');
  });

  it('rejects a malformed key with KEY_FORMAT_INVALID, never echoing it, writing nothing', async () => {
    const { owner, store } = makeVault();
    const cfg = await owner.createConfig({ name: 'claude', provider: 'anthropic' });
    const before = snapshotStore(store);
    const bad = 'sk-proj-notAnAnthropicKey 123456789';
    const error = (await owner.setKey(cfg.id, bad).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'KEY_FORMAT_INVALID' });
    expect(error.message).not.toContain('notAnAnthropic');
    expect(snapshotStore(store)).toBe(before);
  });

  it('moving the base URL re-seals the key for the new endpoint; a new provider drops the key', async () => {
    const { vault, owner, store } = makeVault();
    const cfg = await owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://a.example/v1',
      routes: ['openai'],
    });
    await owner.setKey(cfg.id, CANARY);
    const sealedBefore = store.inspectRaw('acme').configs[0]!.sealedKey;
    await owner.updateConfig(cfg.id, { baseUrl: 'https://b.example/v1' });
    expect(store.inspectRaw('acme').configs[0]!.sealedKey).not.toBe(sealedBefore);
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.baseUrl).toBe('https://b.example/v1');
    expect(r.key.reveal()).toBe(CANARY);
    const moved = await owner.updateConfig(cfg.id, { provider: 'openai', routes: [] });
    expect(moved).toMatchObject({ provider: 'openai', keyHint: null, keyState: 'missing' });
  });

  it('a sealed key copied onto another config does not open', async () => {
    const { vault, owner, store } = makeVault({ platformKeys: {} });
    const a = await owner.createConfig({ name: 'a', provider: 'openai' });
    const b = await owner.createConfig({ name: 'b', provider: 'openai' });
    await owner.setKey(a.id, CANARY);
    const sealed = store.inspectRaw('acme').configs.find((c) => c.id === a.id)!.sealedKey;
    await owner.deleteConfig(a.id);
    // Someone with database access pastes a's sealed key into b's row.
    const current = (await store.getConfig('acme', b.id))!;
    await store.updateConfig(
      'acme',
      b.id,
      { sealedKey: sealed, keyHint: CANARY_HINT },
      {
        audit: {
          id: 'evt_01JD0000000000000000000000',
          at: current.updatedAt,
          tenantId: 'acme',
          configId: b.id,
          actor: null,
          type: 'key.set',
          changes: [],
          keyHint: null,
          detail: {},
        },
      },
    );
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).rejects.toMatchObject({
      code: 'KEY_UNDECRYPTABLE',
    });
  });
});

describe('bad input (rule 12): typed error, nothing written', () => {
  const cases: Array<[string, (o: ReturnType<typeof makeVault>['owner'], id: string) => Promise<unknown>]> = [
    ['an unknown provider', (o) => o.createConfig({ name: 'x', provider: 'nope' })],
    ['an empty name', (o) => o.createConfig({ name: '', provider: 'openai' })],
    ['a name with control characters', (o) => o.createConfig({ name: 'a\nb', provider: 'openai' })],
    [
      'a key in the config payload (rule 3)',
      (o) => o.createConfig({ name: 'x', provider: 'openai', apiKey: CANARY } as never),
    ],
    [
      'a base URL with credentials',
      (o) => o.createConfig({ name: 'x', provider: 'custom', baseUrl: 'https://u:p@x.example' }),
    ],
    ['a non-http base URL', (o) => o.createConfig({ name: 'x', provider: 'custom', baseUrl: 'file:///etc/passwd' })],
    ['a custom endpoint without base URL', (o) => o.createConfig({ name: 'x', provider: 'custom' })],
    ['routes on a non-custom config', (o) => o.createConfig({ name: 'x', provider: 'openai', routes: ['anthropic'] })],
    ['a bad scope', (o) => o.createConfig({ name: 'x', provider: 'openai', scope: 'a//b' })],
    ['an empty key', (o, id) => o.setKey(id, '')],
    ['a non-string key', (o, id) => o.setKey(id, 42 as never)],
    ['a bad expiry', (o, id) => o.setKey(id, CANARY, { expiresAt: 'tomorrow' })],
    ['a malformed config id', (o) => o.setKey('../../etc', CANARY)],
    ['a non-boolean enabled', (o, id) => o.setEnabled(id, 'yes' as never)],
    ['an unknown update field', (o, id) => o.updateConfig(id, { enabled: false } as never)],
    ['a bad list limit', (o) => o.listConfigs({ limit: 0 })],
  ];
  it.each(cases)('%s', async (_, call) => {
    const ctx = makeVault();
    const cfg = await ctx.owner.createConfig({ name: 'existing', provider: 'openai' });
    const before = snapshotStore(ctx.store);
    const error = await call(ctx.owner, cfg.id).then(
      () => expect.fail('should have been rejected'),
      (e: unknown) => e as Error & { code: string },
    );
    expect(['VALIDATION_FAILED', 'KEY_FORMAT_INVALID', 'NOT_FOUND']).toContain(error.code);
    expect(error.message).toMatch(/^\[byokit\] \[vault\]/);
    expect(error.message).not.toContain(CANARY.slice(8));
    expect(snapshotStore(ctx.store)).toBe(before);
  });

  it('validation errors name the path of each problem', async () => {
    const { owner } = makeVault();
    const error = (await owner
      .createConfig({ name: '', provider: 'NOPE' })
      .catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(['name', 'provider']);
  });

  it('rejects bad resolve requests and bad handles', async () => {
    const { vault } = makeVault();
    await expect(vault.resolve({ tenantId: '', provider: 'openai' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai', extra: 1 } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(() => vault.as({ tenantId: 'a b', actor: { id: 'x' } })).toThrow(ValidationError);
  });

  it('checks the adapter and the keyring when the vault is created', () => {
    expect(() =>
      createVault({
        store: { name: 'half', capabilities: { transactions: false }, getConfig: async () => null } as never,
        keyring: Keyring.generate(),
      }),
    ).toThrow(
      /missing method\(s\): createConfig, listConfigs, updateConfig, deleteConfig, loadCandidates, loadSealedConfig, listSealedConfigs, swapSealedKeys, listSealedConfigsAcrossTenants, countKeysByKek, importConfigs, listAudit/,
    );
    expect(() => createVault({ store: new MemoryStore(), keyring: {} as never })).toThrow(
      expect.objectContaining({ code: 'KEYRING_INVALID' }),
    );
  });
});

describe('rotation: vault.rewrapKeys', () => {
  it('moves every key to the new primary KEK; nobody re-enters a key', async () => {
    const k1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
    const k2 = { id: 'k2', key: new Uint8Array(32).fill(2) };
    const store = new MemoryStore();
    const before = makeVault({ store, keyring: Keyring.fromKeys([k1]) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const cfg = await before.owner.createConfig({ name: `c${i}`, provider: 'openai', scope: i === 2 ? 'ws' : '' });
      await before.owner.setKey(cfg.id, `${CANARY}${i}`);
      ids.push(cfg.id);
    }
    await before.owner.createConfig({ name: 'keyless', provider: 'openai' });
    const rotated = makeVault({ store, keyring: Keyring.fromKeys([k2, k1]) });
    expect(await rotated.vault.rewrapKeys({ tenantId: 'acme' })).toEqual({ rewrapped: 3, failed: [], remaining: 0 });
    expect(
      store
        .inspectRaw('acme')
        .configs.filter((c) => c.sealedKey)
        .every((c) => c.kekId === 'k2' && c.sealedKey!.startsWith('byokit:1:k2:')),
    ).toBe(true);
    const onlyNew = makeVault({ store, keyring: Keyring.fromKeys([k2]) });
    expect((await onlyNew.vault.resolve({ tenantId: 'acme', scope: 'ws', provider: 'openai' })).key.reveal()).toBe(
      `${CANARY}2`,
    );
    expect(await rotated.vault.rewrapKeys({ tenantId: 'acme' })).toEqual({ rewrapped: 0, failed: [], remaining: 0 });
    const events = await onlyNew.owner.listAudit({ type: 'key.rewrapped' });
    expect(events.items).toHaveLength(3);
    expect(events.items[0]).toMatchObject({ actor: null, detail: { fromKekId: 'k1', toKekId: 'k2' } });
  });

  it('reports keys whose KEK is gone, and leaves them as they are', async () => {
    const store = new MemoryStore();
    const before = makeVault({ store, keyring: Keyring.generate('old') });
    const cfg = await before.owner.createConfig({ name: 'c', provider: 'openai' });
    await before.owner.setKey(cfg.id, CANARY);
    const after = makeVault({ store, keyring: Keyring.generate('new') });
    expect(await after.vault.rewrapKeys({ tenantId: 'acme' })).toEqual({
      rewrapped: 0,
      failed: [{ configId: cfg.id, code: 'KEK_UNKNOWN' }],
      remaining: 1,
    });
  });

  it('still re-wraps a key whose record another writer changed meanwhile (rename, default)', async () => {
    const k1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
    const k2 = { id: 'k2', key: new Uint8Array(32).fill(2) };
    /** Lets another admin change the record between rewrap's read and its write, twice. */
    class RacingStore extends MemoryStore {
      races = 2;
      onRead: (() => Promise<unknown>) | null = null;
      override async loadCandidates(tenantId: string, scopes: readonly string[]) {
        const rows = await super.loadCandidates(tenantId, scopes);
        if (this.onRead && this.races-- > 0) await this.onRead();
        return rows;
      }
    }
    const store = new RacingStore();
    const before = makeVault({ store, keyring: Keyring.fromKeys([k1]) });
    const cfg = await before.owner.createConfig({ name: 'c', provider: 'openai' });
    await before.owner.setKey(cfg.id, CANARY);
    const rotated = makeVault({ store, keyring: Keyring.fromKeys([k2, k1]) });
    let flip = false;
    store.onRead = () =>
      (flip = !flip) ? rotated.owner.setDefault(cfg.id) : rotated.owner.updateConfig(cfg.id, { name: 'renamed' });
    expect(
      await rotated.vault
        .rewrapKeys({ tenantId: 'acme', actor: { id: 'ops', role: 'owner', token: 'x' } as never })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await rotated.vault.rewrapKeys({ tenantId: 'acme', actor: { id: 'ops' } })).toEqual({
      rewrapped: 1,
      failed: [],
      remaining: 0,
    });
    expect((await store.getConfig('acme', cfg.id))?.kekId).toBe('k2');
    const onlyNew = makeVault({ store, keyring: Keyring.fromKeys([k2]) });
    expect((await onlyNew.vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal()).toBe(CANARY);
  });
});
