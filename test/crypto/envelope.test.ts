import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dataAad, wrapAad } from '../../src/crypto/aad.js';
import { openSecret, rewrapSealed, sealSecret, sealedKekId } from '../../src/crypto/envelope.js';
import { Keyring } from '../../src/crypto/keyring.js';
import type { KekProvider } from '../../src/crypto/kek-provider.js';
import { ByokitError, DecryptionError, KeyringError } from '../../src/errors.js';
import { fixedBytes } from '../vectors/fixed-bytes.js';
import { fromHex, sealVectors, type SealVector } from '../vectors/seal-vectors.js';

const vectors = sealVectors;
const ctx = { tenantId: 'acme', configId: 'cfg_01JD0000000000000000000009', provider: 'openai', baseUrl: null };
const CANARY = 'sk-CANARY-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** Opens a sealed value with node:crypto alone, following docs/format.md: an independent implementation. */
function openWithNodeCrypto(sealed: string, kek: Uint8Array, context: SealVector['context']): string {
  const [prefix, version, kekId, wrapped, commitment, body] = sealed.split(':') as string[];
  expect(`${prefix}:${version}:`).toBe('byokit:1:');
  const w = Buffer.from(wrapped!, 'base64url');
  const unwrap = createDecipheriv('aes-256-gcm', kek, w.subarray(0, 12));
  unwrap.setAAD(wrapAad(context, kekId!));
  unwrap.setAuthTag(w.subarray(w.length - 16));
  const dek = Buffer.concat([unwrap.update(w.subarray(12, w.length - 16)), unwrap.final()]);
  const okm = Buffer.from(hkdfSync('sha256', dek, Buffer.alloc(0), Buffer.from('byokit/1 key+commitment'), 64));
  expect(okm.subarray(32).toString('base64url')).toBe(commitment);
  const b = Buffer.from(body!, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', okm.subarray(0, 32), b.subarray(0, 12));
  decipher.setAAD(dataAad(context));
  decipher.setAuthTag(b.subarray(b.length - 16));
  return Buffer.concat([decipher.update(b.subarray(12, b.length - 16)), decipher.final()]).toString('utf8');
}

describe('test vectors (test/vectors/seal-v1.json)', () => {
  for (const v of vectors) {
    it(`${v.name}: our output equals the vector`, async () => {
      const keyring = Keyring.fromKeys([{ id: v.kekId, key: fromHex(v.kek) }], { random: () => fromHex(v.wrapNonce) });
      const queue = [fromHex(v.dek), fromHex(v.nonce)];
      expect(await sealSecret(v.secret, v.context, keyring, { random: () => queue.shift()! })).toBe(v.sealed);
    });
    it(`${v.name}: the vector opens, with byokit and with node:crypto alone`, async () => {
      const keyring = Keyring.fromKeys([{ id: v.kekId, key: fromHex(v.kek) }]);
      expect(await openSecret(v.sealed, v.context, keyring)).toBe(v.secret);
      expect(openWithNodeCrypto(v.sealed, fromHex(v.kek), v.context)).toBe(v.secret);
    });
  }
});

describe('sealSecret / openSecret', () => {
  const keyring = Keyring.generate('k1');

  it('round-trips and never contains the plaintext', async () => {
    const sealed = await sealSecret(CANARY, ctx, keyring);
    expect(sealed.startsWith('byokit:1:k1:')).toBe(true);
    expect(sealed).not.toContain(CANARY);
    expect(sealed).toMatch(/^[\x21-\x7e]+$/);
    expect(await openSecret(sealed, ctx, keyring)).toBe(CANARY);
    expect(sealedKekId(sealed)).toBe('k1');
  });

  it('uses a fresh data key and nonce each time', async () => {
    const a = await sealSecret(CANARY, ctx, keyring);
    const b = await sealSecret(CANARY, ctx, keyring);
    expect(a).not.toBe(b);
  });

  it('zeroes the data key after use', async () => {
    const handed: Uint8Array[] = [];
    const random = (n: number) => {
      const bytes = fixedBytes(n, handed.length + 7);
      handed.push(bytes);
      return bytes;
    };
    await sealSecret(CANARY, ctx, keyring, { random });
    expect(handed[0]!.length).toBe(32);
    expect(handed[0]!.every((b) => b === 0)).toBe(true);
  });

  it('rejects every single-bit flip of the sealed string', async () => {
    const sealed = await sealSecret(CANARY, ctx, keyring);
    let tried = 0;
    for (let i = 0; i < sealed.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped = sealed.slice(0, i) + String.fromCharCode(sealed.charCodeAt(i) ^ (1 << bit)) + sealed.slice(i + 1);
        tried++;
        const outcome = await openSecret(flipped, ctx, keyring).then(
          (value) => ({ opened: value }),
          (error: unknown) => ({ error }),
        );
        if ('opened' in outcome) throw new Error(`bit ${bit} of char ${i} flipped and still opened`);
        expect(outcome.error).toBeInstanceOf(ByokitError);
      }
    }
    expect(tried).toBe(sealed.length * 7);
  });

  it('rejects every truncation', async () => {
    const sealed = await sealSecret(CANARY, ctx, keyring);
    for (let n = 0; n < sealed.length; n++) {
      await expect(openSecret(sealed.slice(0, n), ctx, keyring)).rejects.toBeInstanceOf(ByokitError);
    }
  });

  it.each([
    ['tenant', { ...ctx, tenantId: 'globex' }],
    ['config', { ...ctx, configId: 'cfg_01JD0000000000000000000008' }],
    ['provider', { ...ctx, provider: 'custom' }],
    ['endpoint', { ...ctx, baseUrl: 'https://evil.example/v1' }],
  ])('does not open for another %s', async (_, other) => {
    const sealed = await sealSecret(CANARY, ctx, keyring);
    await expect(openSecret(sealed, other, keyring)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('does not open under another KEK id, even one holding the same bytes', async () => {
    // A provider that answers to both ids with the same KEK bytes (a Keyring refuses duplicate keys).
    const inner = Keyring.fromKeys([{ id: 'k1', key: fixedBytes(32, 42) }]);
    const both: KekProvider = {
      primaryKekId: 'k1',
      hasKek: () => true,
      wrapDek: (r) => inner.wrapDek({ ...r, kekId: 'k1' }),
      unwrapDek: (r) => inner.unwrapDek({ ...r, kekId: 'k1' }),
    };
    const sealed = await sealSecret(CANARY, ctx, both);
    await expect(openSecret(sealed.replace('byokit:1:k1:', 'byokit:1:k2:'), ctx, both)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('names a missing KEK, and refuses an unknown version', async () => {
    const sealed = await sealSecret(CANARY, ctx, keyring);
    await expect(openSecret(sealed, ctx, Keyring.generate('other'))).rejects.toBeInstanceOf(KeyringError);
    await expect(openSecret(sealed.replace('byokit:1:', 'byokit:2:'), ctx, keyring)).rejects.toThrow(/unsupported/);
  });

  it('is key-committing: a commitment from another seal is refused', async () => {
    const a = (await sealSecret(CANARY, ctx, keyring)).split(':');
    const b = (await sealSecret(CANARY, ctx, keyring)).split(':');
    const mixed = [...a.slice(0, 4), b[4], a[5]].join(':');
    await expect(openSecret(mixed, ctx, keyring)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('says nothing about the key or why in its failure', async () => {
    const sealed = await sealSecret(CANARY, ctx, keyring);
    const error = (await openSecret(sealed, { ...ctx, tenantId: 'x' }, keyring).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('[byokit] [crypto] sealed value failed to open');
    expect(String(error.stack)).not.toContain(CANARY.slice(3, 12));
  });

  it('checks types and lengths the noble way', async () => {
    await expect(sealSecret('', ctx, keyring)).rejects.toBeInstanceOf(TypeError);
    await expect(sealSecret('x'.repeat(8193), ctx, keyring)).rejects.toBeInstanceOf(RangeError);
    await expect(openSecret(42 as unknown as string, ctx, keyring)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('rewrapSealed', () => {
  it('moves a key to the new primary KEK without touching the secret ciphertext', async () => {
    const k1 = { id: 'k1', key: fixedBytes(32, 1) };
    const k2 = { id: 'k2', key: fixedBytes(32, 2) };
    const old = Keyring.fromKeys([k1]);
    const sealed = await sealSecret(CANARY, ctx, old);
    const rotated = Keyring.fromKeys([k2, k1]);
    const rewrapped = await rewrapSealed(sealed, ctx, rotated);
    expect(sealedKekId(rewrapped)).toBe('k2');
    expect(rewrapped.split(':').slice(4)).toEqual(sealed.split(':').slice(4));
    expect(await openSecret(rewrapped, ctx, Keyring.fromKeys([k2]))).toBe(CANARY);
    await expect(openSecret(rewrapped, ctx, old)).rejects.toBeInstanceOf(KeyringError);
  });

  it('refuses to rewrap a value that does not open', async () => {
    const keyring = Keyring.generate('k1');
    const sealed = await sealSecret(CANARY, ctx, keyring);
    await expect(rewrapSealed(sealed, { ...ctx, tenantId: 'other' }, keyring)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });
});

describe('what a KEK provider returns is checked before anything is written', () => {
  const inner = Keyring.generate('k1');
  const provider = (primaryKekId: string, wrap?: () => Promise<Uint8Array>): KekProvider => ({
    primaryKekId,
    hasKek: () => true,
    wrapDek: wrap ?? ((r) => inner.wrapDek({ ...r, kekId: 'k1' })),
    unwrapDek: (r) => inner.unwrapDek({ ...r, kekId: 'k1' }),
  });
  it('refuses a KEK id the format cannot hold (a KMS ARN, say)', async () => {
    await expect(sealSecret(CANARY, ctx, provider('arn:aws:kms:eu-west-1:1:key/x'))).rejects.toBeInstanceOf(RangeError);
  });
  it('refuses an empty wrapped key', async () => {
    await expect(sealSecret(CANARY, ctx, provider('kms1', async () => new Uint8Array()))).rejects.toBeInstanceOf(TypeError);
  });
});
