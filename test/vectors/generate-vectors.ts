/**
 * Regenerates test/vectors/seal-v1.json from fixed keys and nonces.
 * Run only when the format version changes: `npx tsx test/vectors/generate-vectors.ts`.
 * The committed file is the reference; tests check the code against it.
 */
import { writeFileSync } from 'node:fs';
import { Keyring } from '../../src/crypto/keyring.js';
import { sealSecret } from '../../src/crypto/envelope.js';
import { fixedBytes, hex } from './fixed-bytes.js';

const cases = [
  {
    name: 'openai key, default endpoint',
    secret: 'sk-proj-TESTVECTOR0000000000000000000000007xQ2',
    context: { tenantId: 'acme', configId: 'cfg_01JD0000000000000000000000', provider: 'openai', baseUrl: null },
  },
  {
    name: 'custom endpoint with base URL',
    secret: 'gw-key-0123456789abcdef',
    context: {
      tenantId: 'globex',
      configId: 'cfg_01JD0000000000000000000001',
      provider: 'custom',
      baseUrl: 'https://llm.internal.example/v1',
    },
  },
  {
    name: 'unicode tenant data, short key',
    secret: 'k€y-ünïcødé-1234',
    context: {
      tenantId: 'tenant_ü',
      configId: 'cfg_01JD0000000000000000000002',
      provider: 'anthropic',
      baseUrl: 'http://127.0.0.1:8080',
    },
  },
];

const out = [];
for (const [index, c] of cases.entries()) {
  const kek = fixedBytes(32, 1 + index);
  const dek = fixedBytes(32, 101 + index);
  const nonce = fixedBytes(12, 201 + index);
  const wrapNonce = fixedBytes(12, 301 + index);
  const keyring = Keyring.fromKeys([{ id: `k${index + 1}`, key: kek }], { random: () => Uint8Array.from(wrapNonce) });
  const queue = [Uint8Array.from(dek), Uint8Array.from(nonce)];
  const sealed = await sealSecret(c.secret, c.context, keyring, { random: () => queue.shift()! });
  out.push({
    ...c,
    kekId: `k${index + 1}`,
    kek: hex(kek),
    dek: hex(dek),
    nonce: hex(nonce),
    wrapNonce: hex(wrapNonce),
    sealed,
  });
}
writeFileSync(new URL('./seal-v1.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${out.length} vectors`);
