import { describe, expect, it } from 'vitest';
import {
  Keyring,
  MemoryStore,
  type SealedConfigRecord,
  type Page,
  type StoreSealedConfigQuery,
} from '../../src/index.js';
import { CANARY, makeVault } from '../vault/helpers.js';

const k1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
const k2 = { id: 'k2', key: new Uint8Array(32).fill(2) };

/** `n` keyed configs in each of `tenants`, under k1. */
async function seed(store: MemoryStore, tenants: string[], n: number) {
  const { vault } = makeVault({ store, keyring: Keyring.fromKeys([k1]) });
  for (const tenantId of tenants) {
    const admin = vault.as({ tenantId, actor: { id: 'seed', role: 'owner' } });
    await admin.importConfigs(
      Array.from({ length: n }, (_, i) => ({
        name: `c${i}`,
        provider: 'openai' as const,
        key: `${CANARY}${tenantId}${i}`,
      })),
    );
  }
}

describe('vault.rotate and vault.keyringStatus (store-wide KEK rotation)', () => {
  it('re-wraps every tenant’s keys under the primary, reports progress, and leaves the old KEK unused', async () => {
    const store = new MemoryStore();
    const tenants = ['t-a', 't-b', 't-c', 't-d'];
    await seed(store, tenants, 30);
    const { vault } = makeVault({ store, keyring: Keyring.fromKeys([k2, k1]) });
    const before = await vault.keyringStatus();
    expect(before).toMatchObject({ primaryKekId: 'k2', keys: 120, notOnPrimary: 120, unreadable: 0 });
    expect(before.keks.map((k) => [k.kekId, k.primary, k.inKeyring, k.keys])).toStrictEqual([
      ['k2', true, true, 0],
      ['k1', false, true, 120],
    ]);
    expect(before.keks[1]!.byState).toStrictEqual({ active: 120, disabled: 0, expired: 0, pending: 0, previous: 0 });
    const progress: number[] = [];
    const report = await vault.rotate({ batchSize: 25, onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({
      done: 120,
      total: 120,
      rewrapped: 120,
      failures: 0,
      failed: [],
      remaining: 0,
      aborted: false,
    });
    expect(progress).toStrictEqual([25, 50, 75, 100, 120]);
    expect(report.rate).toBeGreaterThan(0);
    const after = await vault.keyringStatus();
    expect(after.keks.map((k) => [k.kekId, k.keys])).toStrictEqual([
      ['k2', 120],
      ['k1', 0],
    ]);
    const onlyNew = makeVault({ store, keyring: Keyring.fromKeys([k2]) });
    for (const tenantId of tenants)
      expect((await onlyNew.vault.resolve({ tenantId, config: 'c7' })).key.reveal()).toBe(`${CANARY}${tenantId}7`);
    expect((await vault.rotate()).rewrapped).toBe(0);
  });

  it('stopped by its signal, it returns what it did; run again, it finishes', async () => {
    const store = new MemoryStore();
    await seed(store, ['t-a', 't-b'], 50);
    const { vault } = makeVault({ store, keyring: Keyring.fromKeys([k2, k1]) });
    const controller = new AbortController();
    const first = await vault.rotate({
      batchSize: 20,
      signal: controller.signal,
      onProgress: (p) => p.done >= 40 && controller.abort(),
    });
    expect(first).toMatchObject({ aborted: true, done: 40, rewrapped: 40, remaining: 60 });
    const second = await vault.rotate({ batchSize: 20 });
    expect(second).toMatchObject({ aborted: false, total: 60, rewrapped: 60, remaining: 0 });
  });

  it('lists keys it can’t open and leaves them; keyringStatus names a KEK missing from the keyring', async () => {
    const store = new MemoryStore();
    await seed(store, ['t-a'], 3);
    const lost = makeVault({ store, keyring: Keyring.generate('k0') });
    await lost.owner.importConfigs([{ name: 'lost', provider: 'openai', key: CANARY }]);
    const { vault } = makeVault({ store, keyring: Keyring.fromKeys([k2, k1]) });
    const status = await vault.keyringStatus();
    expect(status.keks.find((k) => k.kekId === 'k0')).toMatchObject({ inKeyring: false, keys: 1 });
    expect(status.unreadable).toBe(1);
    const report = await vault.rotate();
    expect(report).toMatchObject({ rewrapped: 3, failures: 1, remaining: 1 });
    expect(report.failed).toStrictEqual([
      { tenantId: 'acme', configId: expect.stringMatching(/^cfg_/), slot: 'active', code: 'KEK_UNKNOWN' },
    ]);
  });

  it('a key replaced during the run keeps its new value (compare-and-swap), and every other key is rotated', async () => {
    /** Replaces one key between the walk's read and its swap. */
    class RacingStore extends MemoryStore {
      onPage: (() => Promise<void>) | null = null;
      override async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
        const page = await super.listSealedConfigsAcrossTenants(query);
        const race = this.onPage;
        this.onPage = null;
        await race?.();
        return page;
      }
    }
    const store = new RacingStore();
    await seed(store, ['t-a'], 10);
    const { vault } = makeVault({ store, keyring: Keyring.fromKeys([k2, k1]) });
    const admin = vault.as({ tenantId: 't-a', actor: { id: 'u', role: 'owner' } });
    const target = (await admin.listConfigs()).items[4]!;
    store.onPage = async () => void (await admin.setKey(target.id, `${CANARY}replaced`));
    const report = await vault.rotate();
    expect(report).toMatchObject({ remaining: 0, failures: 0 });
    expect((await vault.resolve({ tenantId: 't-a', config: target.id })).key.reveal()).toBe(`${CANARY}replaced`);
    const onlyNew = makeVault({ store, keyring: Keyring.fromKeys([k2]) });
    expect((await onlyNew.vault.resolve({ tenantId: 't-a', config: 'c3' })).key.reveal()).toBe(`${CANARY}t-a3`);
  });

  it('refuses bad options with typed errors and needs an open vault', async () => {
    const { vault } = makeVault();
    await expect(vault.rotate({ batchSize: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(vault.rotate({ batchSize: 1001 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(vault.rotate({ signal: 'stop' } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(vault.rotate({ extra: 1 } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await vault.close();
    await expect(vault.rotate()).rejects.toMatchObject({ code: 'VAULT_CLOSED' });
    await expect(vault.keyringStatus()).rejects.toMatchObject({ code: 'VAULT_CLOSED' });
  });
});
