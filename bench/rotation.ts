/**
 * Store-wide KEK rotation throughput: `vault.rotate` over 10,000 keys in
 * 200 tenants (50 each), against `vault.rewrapKeys` called tenant by
 * tenant over the same keys (what a host had to do before, with its own
 * tenant list), measured in one run on the same store. Each run rotates the
 * other way, so every run has every key to move.
 */
import { Keyring, createVault, type StorageAdapter } from '../src/index.js';
import { interleaved, throughputRow, timed, type Row } from './harness.js';
import { KEY } from './memory.js';

const TENANTS = 200;
const PER_TENANT = 50;
const KEYS = TENANTS * PER_TENANT;

export async function rotationRow(store: StorageAdapter, backend: string): Promise<Row> {
  const k1 = { id: 'k1', key: crypto.getRandomValues(new Uint8Array(32)) };
  const k2 = { id: 'k2', key: crypto.getRandomValues(new Uint8Array(32)) };
  const loader = createVault({ store, keyring: Keyring.fromKeys([k1]) });
  const tenants = Array.from({ length: TENANTS }, (_, t) => `rotate-${String(t).padStart(3, '0')}`);
  for (const tenantId of tenants) {
    await loader.as({ tenantId, actor: { id: 'bench', role: 'owner' } }).importConfigs(
      Array.from({ length: PER_TENANT }, (_, i) => ({
        name: `r${i}`,
        provider: 'openai',
        key: `${KEY}${tenantId}${i}`,
      })),
    );
  }
  const vaults = [
    createVault({ store, keyring: Keyring.fromKeys([k2, k1]) }),
    createVault({ store, keyring: Keyring.fromKeys([k1, k2]) }),
  ];
  let turn = 0;
  const rotate = async () => {
    const vault = vaults[turn++ % 2]!;
    let moved = 0;
    const seconds = await timed(async () => (moved = (await vault.rotate()).rewrapped));
    if (moved !== KEYS) throw new Error(`rotate moved ${moved} of ${KEYS}`);
    return KEYS / seconds;
  };
  const perTenant = async () => {
    const vault = vaults[turn++ % 2]!;
    let moved = 0;
    const seconds = await timed(async () => {
      for (const tenantId of tenants) moved += (await vault.rewrapKeys({ tenantId })).rewrapped;
    });
    if (moved !== KEYS) throw new Error(`rewrapKeys moved ${moved} of ${KEYS}`);
    return KEYS / seconds;
  };
  const [base, subject] = await interleaved(3, perTenant, rotate);
  return throughputRow(
    `vault.rotate, ${backend}, ${KEYS.toLocaleString('en-US')} keys in ${TENANTS} tenants`,
    'vault.rewrapKeys tenant by tenant, same keys',
    base,
    subject,
    { text: '≥ 5,000 keys/s', minPerSecond: 5_000 },
  );
}
