/**
 * The app's one vault, created on first use and kept across requests (and
 * across hot reloads in `next dev`, through `globalThis`).
 *
 * Environment:
 * - `BYOKIT_MASTER_KEYS`: the key-encryption keys (`k1:<base64 of 32 bytes>`).
 * - `DATABASE_URL`: PostgreSQL (`pg`); without it, an in-memory store
 *   (fine for a demo, gone on restart).
 * - `OPENAI_API_KEY`: your platform key, for tenants without their own.
 * - `BYOKIT_ALLOW_PRIVATE_ENDPOINTS`: comma-separated hosts/CIDRs of
 *   self-hosted model servers keys may be sent to (default: public only).
 */
import { createVault, Keyring, MemoryStore, type StorageAdapter, type Vault } from 'byokit';

const cache = globalThis as { byokitVault?: Promise<Vault> };

async function openStore(): Promise<StorageAdapter> {
  const url = process.env.DATABASE_URL;
  if (!url) return new MemoryStore();
  const [{ default: pg }, { PostgresStore }] = await Promise.all([import('pg'), import('byokit/adapters/postgres')]);
  const store = new PostgresStore(new pg.Pool({ connectionString: url }));
  await store.migrate();
  return store;
}

async function createAppVault(): Promise<Vault> {
  const privateEndpoints = process.env.BYOKIT_ALLOW_PRIVATE_ENDPOINTS?.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return createVault({
    store: await openStore(),
    keyring: Keyring.fromEnv(),
    ...(process.env.OPENAI_API_KEY ? { platformKeys: { openai: process.env.OPENAI_API_KEY } } : {}),
    ...(privateEndpoints?.length ? { allowPrivateEndpoints: privateEndpoints } : {}),
  });
}

/** The vault of this app. */
export function getVault(): Promise<Vault> {
  cache.byokitVault ??= createAppVault();
  return cache.byokitVault;
}
