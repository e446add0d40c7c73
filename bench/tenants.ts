/**
 * Loading benchmark data through the public bulk import, as a host would:
 * tenants of ten configs each (a default, providers mixed, custom
 * endpoints, a disabled one), in parallel calls.
 */
import type { ImportConfigInput, Vault } from '../src/index.js';
import { KEY } from './memory.js';

/** The ten configs of one benchmark tenant: an openai config in ws/p is always one that can win. */
export function tenantConfigs(tenant: number): ImportConfigInput[] {
  return Array.from({ length: 10 }, (_, i) => ({
    name: `t${tenant}-c${i}`,
    scope: ['ws/p', 'ws', ''][i % 3]!,
    provider: ['openai', 'custom', 'mistral', 'openai', 'openai'][i % 5]!,
    ...(i % 5 === 1 ? { baseUrl: 'https://gw.example/v1', routes: ['anthropic'] } : {}),
    isDefault: i === 9,
    enabled: i !== 5,
    key: `${KEY}${tenant}x${i}`,
  }));
}

/** Imports tenants `from` up to `to` (exclusive), `parallel` import calls at a time. */
export async function loadTenants(
  vault: Vault,
  from: number,
  to: number,
  parallel = 8,
  onProgress?: (done: number) => void,
): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const tenant = next++;
      const report = await vault
        .as({ tenantId: `t${tenant}`, actor: { id: 'bench', role: 'owner' } })
        .importConfigs(tenantConfigs(tenant));
      if (report.failed !== 0) throw new Error(`tenant t${tenant}: ${report.failed} configs failed to import`);
      if (onProgress && (tenant - from) % 10_000 === 0) onProgress(tenant - from);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** A resolve of a random tenant among the first `count`, for p50 over many tenants. */
export function randomTenantResolve(vault: Vault, count: number): () => Promise<unknown> {
  return () => vault.resolve({ tenantId: `t${Math.floor(Math.random() * count)}`, scope: 'ws/p', provider: 'openai' });
}
