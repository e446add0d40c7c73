/**
 * Both rotations, on a SQLite file:
 * 1. a tenant replaces its OpenAI key without a moment of breakage: stage
 *    the new key, promote it, roll back when traffic says it is wrong;
 * 2. the operator replaces the master key (KEK) across every tenant with
 *    `vault.rotate()`, checks `vault.keyringStatus()`, and retires the old KEK.
 *
 * Run: `npx tsx examples/key-rotation.ts` (the same as `npx byokit keygen`,
 * `byokit status` and `byokit rotate --store sqlite:<file>` from a shell).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring, createVault } from 'byokit';
import { SqliteStore } from 'byokit/adapters/sqlite';

const dir = mkdtempSync(join(tmpdir(), 'byokit-rotation-example-'));
const file = join(dir, 'keys.db');
try {
  // Today's master key, as BYOKIT_MASTER_KEYS would hold it.
  const k1 = Keyring.generateEntry('k1');
  const store = await SqliteStore.open(file);
  let vault = createVault({ store, keyring: Keyring.parse(k1), previousKeyGracePeriodMs: 60 * 60_000 });

  // Three tenants with a key each.
  for (const tenantId of ['acme', 'globex', 'initech']) {
    const admin = vault.as({ tenantId, actor: { id: `${tenantId}-admin`, role: 'owner' } });
    await admin.importConfigs([
      { name: 'prod', provider: 'openai', key: `sk-proj-${tenantId.toUpperCase()}old000000000000000000000001` },
    ]);
  }

  // 1. Staged provider-key rotation in tenant acme.
  const acme = vault.as({ tenantId: 'acme', actor: { id: 'acme-admin', role: 'owner' } });
  const [prod] = (await acme.listConfigs()).items;
  const current = async () => (await vault.resolve({ tenantId: 'acme', provider: 'openai' })).key.hint;
  let view = await acme.setKey(prod!.id, 'sk-proj-ACMEnew000000000000000000000002', { stage: true });
  console.log(`staged ${view.pendingKeyHint}; resolution still uses ${await current()}`);
  view = await acme.promoteKey(prod!.id);
  console.log(
    `promoted: resolution uses ${await current()}; ${view.previousKeyHint} kept until ${view.previousKeyKeptUntil ? 'the grace period ends' : '-'}`,
  );
  view = await acme.rollbackKey(prod!.id);
  console.log(`rolled back: resolution uses ${await current()}; ${view.pendingKeyHint} is pending again`);
  console.log(
    `audit: ${(await acme.listAudit({ limit: 10 })).items
      .map((e) => e.type)
      .reverse()
      .join(', ')}`,
  );

  // 2. Master-key rotation: a new KEK first, the old one after it.
  const k2 = Keyring.generateEntry('k2');
  await vault.close();
  vault = createVault({ store, keyring: Keyring.parse(`${k2},${k1}`) });
  const before = await vault.keyringStatus();
  console.log(
    `before: ${before.keks.map((k) => `${k.kekId}=${k.keys}`).join(' ')} (${before.notOnPrimary} not on ${before.primaryKekId})`,
  );
  const report = await vault.rotate({ onProgress: (p) => console.log(`progress: ${p.done}/${p.total}`) });
  console.log(`rotated ${report.rewrapped} keys, ${report.failures} failures, ${report.remaining} left under old KEKs`);
  const after = await vault.keyringStatus();
  console.log(`after: ${after.keks.map((k) => `${k.kekId}=${k.keys}`).join(' ')}`);

  // The old KEK can go: every key opens with k2 alone.
  await vault.close();
  vault = createVault({ store, keyring: Keyring.parse(k2) });
  for (const tenantId of ['acme', 'globex', 'initech']) {
    const r = await vault.resolve({ tenantId, provider: 'openai' });
    console.log(`${tenantId}: ${r.key.hint} opens with k2 alone`);
  }
  await vault.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
