import { describe, expect, it } from 'vitest';
import { MemoryStore, isByokitError, type AuditEvent, type ConfigImport, type ImportOutcome } from '../../src/index.js';
import { CANARY, expectNoSecret, makeVault, renderEverywhere } from './helpers.js';

const OPENAI = 'sk-proj-IMPORTimport0123456789abcdefAAAA';
const ANTHROPIC = 'sk-ant-api03-IMPORTimport0123456789abcdefBBBB';

/** A memory store that records each importConfigs call's size. */
class CountingStore extends MemoryStore {
  batches: number[] = [];
  override async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    this.batches.push(items.length);
    return super.importConfigs(tenantId, items);
  }
}

describe('TenantVault.importConfigs', () => {
  it('creates configs with their keys, each resolvable, with config.created and key.set events', async () => {
    const events: AuditEvent[] = [];
    const { vault, owner } = makeVault({ auditSink: (e) => void events.push(e) });
    const report = await owner.importConfigs([
      { name: 'prod', provider: 'openai', key: OPENAI, isDefault: true, model: 'gpt-4o' },
      {
        name: 'claude',
        provider: 'anthropic',
        scope: 'ws1',
        key: ANTHROPIC,
        keyExpiresAt: '2099-01-01T00:00:00+02:00',
      },
      { name: 'later', provider: 'openai', scope: 'ws1' },
    ]);
    expect(report.created).toBe(3);
    expect(report.failed).toBe(0);
    const views = report.results.map((r) => (r.ok ? r.config : expect.fail('import failed')));
    expect(views.map((v) => [v.name, v.keyState, v.keyHint, v.revision])).toStrictEqual([
      ['prod', 'active', 'sk-proj-...AAAA', 1],
      ['claude', 'active', 'sk-ant-api03-...BBBB', 1],
      ['later', 'missing', null, 1],
    ]);
    expect(views[1]!.keyExpiresAt).toBe('2098-12-31T22:00:00.000Z');
    expect((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal()).toBe(OPENAI);
    expect((await vault.resolve({ tenantId: 'acme', scope: 'ws1', provider: 'anthropic' })).key.reveal()).toBe(
      ANTHROPIC,
    );
    expect((await vault.resolve({ tenantId: 'acme', config: 'prod' })).model).toBe('gpt-4o');
    const audit = (await owner.listAudit({ limit: 50 })).items;
    expect(audit.map((e) => [e.type, e.configId]).sort()).toStrictEqual(
      [
        ['config.created', views[0]!.id],
        ['key.set', views[0]!.id],
        ['config.created', views[1]!.id],
        ['key.set', views[1]!.id],
        ['config.created', views[2]!.id],
      ].sort(),
    );
    await new Promise((r) => setImmediate(r));
    expect(events.map((e) => e.id).sort()).toStrictEqual(audit.map((e) => e.id).sort());
    expectNoSecret(renderEverywhere([report, audit]), OPENAI.slice(8));
  });

  it('checks every item first: one problem anywhere rejects the call, names each by item and field, writes nothing, never shows a key', async () => {
    const { owner, store } = makeVault();
    const before = JSON.stringify(store.inspectRaw('acme'));
    const error = await owner
      .importConfigs([
        { name: 'fine', provider: 'openai', key: OPENAI },
        { name: 'bad-key', provider: 'openai', key: CANARY.replace('sk-proj-', 'xx-') },
        { name: 'fine', provider: 'anthropic' },
        { name: 'no-such', provider: 'nope' },
        { name: 'private', provider: 'custom', baseUrl: 'http://10.0.0.5/v1' },
        { name: 'expired', provider: 'openai', key: OPENAI, keyExpiresAt: '2001-01-01T00:00:00Z' },
        { name: 'expiry-alone', provider: 'openai', keyExpiresAt: '2099-01-01T00:00:00Z' },
        { name: 'far', provider: 'openai', key: OPENAI, keyExpiresAt: new Date(Date.UTC(10000, 0, 1)) },
      ])
      .catch((e: unknown) => e);
    expect(isByokitError(error, 'VALIDATION_FAILED')).toBe(true);
    const paths = (error as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toStrictEqual([
      '1.key',
      '2.name',
      '3.provider',
      '4.baseUrl',
      '5.keyExpiresAt',
      '6.keyExpiresAt',
      '7.keyExpiresAt',
    ]);
    expectNoSecret(renderEverywhere(error));
    expect(JSON.stringify(store.inspectRaw('acme'))).toBe(before);
    const shape = await owner
      .importConfigs([{ name: 'x', provider: 'openai', key: 42 as unknown as string }])
      .catch((e: unknown) => e);
    expect(isByokitError(shape, 'VALIDATION_FAILED')).toBe(true);
    expect((shape as Error).message).toContain('0.key');
  });

  it('asks the policy as createConfig and setKey would, per item, before writing anything', async () => {
    const asked: string[] = [];
    const { vault, store } = makeVault({
      authorize: (_actor, permission, ctx) => {
        asked.push(`${ctx.action}:${permission}:${ctx.scope}`);
        return permission !== 'key:manage' || ctx.scope !== 'locked';
      },
    });
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'a1' } });
    const error = await admin
      .importConfigs([
        { name: 'a', provider: 'openai', key: OPENAI },
        { name: 'b', provider: 'openai', scope: 'locked' },
        { name: 'c', provider: 'openai', scope: 'locked', key: OPENAI },
      ])
      .catch((e: unknown) => e);
    expect(isByokitError(error, 'PERMISSION_DENIED')).toBe(true);
    expect(asked).toStrictEqual([
      'createConfig:config:write:',
      'setKey:key:manage:',
      'createConfig:config:write:locked',
      'createConfig:config:write:locked',
      'setKey:key:manage:locked',
    ]);
    expect(store.inspectRaw('acme').configs).toStrictEqual([]);
    const member = makeVault().vault.as({ tenantId: 'acme', actor: { id: 'm', role: 'member' } });
    await expect(member.importConfigs([{ name: 'a', provider: 'openai' }])).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
  });

  it('a name the tenant already has fails that item only; a default replaces its scope’s old default, as createConfig does', async () => {
    const { vault, owner } = makeVault();
    const existing = await owner.createConfig({ name: 'taken', provider: 'openai', isDefault: true });
    await owner.setKey(existing.id, OPENAI);
    const report = await owner.importConfigs([
      { name: 'taken', provider: 'openai', key: OPENAI },
      { name: 'new-default', provider: 'anthropic', key: ANTHROPIC, isDefault: true },
      { name: 'plain', provider: 'openai' },
    ]);
    expect(report).toMatchObject({ created: 2, failed: 1 });
    expect(report.results[0]).toMatchObject({ ok: false, code: 'NAME_TAKEN' });
    expect(report.results[1]).toMatchObject({
      ok: true,
      config: { name: 'new-default', isDefault: true, keyState: 'active' },
    });
    expect((await owner.getConfig(existing.id)).isDefault).toBe(false);
    expect((await vault.resolve({ tenantId: 'acme' })).key.reveal()).toBe(ANTHROPIC);
    const audit = (await owner.listAudit({ limit: 50 })).items.map((e) => e.type);
    expect(audit.filter((t) => t === 'config.created')).toHaveLength(3);
  });

  it('writes in batches of 500, one store round trip each', async () => {
    const { vault, owner, store } = makeVault({ store: new CountingStore() });
    const items = Array.from({ length: 1200 }, (_, i) => ({
      name: `c${i}`,
      provider: 'openai',
      scope: `ws${i % 10}`,
      key: `${OPENAI}${i}`,
    }));
    const report = await owner.importConfigs(items);
    expect(report.created).toBe(1200);
    expect(store.batches).toStrictEqual([500, 500, 200]);
    expect((await vault.resolve({ tenantId: 'acme', scope: 'ws3', provider: 'openai' })).key.reveal()).toBe(
      `${OPENAI}1193`,
    );
    await expect(
      owner.importConfigs(Array.from({ length: 10_001 }, (_, i) => ({ name: `x${i}`, provider: 'openai' }))),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
