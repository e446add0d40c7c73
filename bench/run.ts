/**
 * byokit benchmarks: `npm run bench`.
 *
 * Every figure is reported as a ratio against a baseline measured in the
 * same run on the same machine: one AES-256-GCM open of a provider-key-sized
 * ciphertext with @noble/ciphers, the least work any encrypted-at-rest
 * design must do per request. Absolute numbers vary by machine; ratios
 * say what byokit adds on top of that floor.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { Keyring, MemoryStore, accessKeys, createVault } from '../src/index.js';
import { openSecret, sealSecret } from '../src/crypto/envelope.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkPolicy } from '../src/net/endpoint-policy.js';
import { createGuardedFetch } from '../src/net/guarded-fetch.js';

const ROUNDS = 5;
const KEY = 'sk-proj-BENCH000000000000000000000000000000000000bnch';

/** Median nanoseconds per operation over ROUNDS rounds of `iterations` calls, after a warm-up round. */
async function measure(iterations: number, op: () => unknown | Promise<unknown>): Promise<number> {
  const perOp: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await op();
    const elapsed = Number(process.hrtime.bigint() - start) / iterations;
    if (round > 0) perOp.push(elapsed);
  }
  perOp.sort((a, b) => a - b);
  return perOp[Math.floor(perOp.length / 2)]!;
}

async function main() {
  const rows: { name: string; ns: number }[] = [];
  const add = (name: string, ns: number) => rows.push({ name, ns });

  // Baseline: one noble AES-256-GCM open of a key-sized message.
  const aesKey = randomBytes(32);
  const nonce = randomBytes(12);
  const sealedBytes = gcm(aesKey, nonce).encrypt(new TextEncoder().encode(KEY));
  const baseline = await measure(20000, () => gcm(aesKey, nonce).decrypt(sealedBytes));
  add('baseline: noble AES-256-GCM open (1 AEAD)', baseline);

  // For reference: the same open with node:crypto (what an optional native backend could use).
  const nodeKey = nodeRandomBytes(32);
  const nodeNonce = nodeRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', nodeKey, nodeNonce);
  const nodeCt = Buffer.concat([cipher.update(KEY), cipher.final()]);
  const nodeTag = cipher.getAuthTag();
  add('node:crypto AES-256-GCM open (1 AEAD)', await measure(20000, () => {
    const d = createDecipheriv('aes-256-gcm', nodeKey, nodeNonce);
    d.setAuthTag(nodeTag);
    return Buffer.concat([d.update(nodeCt), d.final()]);
  }));

  const keyring = Keyring.generate('k1');
  const ctx = { tenantId: 'acme', configId: 'cfg_01JD0000000000000000000000', provider: 'openai', baseUrl: null };
  const sealed = await sealSecret(KEY, ctx, keyring);
  add('sealSecret (DEK + HKDF + 2 AEAD)', await measure(5000, () => sealSecret(KEY, ctx, keyring)));
  add('openSecret (unwrap + HKDF + commit + AEAD)', await measure(5000, () => openSecret(sealed, ctx, keyring)));

  // The hot path: resolve() on the memory store, a tenant with 10 configs over 3 scopes.
  const store = new MemoryStore();
  const vault = createVault({ store, keyring, platformKeys: { openai: 'sk-platform-0000000000000000000001' } });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
  for (let i = 0; i < 10; i++) {
    const cfg = await admin.createConfig({ name: `c${i}`, provider: i % 2 ? 'anthropic' : 'openai', scope: ['', 'ws', 'ws/proj'][i % 3]! });
    if (i % 2 === 0) await admin.setKey(cfg.id, `${KEY}${i}`);
  }
  add('vault.resolve (memory store, byok)', await measure(5000, () => vault.resolve({ tenantId: 'acme', scope: 'ws/proj', provider: 'openai' })));
  add('vault.resolve (memory store, platform)', await measure(5000, () => vault.resolve({ tenantId: 'other', provider: 'openai' })));
  const target = await admin.createConfig({ name: 'target', provider: 'openai' });
  add('admin.setKey (memory store, audited)', await measure(2000, () => admin.setKey(target.id, KEY)));

  // Access keys on the same tenant: a resolution (authenticate + resolve + quota count), and the three
  // refusals, which must cost about the same (no timing oracle on whether an id exists).
  const akVault = createVault({ store, keyring, accessKeys: accessKeys({ keyring: Keyring.generate('h1') }) });
  const akAdmin = akVault.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
  const live = (await akAdmin.createAccessKey({ name: 'live', scope: 'ws/proj', quota: { requests: { limit: 1e12, per: 'day' } } })).secret.reveal();
  const revokedKey = await akAdmin.createAccessKey({ name: 'revoked' });
  await akAdmin.revokeAccessKey(revokedKey.accessKey.id);
  const revoked = revokedKey.secret.reveal();
  const unknown = live.replace(/^byk_live_[0-9A-Z]{26}/, `byk_live_${'0'.repeat(26)}`);
  const refusal = (token: string) => () => akVault.resolve({ accessKey: token, provider: 'openai' }).then(() => {
    throw new Error('expected a refusal');
  }, (e: { code?: string }) => {
    if (e.code !== 'ACCESS_KEY_INVALID') throw e;
  });
  add('vault.resolve with an access key (memory store, byok, quota counted)', await measure(5000, () => akVault.resolve({ accessKey: live, provider: 'openai' })));
  // The live key's id with another secret (checksum recomputed): a known id, the wrong secret.
  const { newAccessKeyToken } = await import('../src/access/token.js');
  const wrongSecret = newAccessKeyToken(`ak_${live.slice(9, 35)}`).token;
  const unknownNs = await measure(5000, refusal(unknown));
  const revokedNs = await measure(5000, refusal(revoked));
  add('access key refused: unknown id (the MAC all the same)', unknownNs);
  add('access key refused: revoked', revokedNs);
  add('access key refused: known id, wrong secret', await measure(5000, refusal(wrongSecret)));

  // Rotation: rewrapKeys over 1,000 keyed configs in one scope, per config. Each round rotates the
  // other way (k1 → k2, then k2 → k1), so every round has all 1,000 keys to move.
  const REWRAP_COUNT = 1000;
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };
  const rotStore = new MemoryStore();
  const rotAdmin = createVault({ store: rotStore, keyring: Keyring.fromKeys([k1]) }).as({ tenantId: 'rot', actor: { id: 'bench', role: 'owner' } });
  for (let i = 0; i < REWRAP_COUNT; i++) {
    const cfg = await rotAdmin.createConfig({ name: `r${i}`, provider: 'openai', scope: 'ws' });
    await rotAdmin.setKey(cfg.id, `${KEY}${i}`);
  }
  const toK2 = createVault({ store: rotStore, keyring: Keyring.fromKeys([k2, k1]) });
  const toK1 = createVault({ store: rotStore, keyring: Keyring.fromKeys([k1, k2]) });
  let flip = false;
  const perRewrap = await measure(1, async () => {
    flip = !flip;
    const report = await (flip ? toK2 : toK1).rewrapKeys({ tenantId: 'rot' });
    if (report.rewrapped !== REWRAP_COUNT) throw new Error(`rewrapped ${report.rewrapped} of ${REWRAP_COUNT}`);
  });
  add(`vault.rewrapKeys per config (memory store, ${REWRAP_COUNT.toLocaleString('en-US')} in one scope)`, perRewrap / REWRAP_COUNT);

  // The transport: one small request to a local server, plain fetch vs byokit's guarded fetch
  // (URL policy check, connect-time address check on a kept-alive connection, no redirects).
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
  const guarded = createGuardedFetch({
    policy: networkPolicy({ allowPrivateEndpoints: ['127.0.0.1'] }),
    request: { tenantId: 'acme', provider: 'openai', action: 'request' },
  });
  const plainNs = await measure(500, async () => (await fetch(url)).text());
  const guardedNs = await measure(500, async () => (await guarded(url)).text());
  add('fetch, one local request (plain global fetch)', plainNs);
  add('fetch, one local request (guarded)', guardedNs);
  server.closeAllConnections();
  server.close();

  // Cold start: what `import 'byokit'` costs a fresh process.
  const cold = coldImportNs();
  if (cold !== null) add(`cold import of dist/index.js (fresh process, median of ${COLD_RUNS})`, cold);

  console.log(`byokit benchmarks (node ${process.version}, median of ${ROUNDS} rounds)\n`);
  console.log('| operation | µs/op | ops/s | × baseline |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(`| ${row.name} | ${(row.ns / 1000).toFixed(1)} | ${Math.round(1e9 / row.ns).toLocaleString('en-US')} | ${(row.ns / baseline).toFixed(2)} |`);
  }

  console.log(`\nguarded fetch / plain fetch: ${(guardedNs / plainNs).toFixed(2)}×`);
  console.log(`access key refused, unknown id / revoked: ${(unknownNs / revokedNs).toFixed(2)}× (the difference is the store returning a known key's candidates)`);

  // Memory: heap held per stored config with a sealed key.
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const big = new MemoryStore();
  const bigVault = createVault({ store: big, keyring });
  const bigAdmin = bigVault.as({ tenantId: 'mem', actor: { id: 'bench', role: 'owner' } });
  const COUNT = 2000;
  for (let i = 0; i < COUNT; i++) {
    const cfg = await bigAdmin.createConfig({ name: `m${i}`, provider: 'openai' });
    await bigAdmin.setKey(cfg.id, `${KEY}${i}`);
  }
  globalThis.gc?.();
  const perConfig = (process.memoryUsage().heapUsed - before) / COUNT;
  console.log(`\nmemory: ~${Math.round(perConfig).toLocaleString('en-US')} bytes of heap per config with key and 3 audit events (MemoryStore, ${COUNT} configs${globalThis.gc ? '' : ', without --expose-gc: rough'})`);
}

const COLD_RUNS = 9;

/**
 * Cold import of the built root entry: each run is a fresh `node` process
 * that times its own `await import()` (so Node's start-up is not counted);
 * the median of the runs. Null, with a note, when dist/ is not built.
 */
function coldImportNs(): number | null {
  const entry = new URL('../dist/index.js', import.meta.url);
  if (!existsSync(fileURLToPath(entry))) {
    console.log('(cold import skipped: run `npm run build` first)\n');
    return null;
  }
  const script = `const t = process.hrtime.bigint(); await import(${JSON.stringify(entry.href)}); console.log(String(process.hrtime.bigint() - t));`;
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()));
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

await main();
