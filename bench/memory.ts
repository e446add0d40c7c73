/**
 * Rows on the memory store: the crypto floor (node:crypto, WebCrypto,
 * noble), resolve against one AES-GCM open, flat in tenant size, against a
 * Fernet decode, and the other per-call costs.
 */
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import fernet from 'fernet';
import {
  Keyring,
  MemoryStore,
  accessKeys,
  createVault,
  keyPools,
  type Vault,
  type VaultOptions,
} from '../src/index.js';
import { newAccessKeyToken } from '../src/access/token.js';
import { forceCipherBackend } from '../src/crypto/backends/select.js';
import { openSecret, sealSecret } from '../src/crypto/envelope.js';
import { duration, measure, pair, repeat, type Row } from './harness.js';

export const KEY = 'sk-proj-BENCH000000000000000000000000000000000000bnch';

/** One node:crypto AES-256-GCM open of a provider-key-sized message: the floor every row is compared with. */
export function nodeOpenBaseline(): { label: string; run: () => unknown } {
  const key = nodeRandomBytes(32);
  const nonce = nodeRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(KEY), cipher.final()]);
  const tag = cipher.getAuthTag();
  return {
    label: 'one node:crypto AES-256-GCM open of the key',
    run: () => {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]);
    },
  };
}

/**
 * A vault over a memory store whose tenant "acme" has `count` keyed configs
 * spread over the chain ws/p → ws → '' and three providers, custom
 * endpoints routing another provider among them: one openai config in
 * ws/p can win; the rest can't.
 */
export async function memoryTenant(count: number, options: Partial<VaultOptions> = {}): Promise<Vault> {
  const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate('k1'), ...options });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
  const items = Array.from({ length: count }, (_, i) => {
    const kind = i % 4;
    return {
      name: `c${i}`,
      scope: ['ws/p', 'ws', ''][i % 3]!,
      provider: ['openai', 'custom', 'mistral', 'openai'][kind]!,
      ...(kind === 1 ? { baseUrl: 'https://gw.example/v1', routes: ['anthropic'] } : {}),
      key: `${KEY}${i}`,
      enabled: i === 0 || i % 5 !== 0,
    };
  });
  await admin.importConfigs(items);
  return vault;
}

export const RESOLVE = { tenantId: 'acme', scope: 'ws/p', provider: 'openai' } as const;

export async function memoryRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const floor = nodeOpenBaseline();
  const one = await memoryTenant(1);
  rows.push(
    await pair('resolve(), memory store, 1 config (node:crypto backend)', floor, () => one.resolve(RESOLVE), {
      text: '≤ 3×',
      max: 3,
    }),
  );
  await forceCipherBackend('webcrypto');
  rows.push(
    await pair('resolve(), memory store, 1 config (WebCrypto backend)', floor, () => one.resolve(RESOLVE), {
      text: '≤ 12× (portable path)',
      max: 12,
    }),
  );
  await forceCipherBackend('noble');
  rows.push(
    await pair(
      'resolve(), memory store, 1 config (noble backend, the portable fallback)',
      floor,
      () => one.resolve(RESOLVE),
      { text: '≤ 12× (portable path)', max: 12 },
    ),
  );
  await forceCipherBackend(null);

  // Flat in tenant size: the same resolve on tenants of 10, 200 and 1,000 configs, each against the 1-config tenant.
  const oneConfig = { label: 'the same resolve(), tenant with 1 config', run: () => one.resolve(RESOLVE) };
  for (const count of [10, 200, 1000]) {
    const tenant = await memoryTenant(count);
    rows.push(
      await pair(
        `resolve(), memory store, ${count.toLocaleString('en-US')} configs in the chain`,
        oneConfig,
        () => tenant.resolve(RESOLVE),
        { text: '≤ 1.3× (flat)', max: 1.3 },
      ),
    );
  }

  // Key pools on: a single config reads and does nothing more; a pool of three chooses by its policy, its facts cached.
  rows.push(...(await poolRows(oneConfig)));

  // Against the scheme the reference platforms use: a Fernet token of the key, decoded per request.
  const secret = new fernet.Secret(nodeRandomBytes(32).toString('base64'));
  const token = new fernet.Token({ secret, ttl: 0 }).encode(KEY);
  const fernetDecode = {
    label: 'npm `fernet` decode of the key (Token#decode)',
    run: () => new fernet.Token({ secret, token, ttl: 0 }).decode(),
  };
  rows.push(
    await pair('resolve(), memory store vs Fernet', fernetDecode, () => one.resolve(RESOLVE), {
      text: '≤ 0.2× (5× faster)',
      max: 0.2,
    }),
  );

  // The envelope alone, and the other per-call costs, for reading the table.
  const keyring = Keyring.generate('k1');
  const context = { tenantId: 'acme', configId: 'cfg_01JD0000000000000000000000', provider: 'openai', baseUrl: null };
  const sealed = await sealSecret(KEY, context, keyring);
  rows.push(
    await pair('openSecret (unwrap + HKDF + commitment + open)', floor, () => openSecret(sealed, context, keyring)),
  );
  rows.push(await pair('sealSecret (DEK + HKDF + 2 seals)', floor, () => sealSecret(KEY, context, keyring)));
  const platform = createVault({
    store: new MemoryStore(),
    keyring,
    platformKeys: { openai: 'sk-platform-0000000000000000000001' },
  });
  rows.push(
    await pair('resolve(), memory store, platform key', floor, () =>
      platform.resolve({ tenantId: 'other', provider: 'openai' }),
    ),
  );
  const admin = one.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
  const target = await admin.createConfig({ name: 'target', provider: 'openai' });
  rows.push(await pair('admin.setKey (memory store, audited)', floor, () => admin.setKey(target.id, KEY)));
  rows.push(...(await accessKeyRows(floor)));
  return rows;
}

/**
 * Access keys: a resolution (authenticate + resolve + quota count) against a
 * plain resolve, and the three refusals against each other: they must cost
 * about the same, so timing can't tell whether an access-key id exists.
 */
async function accessKeyRows(floor: { label: string; run: () => unknown }): Promise<Row[]> {
  const store = new MemoryStore();
  const keyring = Keyring.generate('k1');
  const vault = createVault({ store, keyring, accessKeys: accessKeys({ keyring: Keyring.generate('h1') }) });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
  await admin.importConfigs([{ name: 'c', provider: 'openai', scope: 'ws', key: KEY }]);
  const live = (
    await admin.createAccessKey({ name: 'live', scope: 'ws/proj', quota: { requests: { limit: 1e12, per: 'day' } } })
  ).secret.reveal();
  const revokedKey = await admin.createAccessKey({ name: 'revoked' });
  await admin.revokeAccessKey(revokedKey.accessKey.id);
  const revoked = revokedKey.secret.reveal();
  const unknown = live.replace(/^byk_live_[0-9A-Z]{26}/, `byk_live_${'0'.repeat(26)}`);
  // The live key's id with another secret (checksum recomputed): a known id, the wrong secret.
  const wrongSecret = newAccessKeyToken(`ak_${live.slice(9, 35)}`).token;
  const refusal = (token: string) => () =>
    vault.resolve({ accessKey: token, provider: 'openai' }).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: { code?: string }) => {
        if (e.code !== 'ACCESS_KEY_INVALID') throw e;
      },
    );
  const plain = {
    label: 'resolve() of the same config by tenant id',
    run: () => vault.resolve({ tenantId: 'acme', scope: 'ws/proj', provider: 'openai' }),
  };
  const unknownRefusal = { label: 'refusal of an unknown access-key id', run: refusal(unknown) };
  return [
    await pair('resolve() with an access key (memory store, quota counted)', plain, () =>
      vault.resolve({ accessKey: live, provider: 'openai' }),
    ),
    await pair('access key refused: unknown id, against one AES-GCM open', floor, refusal(unknown)),
    await pair('access key refused: revoked, against an unknown id', unknownRefusal, refusal(revoked)),
    await pair(
      'access key refused: known id, wrong secret, against an unknown id',
      unknownRefusal,
      refusal(wrongSecret),
    ),
  ];
}

/** Rewrap over 1,000 keys in one scope of the memory store, per key, against one open. */
export async function memoryRewrapRow(): Promise<Row> {
  const count = 1000;
  const k1 = { id: 'k1', key: nodeRandomBytes(32) };
  const k2 = { id: 'k2', key: nodeRandomBytes(32) };
  const store = new MemoryStore();
  const admin = createVault({ store, keyring: Keyring.fromKeys([k1]) }).as({
    tenantId: 'rot',
    actor: { id: 'bench', role: 'owner' },
  });
  await admin.importConfigs(
    Array.from({ length: count }, (_, i) => ({ name: `r${i}`, provider: 'openai', scope: 'ws', key: `${KEY}${i}` })),
  );
  const vaults = [
    createVault({ store, keyring: Keyring.fromKeys([k2, k1]) }),
    createVault({ store, keyring: Keyring.fromKeys([k1, k2]) }),
  ];
  // Each run rotates the other way, so every run has all keys to move.
  const perKey = await repeat(5, async (run) => {
    const start = process.hrtime.bigint();
    const report = await vaults[(run + 1) % 2]!.rewrapKeys({ tenantId: 'rot' });
    if (report.rewrapped !== count) throw new Error(`rewrapped ${report.rewrapped} of ${count}`);
    return Number(process.hrtime.bigint() - start) / 1e6 / count;
  });
  const floor = nodeOpenBaseline();
  const open = await measure(floor.run);
  return {
    name: `vault.rewrapKeys per key (memory store, ${count.toLocaleString('en-US')} keys in one scope)`,
    baseline: floor.label,
    ratio: perKey.p50 / open.p50,
    spread: Math.hypot(perKey.mad / perKey.p50, open.mad / open.p50),
    subject: `${duration(perKey.p50)} (${Math.round(1000 / perKey.p50).toLocaleString('en-US')} keys/s)`,
    base: duration(open.p50),
    goal: '',
    met: null,
  };
}

/** Resolve with key pools on, against the same resolve without them (1 config). */
export async function poolRows(oneConfig: { label: string; run: () => unknown }): Promise<Row[]> {
  const rows: Row[] = [];
  const pooledOne = await memoryTenant(1, { pools: keyPools() });
  rows.push(
    await pair('resolve(), memory store, 1 config, key pools on', oneConfig, () => pooledOne.resolve(RESOLVE), {
      text: '≤ 1.2× (no pool read)',
      max: 1.2,
    }),
  );
  const three = createVault({ store: new MemoryStore(), keyring: Keyring.generate('k1'), pools: keyPools() });
  const admin = three.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
  await admin.importConfigs(
    ['a', 'b', 'c'].map((name) => ({ name, provider: 'openai', scope: 'ws/p', key: `${KEY}${name}` })),
  );
  await admin.setPoolPolicy({ scope: 'ws/p', provider: 'openai', policy: 'round-robin' });
  rows.push(
    await pair(
      'resolve(), memory store, pool of 3 keys (round-robin, facts cached)',
      oneConfig,
      () => three.resolve(RESOLVE),
      { text: '≤ 1.5×', max: 1.5 },
    ),
  );
  return rows;
}
