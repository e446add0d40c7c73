/**
 * Many tenants' keys under one KEK, written the fast way (bulk import), and
 * the check that every stored key opens to its original plaintext.
 */
import { expect } from 'vitest';
import { openSecret } from '../../src/crypto/envelope.js';
import { Keyring, createVault, type StorageAdapter } from '../../src/index.js';
import { sealContext } from '../../src/vault/context.js';

export const k1 = { id: 'k1', key: new Uint8Array(32).fill(11) };
export const k2 = { id: 'k2', key: new Uint8Array(32).fill(22) };
export const k3 = { id: 'k3', key: new Uint8Array(32).fill(33) };

/** The plaintext of key `i` of `tenantId`: distinct, and recognisable in any dump. */
export function plaintextOf(tenantId: string, i: number): string {
  return `sk-proj-ROTATION${tenantId.replace(/\W/g, '')}x${String(i).padStart(4, '0')}abcdefghijklmnop`;
}

export const tenantOf = (t: number) => `rot-tenant-${String(t).padStart(3, '0')}`;

/** `tenants` × `perTenant` keyed configs (named `c<i>`), sealed under `kek`. */
export async function seed(store: StorageAdapter, tenants: number, perTenant: number, kek = k1): Promise<void> {
  const vault = createVault({ store, keyring: Keyring.fromKeys([kek]) });
  for (let t = 0; t < tenants; t++) {
    const tenantId = tenantOf(t);
    const admin = vault.as({ tenantId, actor: { id: 'seed', role: 'owner' } });
    const report = await admin.importConfigs(
      Array.from({ length: perTenant }, (_, i) => ({
        name: `c${i}`,
        provider: 'openai' as const,
        key: plaintextOf(tenantId, i),
      })),
    );
    expect(report.created).toBe(perTenant);
  }
  await vault.close();
}

/**
 * Reads every stored key (the store-wide walk, every slot) and opens it
 * with `keyring` alone: each must open to `expected(tenantId, name)`.
 * Returns how many keys were checked.
 */
export async function expectEveryKeyOpens(
  store: StorageAdapter,
  keyring: Keyring,
  expected: (tenantId: string, name: string) => string,
): Promise<number> {
  let cursor: string | undefined;
  let checked = 0;
  do {
    // `kekIdNot` names no KEK: every stored key is listed.
    const page = await store.listSealedConfigsAcrossTenants({
      kekIdNot: '-none-',
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const row of page.items) {
      expect(
        row.sealedKey?.startsWith(`byokit:1:${keyring.primaryKekId}:`),
        `${row.tenantId}/${row.name} is under the primary`,
      ).toBe(true);
      const plaintext = await openSecret(row.sealedKey!, sealContext(row.tenantId, row.id, row), keyring);
      if (plaintext !== expected(row.tenantId, row.name))
        expect.fail(`${row.tenantId}/${row.name} opened to another key`);
      checked += 1;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return checked;
}
