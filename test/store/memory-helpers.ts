/**
 * Raw access to a MemoryStore for tests that look or reach behind the
 * adapter: a dump of everything it holds and the copied-row attack.
 */
import type { MemoryStore } from '../../src/store/memory.js';

/** Raw view over every tenant the store holds, found through `inspectRaw`'s list of other tenants. */
export function dumpAll(store: MemoryStore): string {
  const seen = new Set<string>();
  const pending = [''];
  const parts: unknown[] = [];
  while (pending.length > 0) {
    const tenant = pending.pop()!;
    if (seen.has(tenant)) continue;
    seen.add(tenant);
    const raw = store.inspectRaw(tenant);
    parts.push({ tenant, configs: raw.configs, audit: raw.audit, state: raw.state });
    pending.push(...raw.otherTenants);
  }
  // Maps (the access-key state) as entry lists, so the text shows what they hold.
  return JSON.stringify(parts, (_key, value: unknown) => (value instanceof Map ? [...value] : value));
}

/** Copies a stored config (sealed key included) under another tenant, verbatim or with its tenant field rewritten. */
export function copyMemoryRow(
  store: MemoryStore,
  from: { tenantId: string; id: string },
  toTenantId: string,
  keepStoredTenant: boolean,
): boolean {
  const row = store.inspectRaw(from.tenantId).configs.find((c) => c.id === from.id);
  if (!row) throw new Error(`no config ${from.id} in tenant ${from.tenantId} to copy`);
  store.putRaw(toTenantId, keepStoredTenant ? row : { ...row, tenantId: toTenantId });
  return true;
}
