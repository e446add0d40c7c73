/**
 * Per-config operations read the one row they need (rule 16):
 * validateKey, a base-URL change and rewrap read a config's sealed key
 * through loadSealedConfig, never through the resolution read of its whole
 * scope (which returned every sealed key of the scope, once per config).
 */
import { describe, expect, it } from 'vitest';
import {
  Keyring,
  MemoryStore,
  createVault,
  type SealedConfigRecord,
  type Page,
  type SealedConfigQuery,
  type SealedKeySwap,
} from '../../src/index.js';
import { CANARY } from './helpers.js';

/** A memory store that counts its calls and the sealed keys it hands out. */
class CountingStore extends MemoryStore {
  calls: string[] = [];
  sealedRowsReturned = 0;
  override async loadCandidates(tenantId: string, scopes: readonly string[]): Promise<SealedConfigRecord[]> {
    const rows = await super.loadCandidates(tenantId, scopes);
    this.calls.push('loadCandidates');
    this.sealedRowsReturned += rows.filter((r) => r.sealedKey !== null).length;
    return rows;
  }
  override async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    const row = await super.loadSealedConfig(tenantId, id);
    this.calls.push('loadSealedConfig');
    this.sealedRowsReturned += row?.sealedKey ? 1 : 0;
    return row;
  }
  override async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const page = await super.listSealedConfigs(tenantId, query);
    this.calls.push('listSealedConfigs');
    this.sealedRowsReturned += page.items.length;
    return page;
  }
  override async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    this.calls.push(`swapSealedKeys(${swaps.length})`);
    return super.swapSealedKeys(tenantId, swaps);
  }
  reset(): void {
    this.calls = [];
    this.sealedRowsReturned = 0;
  }
}

const K1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
const K2 = { id: 'k2', key: new Uint8Array(32).fill(2) };

async function scopeOf(count: number) {
  const store = new CountingStore();
  const vault = createVault({ store, keyring: Keyring.fromKeys([K1]), allowPrivateEndpoints: ['127.0.0.1'] });
  const owner = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const cfg = await owner.createConfig({
      name: `c${i}`,
      provider: 'custom',
      baseUrl: 'http://127.0.0.1:9/v1',
      scope: 'ws',
    });
    await owner.setKey(cfg.id, `${CANARY}${i}`);
    ids.push(cfg.id);
  }
  store.reset();
  return { store, vault, owner, ids };
}

describe('per-config operations read one row', () => {
  it('validateKey reads the config’s sealed key once, and no other config’s', async () => {
    const { store, owner, ids } = await scopeOf(30);
    await owner.validateKey(ids[7]!);
    expect(store.calls.filter((c) => c !== 'loadSealedConfig')).toStrictEqual([]);
    expect(store.calls).toStrictEqual(['loadSealedConfig']);
    expect(store.sealedRowsReturned).toBe(1);
  });

  it('a base-URL change re-seals from the config’s own row only', async () => {
    const { store, vault, owner, ids } = await scopeOf(30);
    await owner.updateConfig(ids[3]!, { baseUrl: 'http://127.0.0.1:10/v1' });
    expect(store.calls).toStrictEqual(['loadSealedConfig']);
    expect(store.sealedRowsReturned).toBe(1);
    expect((await vault.resolve({ tenantId: 'acme', scope: 'ws', config: ids[3]! })).key.reveal()).toBe(`${CANARY}3`);
  });

  it('rewrap of a scope reads each sealed key once: n rows, not n × n, one read and one swap per batch', async () => {
    const { store, ids } = await scopeOf(40);
    const rotated = createVault({ store, keyring: Keyring.fromKeys([K2, K1]) });
    expect(await rotated.rewrapKeys({ tenantId: 'acme' })).toStrictEqual({
      rewrapped: ids.length,
      failed: [],
      remaining: 0,
    });
    expect(store.calls).toStrictEqual(['listSealedConfigs', `swapSealedKeys(${ids.length})`]);
    expect(store.sealedRowsReturned).toBe(ids.length);
    for (const config of store.inspectRaw('acme').configs) expect(config.kekId).toBe('k2');
  });
});
