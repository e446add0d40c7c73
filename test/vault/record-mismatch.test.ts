/**
 * The vault trusts the request, never the row (rule 14): whatever a
 * store returns for tenant B must be B's, and the config asked for, or the
 * vault refuses it with RECORD_MISMATCH. Shown with custom adapters that get
 * tenants or ids wrong, the way a tenant-blind or buggy adapter would.
 */
import { describe, expect, it } from 'vitest';
import {
  Keyring,
  MemoryStore,
  createVault,
  isByokitError,
  type CandidateFilter,
  type SealedConfigRecord,
  type ConfigQuery,
  type ConfigRecord,
  type Page,
  type SealedConfigQuery,
} from '../../src/index.js';
import { CANARY, renderEverywhere } from './helpers.js';

/** An adapter that answers tenant "globex" from tenant "acme"'s rows: tenant-blind, as a careless key layout would be. */
class TenantBlindStore extends MemoryStore {
  override async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    return (await super.getConfig(tenantId, id)) ?? super.getConfig('acme', id);
  }
  override async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    return (await super.loadSealedConfig(tenantId, id)) ?? super.loadSealedConfig('acme', id);
  }
  override async loadCandidates(
    tenantId: string,
    scopes: readonly string[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    return [
      ...(await super.loadCandidates(tenantId, scopes, filter)),
      ...(tenantId === 'acme' ? [] : await super.loadCandidates('acme', scopes, filter)),
    ];
  }
  override async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const own = await super.listSealedConfigs(tenantId, query);
    return tenantId === 'acme'
      ? own
      : { items: [...own.items, ...(await super.listSealedConfigs('acme', query)).items], nextCursor: null };
  }
  override async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const own = await super.listConfigs(tenantId, query);
    return tenantId === 'acme'
      ? own
      : { items: [...own.items, ...(await super.listConfigs('acme', query)).items], nextCursor: null };
  }
}

const K1 = { id: 'k1', key: new Uint8Array(32).fill(1) };
const K2 = { id: 'k2', key: new Uint8Array(32).fill(2) };

async function setUp() {
  const store = new TenantBlindStore();
  const keyring = Keyring.fromKeys([K1]);
  const vault = createVault({
    store,
    keyring,
    platformKeys: { openai: 'sk-platform-000000000000000000000001' },
    allowPrivateEndpoints: ['127.0.0.1'],
  });
  const acme = vault.as({ tenantId: 'acme', actor: { id: 'acme-owner', role: 'owner' } });
  const globex = vault.as({ tenantId: 'globex', actor: { id: 'globex-owner', role: 'owner' } });
  const victim = await acme.createConfig({
    name: 'gateway',
    provider: 'custom',
    routes: ['openai'],
    baseUrl: 'https://gateway.acme.example/v1',
  });
  await acme.setKey(victim.id, CANARY);
  return { store, vault, acme, globex, victim };
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => expect.fail('expected RECORD_MISMATCH, the call succeeded'),
    (e: unknown) => e,
  );
  expect(isByokitError(error, 'RECORD_MISMATCH'), String(error)).toBe(true);
  expect((error as Error).name).toBe('StoreError');
  expect((error as Error).message).toMatch(
    /^\[byokit\] \[vault\] the memory store returned a record whose tenantId is not the one asked for/,
  );
  // It names what was asked for, never the other tenant or any value of the record.
  expect((error as Error).message).not.toContain('"acme"');
  expect((error as Error).message).not.toContain('gateway');
  expect(renderEverywhere(error)).not.toContain(CANARY);
  return error as Error;
}

describe('records of another tenant are refused, never used (RECORD_MISMATCH)', () => {
  it('by every tenant-handle read and write, writing nothing', async () => {
    const { store, globex, victim } = await setUp();
    const before = JSON.stringify([store.inspectRaw('acme'), store.inspectRaw('globex')]);
    await refusal(globex.getConfig(victim.id));
    await refusal(globex.listConfigs());
    await refusal(globex.updateConfig(victim.id, { baseUrl: 'https://attacker.example/v1' }));
    await refusal(globex.updateConfig(victim.id, { name: 'renamed' }));
    await refusal(globex.setKey(victim.id, 'sk-proj-attacker000000000000000000000001'));
    await refusal(globex.removeKey(victim.id));
    await refusal(globex.setEnabled(victim.id, false));
    await refusal(globex.setDefault(victim.id));
    await refusal(globex.validateKey(victim.id));
    await refusal(globex.deleteConfig(victim.id));
    expect(JSON.stringify([store.inspectRaw('acme'), store.inspectRaw('globex')])).toBe(before);
  });

  it('by resolution: a candidate of another tenant fails the request closed, even when the tenant has a usable key of its own', async () => {
    const { vault, globex, victim } = await setUp();
    const own = await globex.createConfig({ name: 'own', provider: 'openai' });
    await globex.setKey(own.id, 'sk-proj-globexownkey000000000000000000001');
    await refusal(vault.resolve({ tenantId: 'globex', provider: 'openai' }));
    await refusal(vault.resolve({ tenantId: 'globex', config: victim.id }));
    // A foreign row that can't win the request is not read at all (filtered read); reading the whole chain meets it.
    await expect(vault.resolve({ tenantId: 'globex', provider: 'anthropic' })).rejects.toMatchObject({
      code: 'NO_KEY',
    });
    await refusal(vault.resolve({ tenantId: 'globex', provider: 'anthropic', explain: true }));
    await expect(vault.resolve({ tenantId: 'acme', provider: 'openai' })).resolves.toMatchObject({ source: 'custom' });
  });

  it('by rewrap: reported as failed and remaining, never rewrapped or counted done', async () => {
    const { store, victim } = await setUp();
    const rotated = createVault({ store, keyring: Keyring.fromKeys([K2, K1]) });
    const report = await rotated.rewrapKeys({ tenantId: 'globex' });
    expect(report).toStrictEqual({
      rewrapped: 0,
      failed: [{ configId: victim.id, code: 'RECORD_MISMATCH' }],
      remaining: 1,
    });
    expect(store.inspectRaw('globex').configs).toStrictEqual([]);
  });

  it('a record of another config id is refused too', async () => {
    class WrongIdStore extends MemoryStore {
      target = '';
      override async getConfig(tenantId: string, id: string) {
        return super.getConfig(tenantId, id === this.target ? this.other : id);
      }
      override async loadSealedConfig(tenantId: string, id: string) {
        return super.loadSealedConfig(tenantId, id === this.target ? this.other : id);
      }
      other = '';
    }
    const store = new WrongIdStore();
    const vault = createVault({ store, keyring: Keyring.generate() });
    const owner = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
    const keyed = await owner.createConfig({ name: 'keyed', provider: 'openai' });
    await owner.setKey(keyed.id, CANARY);
    const asked = await owner.createConfig({ name: 'asked', provider: 'openai' });
    store.target = asked.id;
    store.other = keyed.id;
    for (const attempt of [
      owner.getConfig(asked.id),
      owner.validateKey(asked.id),
      owner.updateConfig(asked.id, { baseUrl: 'https://x.example/v1' }),
    ]) {
      const error = await attempt.then(
        () => expect.fail('expected RECORD_MISMATCH'),
        (e: unknown) => e as Error,
      );
      expect(error).toMatchObject({
        code: 'RECORD_MISMATCH',
        message: expect.stringContaining(`whose id is not the one asked for (config ${asked.id} of tenant "acme")`),
      });
    }
  });
});
