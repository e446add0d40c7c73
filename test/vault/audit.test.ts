import { describe, expect, it } from 'vitest';
import { MemoryStore, type AuditEvent } from '../../src/index.js';
import { CANARY, CANARY_HINT, expectNoSecret, makeVault, renderEverywhere } from './helpers.js';

/** A store whose audit writes fail: every change must then fail too (fail closed). */
class FailingAuditStore extends MemoryStore {
  failing = false;
  protected override appendAudit(event: AuditEvent): void {
    if (this.failing) throw new Error('audit table unavailable');
    super.appendAudit(event);
  }
}

describe('audit trail (rule 10)', () => {
  it('records every change with actor, tenant, config, type, changes and the hint at most', async () => {
    const { owner, vault } = makeVault();
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await owner.setKey(cfg.id, CANARY);
    await owner.setKey(cfg.id, 'sk-proj-secondKEY000000000000000009999');
    await owner.updateConfig(cfg.id, { model: 'gpt-4o' });
    await owner.setDefault(cfg.id);
    await owner.setEnabled(cfg.id, false);
    await owner.setEnabled(cfg.id, true);
    await owner.removeKey(cfg.id);
    await owner.deleteConfig(cfg.id);
    const { items } = await owner.listAudit({ limit: 50 });
    expect(items.map((e) => e.type)).toEqual([
      'config.deleted',
      'key.removed',
      'key.enabled',
      'key.disabled',
      'config.default_changed',
      'config.updated',
      'key.replaced',
      'key.set',
      'config.created',
    ]);
    for (const e of items) {
      expect(e).toMatchObject({ tenantId: 'acme', configId: cfg.id, actor: { id: 'owner-1', role: 'owner' } });
      expect(Date.parse(e.at)).not.toBeNaN();
    }
    expect(items.find((e) => e.type === 'key.set')).toMatchObject({ keyHint: CANARY_HINT, changes: ['key'] });
    expect(items.find((e) => e.type === 'key.replaced')).toMatchObject({
      keyHint: 'sk-proj-...9999',
      detail: { previousKeyHint: CANARY_HINT },
    });
    expect(items.find((e) => e.type === 'config.updated')).toMatchObject({ changes: ['model'] });
    expectNoSecret(renderEverywhere(items));
    expect(JSON.stringify(items)).not.toContain('byokit:1:');
    // Another tenant sees none of it.
    expect((await vault.as({ tenantId: 'globex', actor: { id: 'g', role: 'owner' } }).listAudit()).items).toEqual([]);
  });

  it('pages newest first, and filters by config and by type', async () => {
    const { owner } = makeVault();
    const a = await owner.createConfig({ name: 'a', provider: 'openai' });
    const b = await owner.createConfig({ name: 'b', provider: 'openai' });
    for (let i = 0; i < 3; i++) await owner.setKey(a.id, `${CANARY}${i}`);
    await owner.setKey(b.id, CANARY);
    const first = await owner.listAudit({ limit: 2 });
    const rest = await owner.listAudit({ limit: 10, cursor: first.nextCursor! });
    const all = [...first.items, ...rest.items];
    expect(all).toHaveLength(6);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort().reverse());
    expect((await owner.listAudit({ configId: a.id })).items.map((e) => e.type)).toEqual([
      'key.replaced',
      'key.replaced',
      'key.set',
      'config.created',
    ]);
    expect((await owner.listAudit({ type: 'key.set' })).items.map((e) => e.configId)).toEqual([b.id, a.id]);
  });

  it('fails closed: when the audit write fails, the change does not happen', async () => {
    const store = new FailingAuditStore();
    const { owner, vault } = makeVault({ store, platformKeys: {} });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    store.failing = true;
    const before = JSON.stringify(store.inspectRaw('acme'));
    const attempts = [
      owner.createConfig({ name: 'other', provider: 'openai' }),
      owner.setKey(cfg.id, CANARY),
      owner.updateConfig(cfg.id, { name: 'renamed' }),
      owner.setDefault(cfg.id),
      owner.setEnabled(cfg.id, false),
      owner.deleteConfig(cfg.id),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ code: 'STORE_FAILED' });
    expect(JSON.stringify(store.inspectRaw('acme'))).toBe(before);
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).rejects.toMatchObject({ code: 'NO_KEY' });
  });

  it('a failing or slow sink never breaks the change; its errors go to onHookError', async () => {
    const hookErrors: Array<[unknown, string]> = [];
    const { owner } = makeVault({
      auditSink: async (e) => {
        if (e.type === 'key.set') throw new Error('queue down');
        await new Promise(() => {}); // never settles
      },
      onHookError: (error, hook) => void hookErrors.push([error, hook]),
    });
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
    await expect(owner.setKey(cfg.id, CANARY)).resolves.toMatchObject({ keyState: 'active' });
    await new Promise((r) => setImmediate(r));
    expect(hookErrors).toEqual([[expect.objectContaining({ message: 'queue down' }), 'auditSink']]);
    expect((await owner.listAudit()).items).toHaveLength(2);
  });
});
