import { describe, expect, it } from 'vitest';
import {
  Keyring,
  MemoryStore,
  PermissionError,
  accessKeys,
  type AuthorizeFn,
  type Permission,
  type TenantVault,
} from '../../src/index.js';
import { CANARY, makeVault } from './helpers.js';

type Operation = {
  name: string;
  needs: Permission[];
  run: (h: TenantVault, id: string, accessKeyId: string) => Promise<unknown>;
};

const operations: Operation[] = [
  { name: 'getConfig', needs: ['config:read'], run: (h, id) => h.getConfig(id) },
  { name: 'listConfigs', needs: ['config:read'], run: (h) => h.listConfigs() },
  { name: 'listAudit', needs: ['config:read'], run: (h) => h.listAudit() },
  { name: 'createConfig', needs: ['config:write'], run: (h) => h.createConfig({ name: 'new', provider: 'openai' }) },
  {
    name: 'updateConfig (name, model)',
    needs: ['config:write'],
    run: (h, id) => h.updateConfig(id, { name: 'renamed', model: 'gpt-4o-mini' }),
  },
  { name: 'setDefault', needs: ['config:write'], run: (h, id) => h.setDefault(id) },
  {
    name: 'updateConfig (baseUrl)',
    needs: ['config:write', 'key:manage'],
    run: (h, id) => h.updateConfig(id, { baseUrl: 'https://attacker.example/v1' }),
  },
  {
    name: 'updateConfig (provider)',
    needs: ['config:write', 'key:manage'],
    run: (h, id) => h.updateConfig(id, { provider: 'mistral' }),
  },
  { name: 'setKey', needs: ['key:manage'], run: (h, id) => h.setKey(id, 'sk-proj-another00000000000000000000001') },
  { name: 'removeKey', needs: ['key:manage'], run: (h, id) => h.removeKey(id) },
  { name: 'setEnabled', needs: ['key:manage'], run: (h, id) => h.setEnabled(id, false) },
  { name: 'deleteConfig', needs: ['config:delete'], run: (h, id) => h.deleteConfig(id) },
  { name: 'createAccessKey', needs: ['access:manage'], run: (h) => h.createAccessKey({ name: 'app' }) },
  { name: 'getAccessKey', needs: ['access:manage'], run: (h, _id, key) => h.getAccessKey(key) },
  { name: 'listAccessKeys', needs: ['access:manage'], run: (h) => h.listAccessKeys() },
  { name: 'listAccessKeyUsage', needs: ['access:manage'], run: (h) => h.listAccessKeyUsage() },
  { name: 'revokeAccessKey', needs: ['access:manage'], run: (h, _id, key) => h.revokeAccessKey(key) },
];

const roles: Record<string, Permission[]> = {
  owner: ['config:read', 'config:write', 'key:manage', 'config:delete', 'access:manage'],
  admin: ['config:read', 'config:write', 'key:manage', 'access:manage'],
  member: ['config:read'],
  stranger: [],
};

describe('permission matrix: every operation by every default role', () => {
  for (const op of operations) {
    for (const [role, granted] of Object.entries(roles)) {
      const allowed = op.needs.every((p) => granted.includes(p));
      it(`${role} ${allowed ? 'may' : 'may not'} ${op.name}`, async () => {
        const store = new MemoryStore();
        const { vault, owner } = makeVault({ store, accessKeys: accessKeys({ keyring: Keyring.generate('h1') }) });
        const cfg = await owner.createConfig({ name: 'prod', provider: 'openai' });
        await owner.setKey(cfg.id, CANARY);
        const { accessKey } = await owner.createAccessKey({ name: 'existing' });
        const before = JSON.stringify(store.inspectRaw('acme'));
        const handle = vault.as({ tenantId: 'acme', actor: { id: `${role}-1`, role } });
        const outcome = await op.run(handle, cfg.id, accessKey.id).then(
          () => 'ok',
          (e: unknown) => e,
        );
        if (allowed) {
          expect(outcome).toBe('ok');
        } else {
          expect(outcome).toBeInstanceOf(PermissionError);
          const missing = op.needs.find((p) => !granted.includes(p));
          expect(outcome).toMatchObject({ code: 'PERMISSION_DENIED', permission: missing });
          expect((outcome as Error).message).toContain(`${role}-1`);
          expect(JSON.stringify(store.inspectRaw('acme'))).toBe(before);
        }
      });
    }
  }
});

describe('a custom async policy', () => {
  it('is asked with actor, permission and context, and decides alone', async () => {
    const asked: unknown[] = [];
    const authorize: AuthorizeFn = async (actor, permission, context) => {
      asked.push({
        actor: actor.id,
        permission,
        action: context.action,
        tenantId: context.tenantId,
        configId: context.configId,
      });
      await new Promise((r) => setTimeout(r, 1));
      // Host rule: only the security team manages keys; everyone else may edit configs.
      return permission !== 'key:manage' || actor.id.startsWith('sec-');
    };
    const { vault } = makeVault({ authorize });
    const dev = vault.as({ tenantId: 'acme', actor: { id: 'dev-1' } });
    const sec = vault.as({ tenantId: 'acme', actor: { id: 'sec-1' } });
    const cfg = await dev.createConfig({ name: 'prod', provider: 'openai' });
    await expect(dev.setKey(cfg.id, CANARY)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      permission: 'key:manage',
    });
    await expect(sec.setKey(cfg.id, CANARY)).resolves.toMatchObject({ keyState: 'active' });
    expect(asked).toContainEqual({
      actor: 'dev-1',
      permission: 'key:manage',
      action: 'setKey',
      tenantId: 'acme',
      configId: cfg.id,
    });
    await expect(dev.deleteConfig(cfg.id)).resolves.toBeUndefined();
  });

  it('denies unless the policy returns exactly true', async () => {
    const { vault } = makeVault({ authorize: (() => 'yes') as unknown as AuthorizeFn });
    await expect(vault.as({ tenantId: 'acme', actor: { id: 'x' } }).listConfigs()).rejects.toBeInstanceOf(
      PermissionError,
    );
  });

  it('a throwing policy fails the call and writes nothing', async () => {
    const store = new MemoryStore();
    const { vault } = makeVault({
      store,
      authorize: async () => {
        throw new Error('policy service down');
      },
    });
    await expect(
      vault.as({ tenantId: 'acme', actor: { id: 'x' } }).createConfig({ name: 'p', provider: 'openai' }),
    ).rejects.toThrow('policy service down');
    expect(store.inspectRaw('acme').configs).toEqual([]);
  });

  it('resolve() is a service call and asks no policy', async () => {
    const { vault } = makeVault({
      authorize: () => expect.fail('resolve must not ask the policy'),
      platformKeys: { openai: 'sk-platform-000000000000000001' },
    });
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).resolves.toMatchObject({
      source: 'platform',
    });
  });
});

describe('the policy sees the scope of every action on an existing config', () => {
  it('names the config’s scope and provider, so a per-project policy can decide each action', async () => {
    const seen: Array<{ action: string; permission: string; scope?: string; provider?: string }> = [];
    const authorize: AuthorizeFn = (_actor, permission, context) => {
      seen.push({ action: context.action, permission, scope: context.scope, provider: context.provider });
      return true;
    };
    const { vault } = makeVault({ authorize });
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'project-admin' } });
    const cfg = await admin.createConfig({ name: 'p', provider: 'openai', scope: 'eng/api' });
    for (const op of operations) await op.run(admin, cfg.id, '').catch(() => undefined);
    const perConfig = seen.filter((s) => !['createConfig', 'listConfigs', 'listAudit'].includes(s.action));
    expect(new Set(perConfig.map((s) => s.action))).toStrictEqual(
      new Set(['getConfig', 'updateConfig', 'setDefault', 'setKey', 'removeKey', 'setEnabled', 'deleteConfig']),
    );
    // (One of the operations changes the provider to mistral on the way.)
    for (const entry of perConfig)
      expect(entry, entry.action).toMatchObject({
        scope: 'eng/api',
        provider: expect.stringMatching(/^(openai|mistral)$/),
      });
    expect(seen.find((s) => s.action === 'createConfig')).toMatchObject({ scope: 'eng/api' });
  });
});
