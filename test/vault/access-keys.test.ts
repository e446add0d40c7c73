import { describe, expect, it } from 'vitest';
import {
  AccessKeyError,
  Keyring,
  MemoryStore,
  QuotaExceededError,
  Secret,
  accessKeys,
  type AccessKeyCandidates,
  type UsageEvent,
} from '../../src/index.js';
import { CANARY, expectNoSecret, makeVault, refusal, renderEverywhere } from './helpers.js';

const PLATFORM = 'sk-platform-0000000000000000000000p1';

/** A vault with access keys, a clock the test moves, and the tenant's owner handle. */
function setup(options: Parameters<typeof makeVault>[0] = {}) {
  const clock = { now: new Date('2026-11-24T10:00:00.000Z') };
  const usage: UsageEvent[] = [];
  const made = makeVault({
    accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
    platformKeys: { openai: PLATFORM, anthropic: 'sk-ant-platform-00000000000000000000' },
    now: () => clock.now,
    onResolve: (event) => void usage.push(event),
    ...options,
  });
  return { ...made, clock, usage };
}

describe('access keys: issuing', () => {
  it('returns the token once as a Secret that prints as its hint; views and the audit event show the hint only', async () => {
    const { owner } = setup();
    const { accessKey, secret } = await owner.createAccessKey({
      name: 'mobile app',
      scope: 'ws1',
      providers: ['openai'],
    });
    const token = secret.reveal();
    expect(token).toMatch(/^byk_live_[0-9A-Z]{26}_[0-9A-Za-z]{49}$/);
    expect(accessKey).toStrictEqual({
      id: expect.stringMatching(/^ak_[0-9A-Z]{26}$/),
      tenantId: 'acme',
      scope: 'ws1',
      name: 'mobile app',
      providers: ['openai'],
      models: null,
      quota: null,
      hint: `byk_live_...${token.slice(-4)}`,
      state: 'active',
      expiresAt: null,
      revokedAt: null,
      createdAt: '2026-11-24T10:00:00.000Z',
    });
    expect(String(secret)).toBe(accessKey.hint);
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${accessKey.hint}"}`);
    const [event] = (await owner.listAudit({ type: 'access_key.created' })).items;
    expect(event).toMatchObject({
      actor: { id: 'owner-1', role: 'owner' },
      configId: null,
      keyHint: accessKey.hint,
      detail: { accessKeyId: accessKey.id, name: 'mobile app', scope: 'ws1' },
    });
    const everything = renderEverywhere([
      accessKey,
      await owner.listAccessKeys(),
      await owner.getAccessKey(accessKey.id),
      await owner.listAudit(),
    ]);
    expectNoSecret(everything, token.slice(36, -6));
  });

  it('stores only a keyed hash of the secret: the store holds no part of the token but the public hint', async () => {
    const { owner, store } = setup();
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app' });
    const stored = await store.getAccessKey('acme', accessKey.id);
    expect(stored).toMatchObject({ hashKeyId: 'h1', secretHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expectNoSecret(JSON.stringify(stored).replace(accessKey.hint, ''), secret.reveal().slice(36, -4));
  });

  it('checks its input: unknown providers, an expiry in the past, bad quotas and unknown fields write nothing', async () => {
    const { owner } = setup();
    const bad = [
      { name: 'x', providers: ['nope'] },
      { name: 'x', expiresAt: '2020-01-01T00:00:00Z' },
      { name: 'x', quota: { requests: { limit: 0, per: 'minute' } } },
      { name: 'x', quota: { requests: { limit: 5, per: 'week' } } },
      { name: 'x', providers: [] },
      { name: 'x', secret: 'mine' },
      { name: '' },
    ];
    for (const input of bad)
      expect((await refusal(owner.createAccessKey(input as never))).code, JSON.stringify(input)).toBe(
        'VALIDATION_FAILED',
      );
    expect((await owner.listAccessKeys()).items).toStrictEqual([]);
    expect((await owner.listAudit()).items).toStrictEqual([]);
  });

  it('needs the accessKeys vault option: without it, access-key calls fail naming the option', async () => {
    const { vault, owner } = makeVault();
    for (const error of [
      await refusal(owner.createAccessKey({ name: 'x' })),
      await refusal(vault.resolve({ accessKey: 'byk_live_x' })),
    ]) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'accessKeys', message: 'not set' }] });
    }
    expect(() => accessKeys({ keyring: { primaryKekId: 'k1' } as never })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('access keys: resolving', () => {
  it('resolves the tenant and scope from the key: its scope, then its parents, never a sibling scope', async () => {
    const { vault, owner, usage } = setup();
    const root = await owner.createConfig({ name: 'root', provider: 'openai' });
    await owner.setKey(root.id, CANARY);
    const ws = await owner.createConfig({ name: 'ws1', provider: 'openai', scope: 'ws1', model: 'gpt-4o-mini' });
    await owner.setKey(ws.id, 'sk-proj-WS1000000000000000000000000ws1');
    const other = await owner.createConfig({ name: 'ws2', provider: 'openai', scope: 'ws2' });
    await owner.setKey(other.id, 'sk-proj-WS2000000000000000000000000ws2');
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app', scope: 'ws1' });

    const r = await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    expect(r).toMatchObject({
      tenantId: 'acme',
      scope: 'ws1',
      configId: ws.id,
      source: 'byok',
      accessKeyId: accessKey.id,
      model: 'gpt-4o-mini',
    });
    expect(r.key.reveal()).toBe('sk-proj-WS1000000000000000000000000ws1');
    // The Secret itself is accepted too.
    expect((await vault.resolve({ accessKey: secret, provider: 'openai' })).configId).toBe(ws.id);
    await new Promise((resolve) => setImmediate(resolve));
    expect(usage.map((u) => u.accessKeyId)).toStrictEqual([accessKey.id, accessKey.id]);
    // Without ws1's own config, its parent (the tenant) serves it; ws2's config never does.
    await owner.deleteConfig(ws.id);
    expect((await vault.resolve({ accessKey: secret, provider: 'openai' })).configId).toBe(root.id);
  });

  it('reads the key, its candidates and settings in one adapter call, and counts the use in one more', async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        return typeof value === 'function'
          ? (...args: unknown[]) => (calls.push(String(name)), value.apply(target, args))
          : value;
      },
    });
    const { vault, owner } = setup({ store: counted });
    const cfg = await owner.createConfig({ name: 'root', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    const { secret } = await owner.createAccessKey({ name: 'app', quota: { requests: { limit: 5, per: 'minute' } } });
    calls.length = 0;
    await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    expect(calls).toStrictEqual(['loadAccessKeyCandidates', 'useAccessKey']);
  });

  it('names a config explicitly only within its scope chain, and the guard sees the access key', async () => {
    const seen: unknown[] = [];
    const { vault, owner } = setup({ guard: (request) => void seen.push(request.accessKeyId) });
    const mine = await owner.createConfig({ name: 'mine', provider: 'openai', scope: 'ws1' });
    await owner.setKey(mine.id, CANARY);
    const theirs = await owner.createConfig({ name: 'theirs', provider: 'openai', scope: 'ws2' });
    await owner.setKey(theirs.id, 'sk-proj-WS2000000000000000000000000ws2');
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app', scope: 'ws1' });
    expect((await vault.resolve({ accessKey: secret, config: 'mine' })).configId).toBe(mine.id);
    expect((await refusal(vault.resolve({ accessKey: secret, config: 'theirs' }))).code).toBe('NOT_FOUND');
    expect((await refusal(vault.resolve({ accessKey: secret, config: theirs.id }))).code).toBe('NOT_FOUND');
    expect(seen).toStrictEqual([accessKey.id]);
  });

  it('takes no tenantId or scope beside an access key', async () => {
    const { vault, owner } = setup();
    const { secret } = await owner.createAccessKey({ name: 'app' });
    for (const extra of [{ tenantId: 'other' }, { scope: 'ws2' }]) {
      const error = await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai', ...extra } as never));
      expect(error.code).toBe('VALIDATION_FAILED');
      expectNoSecret(renderEverywhere(error), secret.reveal().slice(36));
    }
  });

  it('refuses unknown, revoked, expired, malformed and mistyped tokens alike: one code, one message, no part of the token', async () => {
    const { vault, owner, clock } = setup();
    const cfg = await owner.createConfig({ name: 'root', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    const revoked = await owner.createAccessKey({ name: 'revoked' });
    await owner.revokeAccessKey(revoked.accessKey.id);
    const expiring = await owner.createAccessKey({ name: 'expiring', expiresAt: '2026-11-24T10:30:00Z' });
    const live = await owner.createAccessKey({ name: 'live' });
    const token = live.secret.reveal();
    clock.now = new Date('2026-11-24T10:30:00.000Z');
    const unknownId = token.replace(/^byk_live_[0-9A-Z]{26}/, `byk_live_${'0'.repeat(26)}`);
    const tokens = [
      revoked.secret.reveal(),
      expiring.secret.reveal(),
      unknownId,
      `${token.slice(0, 40)}${token[40] === 'a' ? 'b' : 'a'}${token.slice(41)}`,
      token.slice(0, -1),
      'byk_live_',
      'sk-proj-notanaccesskey',
      `byk_live_${'A'.repeat(100_000)}`,
    ];
    const errors = await Promise.all(tokens.map((t) => refusal(vault.resolve({ accessKey: t, provider: 'openai' }))));
    for (const [i, error] of errors.entries()) {
      expect(error, `token ${i}`).toBeInstanceOf(AccessKeyError);
      expect(error.code).toBe('ACCESS_KEY_INVALID');
      expect(error.message).toBe(errors[0]!.message);
      expectNoSecret(renderEverywhere(error), tokens[i]!.slice(36, -6));
    }
    expect((await vault.resolve({ accessKey: token, provider: 'openai' })).configId).toBe(cfg.id);
  });

  it('a token whose secret part belongs to another key of the same id range fails: the secret is checked, not only the id', async () => {
    const { vault, owner } = setup();
    const a = (await owner.createAccessKey({ name: 'a' })).secret.reveal();
    const b = (await owner.createAccessKey({ name: 'b' })).secret.reveal();
    // a's id with b's secret (checksum recomputed by re-parsing is impossible without the secret; forge the body only).
    const forged = a.slice(0, 36) + b.slice(36);
    expect((await refusal(vault.resolve({ accessKey: forged }))).code).toBe('ACCESS_KEY_INVALID');
  });

  it('refuses providers and models outside its allow-lists with ACCESS_KEY_FORBIDDEN, before and after the decision', async () => {
    const { vault, owner } = setup();
    const cfg = await owner.createConfig({ name: 'default', provider: 'anthropic', isDefault: true });
    await owner.setKey(cfg.id, 'sk-ant-api03-ACME00000000000000000000000000ac');
    const { secret } = await owner.createAccessKey({ name: 'app', providers: ['openai'], models: ['gpt-4o-mini'] });
    const accessKey = secret.reveal();
    const cases = [
      { provider: 'anthropic', model: 'gpt-4o-mini' },
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'openai' }, // no model named and the platform key names none
      { model: 'gpt-4o-mini' }, // no provider named: the scope's default is an anthropic config
    ];
    for (const request of cases) {
      const error = await refusal(vault.resolve({ accessKey, ...request }));
      expect(error, JSON.stringify(request)).toMatchObject({ code: 'ACCESS_KEY_FORBIDDEN' });
      expect(error.message).toMatch(/does not allow (provider|model|a request without a model)/);
    }
    const r = await vault.resolve({ accessKey, provider: 'openai', model: 'gpt-4o-mini' });
    expect(r).toMatchObject({ source: 'platform', provider: 'openai' });
  });

  it('a revoked key is refused at once; revoking twice writes one event; the key stays listed as revoked', async () => {
    const { vault, owner } = setup();
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app' });
    await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    const revoked = await owner.revokeAccessKey(accessKey.id);
    expect(revoked).toMatchObject({ state: 'revoked', revokedAt: '2026-11-24T10:00:00.000Z' });
    expect((await owner.revokeAccessKey(accessKey.id)).revokedAt).toBe(revoked.revokedAt);
    expect((await owner.listAudit({ type: 'access_key.revoked' })).items).toHaveLength(1);
    expect((await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai' }))).code).toBe(
      'ACCESS_KEY_INVALID',
    );
    expect((await owner.listAccessKeys()).items.map((k) => k.state)).toStrictEqual(['revoked']);
  });

  it('an expired key shows as expired and is refused', async () => {
    const { vault, owner, clock } = setup();
    const { accessKey, secret } = await owner.createAccessKey({
      name: 'app',
      expiresAt: new Date('2026-11-24T11:00:00Z'),
    });
    expect(accessKey.expiresAt).toBe('2026-11-24T11:00:00.000Z');
    await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    clock.now = new Date('2026-11-24T11:00:00.000Z');
    expect((await owner.getAccessKey(accessKey.id)).state).toBe('expired');
    expect((await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai' }))).code).toBe(
      'ACCESS_KEY_INVALID',
    );
  });

  it('a record moved to another tenant or scope behind the vault no longer verifies (the MAC binds them)', async () => {
    class LyingStore extends MemoryStore {
      change: (read: AccessKeyCandidates) => AccessKeyCandidates = (read) => read;
      override async loadAccessKeyCandidates(id: string) {
        const read = await super.loadAccessKeyCandidates(id);
        return read && this.change(read);
      }
    }
    const store = new LyingStore();
    const { vault, owner } = setup({ store });
    const { secret } = await owner.createAccessKey({
      name: 'app',
      scope: 'ws1',
      providers: ['openai'],
      quota: { requests: { limit: 1, per: 'day' } },
    });
    const changes: Partial<AccessKeyCandidates['accessKey']>[] = [
      { tenantId: 'victim' },
      { scope: '' },
      { providers: null },
      { quota: null },
      { quota: { requests: { limit: 1000, per: 'day' } } },
    ];
    for (const change of changes) {
      store.change = (read) => ({ ...read, accessKey: { ...read.accessKey, ...change }, candidates: [] });
      expect(
        (await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai' }))).code,
        JSON.stringify(change),
      ).toBe('ACCESS_KEY_INVALID');
    }
  });
});

describe('access keys: quotas and usage', () => {
  it('counts requests per fixed window and refuses past the limit with QUOTA_EXCEEDED and the reset time', async () => {
    const { vault, owner, clock } = setup();
    const { secret } = await owner.createAccessKey({ name: 'app', quota: { requests: { limit: 3, per: 'minute' } } });
    const accessKey = secret.reveal();
    clock.now = new Date('2026-11-24T10:05:10.000Z');
    for (let i = 0; i < 3; i++) await vault.resolve({ accessKey, provider: 'openai' });
    const error = await refusal(vault.resolve({ accessKey, provider: 'openai' }));
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'requests',
      limit: 3,
      resetAt: '2026-11-24T10:06:00.000Z',
    });
    clock.now = new Date('2026-11-24T10:06:00.000Z');
    await vault.resolve({ accessKey, provider: 'openai' });
  });

  it('a refused resolution (forbidden, no key) is not counted; only resolutions handed out are', async () => {
    const { vault, owner } = setup({ fallback: 'none' });
    const { accessKey, secret } = await owner.createAccessKey({
      name: 'app',
      providers: ['openai'],
      quota: { requests: { limit: 1, per: 'day' } },
    });
    await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'anthropic' }));
    await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai' })); // NO_KEY under fallback 'none'
    const cfg = await owner.createConfig({ name: 'own', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    expect((await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai' }))).code).toBe(
      'QUOTA_EXCEEDED',
    );
    expect((await owner.listAccessKeyUsage({ keyId: accessKey.id })).items).toStrictEqual([
      { tenantId: 'acme', keyId: accessKey.id, period: '2026-11-24', requests: 1, tokens: 0 },
    ]);
  });

  it('race: 200 concurrent resolutions with a limit of 50 hand out exactly 50', async () => {
    const { vault, owner } = setup();
    const { accessKey, secret } = await owner.createAccessKey({
      name: 'app',
      quota: { requests: { limit: 50, per: 'hour' } },
    });
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        vault.resolve({ accessKey: secret.reveal(), provider: 'openai' }).then(
          () => 'ok',
          (e: Error & { code?: string }) => e.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(50);
    expect(outcomes.filter((o) => o === 'QUOTA_EXCEEDED')).toHaveLength(150);
    expect((await owner.listAccessKeyUsage({ keyId: accessKey.id })).items[0]?.requests).toBe(50);
  });

  it('charges reported tokens to the key of a resolution: its usage of the day, and its token budget checked at resolve time', async () => {
    const { vault, owner, clock } = setup();
    const { accessKey, secret } = await owner.createAccessKey({
      name: 'app',
      quota: { tokens: { limit: 1000, per: 'day' } },
    });
    const r = await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    await vault.recordUsage({ tenantId: r.tenantId, accessKeyId: r.accessKeyId!, tokens: 600 });
    await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    await vault.recordUsage({ tenantId: r.tenantId, accessKeyId: r.accessKeyId!, tokens: 450 });
    const error = await refusal(vault.resolve({ accessKey: secret.reveal(), provider: 'openai' }));
    expect(error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'tokens',
      limit: 1000,
      resetAt: '2026-11-25T00:00:00.000Z',
    });
    clock.now = new Date('2026-11-25T00:00:01.000Z');
    await vault.resolve({ accessKey: secret.reveal(), provider: 'openai' });
    expect((await owner.listAccessKeyUsage()).items).toStrictEqual([
      { tenantId: 'acme', keyId: accessKey.id, period: '2026-11-24', requests: 2, tokens: 1050 },
      { tenantId: 'acme', keyId: accessKey.id, period: '2026-11-25', requests: 1, tokens: 0 },
    ]);
  });

  it('usage is per tenant and key, filtered by key and day range, paged', async () => {
    const { vault, owner, clock } = setup();
    const a = await owner.createAccessKey({ name: 'a' });
    const b = await owner.createAccessKey({ name: 'b' });
    for (const day of ['2026-11-24', '2026-11-25', '2026-11-26']) {
      clock.now = new Date(`${day}T12:00:00.000Z`);
      await vault.resolve({ accessKey: a.secret.reveal(), provider: 'openai' });
      await vault.resolve({ accessKey: b.secret.reveal(), provider: 'openai' });
    }
    const all = await owner.listAccessKeyUsage({ limit: 4 });
    expect(all.items.map((u) => `${u.period} ${u.keyId === a.accessKey.id ? 'a' : 'b'}`)).toStrictEqual(
      [a.accessKey.id < b.accessKey.id ? ['a', 'b'] : ['b', 'a']].flatMap(([x, y]) => [
        `2026-11-24 ${x}`,
        `2026-11-24 ${y}`,
        `2026-11-25 ${x}`,
        `2026-11-25 ${y}`,
      ]),
    );
    const rest = await owner.listAccessKeyUsage({ limit: 4, cursor: all.nextCursor! });
    expect(rest.items).toHaveLength(2);
    expect(rest.nextCursor).toBeNull();
    const ofA = await owner.listAccessKeyUsage({ keyId: a.accessKey.id, from: '2026-11-25', to: '2026-11-25' });
    expect(ofA.items).toStrictEqual([
      { tenantId: 'acme', keyId: a.accessKey.id, period: '2026-11-25', requests: 1, tokens: 0 },
    ]);
    const other = vault.as({ tenantId: 'other', actor: { id: 'o', role: 'owner' } });
    expect((await other.listAccessKeyUsage()).items).toStrictEqual([]);
    expect((await refusal(other.getAccessKey(a.accessKey.id))).code).toBe('NOT_FOUND');
    expect((await refusal(other.revokeAccessKey(a.accessKey.id))).code).toBe('NOT_FOUND');
    expect((await refusal(vault.recordUsage({ tenantId: 'other', accessKeyId: a.accessKey.id, tokens: 5 }))).code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('access keys: permissions', () => {
  it.each([
    ['owner', true],
    ['admin', true],
    ['member', false],
  ])('%s may manage access keys: %s', async (role, allowed) => {
    const { vault, owner } = setup();
    const existing = await owner.createAccessKey({ name: 'existing' });
    const handle = vault.as({ tenantId: 'acme', actor: { id: `${role}-1`, role } });
    const calls = [
      () => handle.createAccessKey({ name: 'new' }),
      () => handle.getAccessKey(existing.accessKey.id),
      () => handle.listAccessKeys(),
      () => handle.listAccessKeyUsage(),
      () => handle.revokeAccessKey(existing.accessKey.id),
    ];
    for (const call of calls) {
      const outcome = await call().then(
        () => 'ok',
        (e: Error & { code?: string; permission?: string }) => `${e.code} ${e.permission}`,
      );
      expect(outcome).toBe(allowed ? 'ok' : 'PERMISSION_DENIED access:manage');
    }
  });

  it('a policy sees the scope and the access key id', async () => {
    const seen: unknown[] = [];
    const { vault } = setup({
      authorize: (_actor, permission, context) => {
        seen.push({ permission, ...context });
        return true;
      },
    });
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'u' } });
    const { accessKey } = await admin.createAccessKey({ name: 'app', scope: 'ws1' });
    await admin.revokeAccessKey(accessKey.id);
    expect(seen).toStrictEqual([
      { permission: 'access:manage', tenantId: 'acme', action: 'createAccessKey', scope: 'ws1' },
      {
        permission: 'access:manage',
        tenantId: 'acme',
        action: 'revokeAccessKey',
        scope: 'ws1',
        accessKeyId: accessKey.id,
      },
    ]);
  });
});

it('Secret tokens never show in resolutions, usage events or errors', async () => {
  const { vault, owner, usage } = setup();
  const { secret } = await owner.createAccessKey({ name: 'app', quota: { requests: { limit: 1, per: 'day' } } });
  const r = await vault.resolve({ accessKey: secret, provider: 'openai' });
  const error = await refusal(vault.resolve({ accessKey: secret, provider: 'openai' }));
  await new Promise((resolve) => setImmediate(resolve));
  expectNoSecret(
    renderEverywhere([r, error, usage, await owner.listAudit(), secret, new Secret(secret.reveal(), secret.hint)]),
    secret.reveal().slice(36, -6),
  );
});
