import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, MemoryStore } from '../../src/index.js';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer } from '../providers/fake-server.js';
import { CANARY, CANARY_HINT, expectNoSecret, makeVault, renderEverywhere } from '../vault/helpers.js';

const NEW_KEY = 'sk-proj-NEWKEYnewkey0123456789abcdefNEW1';
const NEW_HINT = 'sk-proj-...NEW1';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());

async function setup(options: Parameters<typeof makeVault>[0] = {}) {
  const ctx = makeVault({ ...LOCAL_ENDPOINTS, ...options });
  const cfg = await ctx.owner.createConfig({
    name: 'prod',
    provider: 'openai',
    model: 'gpt-4o',
    baseUrl: `${server.url}/v1`,
  });
  await ctx.owner.setKey(cfg.id, CANARY);
  return { ...ctx, cfg };
}

const resolved = async (vault: Awaited<ReturnType<typeof setup>>['vault']) =>
  (await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.reveal();

describe('staged provider-key rotation: stage, validate, promote, roll back, expire', () => {
  it('a staged key waits beside the active one: resolution keeps the active key, the view shows both hints', async () => {
    const { vault, owner, cfg } = await setup();
    const view = await owner.setKey(cfg.id, NEW_KEY, { stage: true });
    expect(view).toMatchObject({
      keyHint: CANARY_HINT,
      keyState: 'active',
      pendingKeyHint: NEW_HINT,
      previousKeyHint: null,
      previousKeyState: null,
    });
    expect(await resolved(vault)).toBe(CANARY);
    const [event] = (await owner.listAudit({ type: 'key.staged' })).items;
    expect(event).toMatchObject({
      configId: cfg.id,
      actor: { id: 'owner-1' },
      keyHint: NEW_HINT,
      detail: { activeKeyHint: CANARY_HINT },
    });
  });

  it('validateKey({ pending: true }) calls the provider with the pending key and leaves the active key’s record alone', async () => {
    server.respond(() => ({ body: { object: 'list', data: [] } }));
    const { owner, cfg } = await setup();
    await owner.setKey(cfg.id, NEW_KEY, { stage: true });
    const before = server.requests.length;
    const result = await owner.validateKey(cfg.id, { pending: true });
    expect(result.status).toBe('valid');
    expect(server.requests.slice(before).every((r) => r.headers.authorization === `Bearer ${NEW_KEY}`)).toBe(true);
    expect(result.config).toMatchObject({ keyHint: CANARY_HINT, lastValidatedAt: null, pendingKeyHint: NEW_HINT });
    const [event] = (await owner.listAudit({ type: 'key.validated' })).items;
    expect(event).toMatchObject({ keyHint: NEW_HINT, detail: { slot: 'pending', status: 'valid' } });
    await expect(
      owner.validateKey((await owner.createConfig({ name: 'bare', provider: 'openai' })).id, { pending: true }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('promoteKey makes the pending key active at once and keeps the old one for the grace period; rollbackKey brings it back in one call', async () => {
    let now = new Date('2026-05-01T00:00:00.000Z');
    const { vault, owner, cfg } = await setup({ now: () => now, previousKeyGracePeriodMs: 3600_000 });
    await owner.setKey(cfg.id, NEW_KEY, { stage: true });
    const promoted = await owner.promoteKey(cfg.id);
    expect(promoted).toMatchObject({
      keyHint: NEW_HINT,
      keyState: 'active',
      pendingKeyHint: null,
      previousKeyHint: CANARY_HINT,
      previousKeyKeptUntil: '2026-05-01T01:00:00.000Z',
      previousKeyState: 'kept',
    });
    expect(await resolved(vault)).toBe(NEW_KEY);
    const rolledBack = await owner.rollbackKey(cfg.id);
    expect(rolledBack).toMatchObject({ keyHint: CANARY_HINT, pendingKeyHint: NEW_HINT, previousKeyHint: null });
    expect(await resolved(vault)).toBe(CANARY);
    // Promote again: after the grace period the old key can't come back, and expirePrevious drops it.
    await owner.promoteKey(cfg.id, { gracePeriodMs: 60_000 });
    now = new Date('2026-05-01T00:01:00.000Z');
    expect(await owner.getConfig(cfg.id)).toMatchObject({ previousKeyState: 'expired' });
    await expect(owner.rollbackKey(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const expired = await owner.expirePrevious(cfg.id);
    expect(expired).toMatchObject({ previousKeyHint: null, previousKeyState: null, keyHint: NEW_HINT });
    const types = (await owner.listAudit({ limit: 50 })).items.map((e) => e.type);
    expect(
      types
        .filter((t) => ['key.staged', 'key.promoted', 'key.rolled_back', 'key.previous_expired'].includes(t))
        .reverse(),
    ).toStrictEqual(['key.staged', 'key.promoted', 'key.rolled_back', 'key.promoted', 'key.previous_expired']);
    expectNoSecret(renderEverywhere([promoted, rolledBack, expired, await owner.listAudit({ limit: 50 })]));
    expectNoSecret(renderEverywhere(await owner.listAudit({ limit: 50 })), NEW_KEY.slice('sk-proj-'.length));
  });

  it('needs key:manage for every step, refuses bad input with typed errors, and writes nothing then', async () => {
    const { vault, owner, cfg } = await setup();
    const member = vault.as({ tenantId: 'acme', actor: { id: 'm', role: 'member' } });
    await expect(member.setKey(cfg.id, NEW_KEY, { stage: true })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await owner.setKey(cfg.id, NEW_KEY, { stage: true });
    for (const call of [
      () => member.promoteKey(cfg.id),
      () => member.rollbackKey(cfg.id),
      () => member.expirePrevious(cfg.id),
      () => member.validateKey(cfg.id, { pending: true }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'PERMISSION_DENIED', permission: 'key:manage' });
    }
    await expect(owner.promoteKey(cfg.id, { gracePeriodMs: -1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(owner.setKey(cfg.id, NEW_KEY, { stage: 'yes' } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(owner.rollbackKey(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const before = await owner.getConfig(cfg.id);
    expect(before).toMatchObject({ keyHint: CANARY_HINT, pendingKeyHint: NEW_HINT });
    await owner.promoteKey(cfg.id);
    await expect(owner.promoteKey(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a new base URL re-seals the staged keys for it; a new provider or removeKey drops them', async () => {
    const { vault, owner, cfg, store } = await setup();
    await owner.setKey(cfg.id, NEW_KEY, { stage: true });
    await owner.updateConfig(cfg.id, { baseUrl: `${server.url}/v2` });
    await owner.promoteKey(cfg.id);
    expect(await resolved(vault)).toBe(NEW_KEY);
    await owner.rollbackKey(cfg.id);
    expect(await resolved(vault)).toBe(CANARY);
    const removed = await owner.removeKey(cfg.id);
    expect(removed).toMatchObject({ keyHint: null, pendingKeyHint: null, previousKeyHint: null });
    expect(JSON.stringify((store as MemoryStore).inspectRaw('acme').configs)).not.toContain('byokit:1:');
  });

  it('race: 50 resolutions during a promotion each get the old key or the new one, never a failure', async () => {
    const { vault, owner, cfg } = await setup();
    await owner.setKey(cfg.id, NEW_KEY, { stage: true });
    const keys = await Promise.all([
      ...Array.from({ length: 25 }, () => resolved(vault)),
      owner.promoteKey(cfg.id).then(() => 'promoted'),
      ...Array.from({ length: 25 }, () => resolved(vault)),
    ]);
    expect(keys.filter((k) => k !== 'promoted').every((k) => k === CANARY || k === NEW_KEY)).toBe(true);
    expect(await resolved(vault)).toBe(NEW_KEY);
  });

  it('a KEK rotation re-wraps pending and previous keys too', async () => {
    const k1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
    const k2 = { id: 'k2', key: new Uint8Array(32).fill(2) };
    const store = new MemoryStore();
    const before = await setup({ store, keyring: Keyring.fromKeys([k1]) });
    await before.owner.setKey(before.cfg.id, NEW_KEY, { stage: true });
    const other = await before.owner.createConfig({ name: 'other', provider: 'openai', baseUrl: `${server.url}/v1` });
    await before.owner.setKey(other.id, CANARY);
    await before.owner.setKey(other.id, NEW_KEY, { stage: true });
    await before.owner.promoteKey(other.id);
    const after = makeVault({ ...LOCAL_ENDPOINTS, store, keyring: Keyring.fromKeys([k2, k1]) });
    const report = await after.vault.rotate();
    expect(report).toMatchObject({ rewrapped: 4, failures: 0, remaining: 0, total: 4, done: 4, aborted: false });
    for (const row of store.inspectRaw('acme').configs) {
      for (const sealed of [row.sealedKey, row.pendingSealedKey, row.previousSealedKey])
        if (sealed !== null) expect(sealed.startsWith('byokit:1:k2:')).toBe(true);
    }
    const onlyNew = makeVault({ ...LOCAL_ENDPOINTS, store, keyring: Keyring.fromKeys([k2]) });
    await onlyNew.owner.promoteKey(before.cfg.id);
    await onlyNew.owner.rollbackKey(other.id);
    expect((await onlyNew.vault.resolve({ tenantId: 'acme', config: before.cfg.id })).key.reveal()).toBe(NEW_KEY);
    expect((await onlyNew.vault.resolve({ tenantId: 'acme', config: other.id })).key.reveal()).toBe(CANARY);
  });
});
