import * as nodeCrypto from 'node:crypto';
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dataAad, wrapAad } from '../../src/crypto/aad.js';
import { nodeCryptoBackend, type NodeCryptoModule } from '../../src/crypto/backends/node.js';
import { forceCipherBackend } from '../../src/crypto/backends/select.js';
import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/base64url.js';
import { MAX_SECRET_BYTES, openSecret, rewrapSealed, sealSecret, sealedKekId } from '../../src/crypto/envelope.js';
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
        const flipped =
          sealed.slice(0, i) + String.fromCharCode(sealed.charCodeAt(i) ^ (1 << bit)) + sealed.slice(i + 1);
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
    await expect(openSecret(sealed.replace('byokit:1:k1:', 'byokit:1:k2:'), ctx, both)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
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
    await expect(rewrapSealed(sealed, { ...ctx, tenantId: 'other' }, keyring)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
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
    await expect(
      sealSecret(
        CANARY,
        ctx,
        provider('kms1', async () => new Uint8Array()),
      ),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

/** A KEK provider over a keyring that records what it is asked and hands back, to look behind the envelope. */
function recordingProvider(inner = Keyring.generate('k1')) {
  const asked: string[] = [];
  const unwrapped: Uint8Array[] = [];
  const provider: KekProvider = {
    get primaryKekId() {
      return inner.primaryKekId;
    },
    hasKek: (id) => inner.hasKek(id),
    wrapDek: (r) => {
      asked.push(`wrap ${r.kekId}`);
      return inner.wrapDek(r);
    },
    unwrapDek: async (r) => {
      asked.push(`unwrap ${r.kekId}`);
      const dek = await inner.unwrapDek(r);
      unwrapped.push(dek);
      return dek;
    },
  };
  return { provider, asked, unwrapped };
}

/** The derivations (DEK → encryption key ‖ commitment) the cipher backend hands out, kept to check they are wiped. */
async function recordingDerivations() {
  const native = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);
  const derived: Uint8Array[] = [];
  await forceCipherBackend({
    ...native,
    hkdf64: (ikm, info) => {
      const okm = native.hkdf64(ikm, info) as Uint8Array;
      derived.push(okm);
      return okm;
    },
  });
  return derived;
}

const wiped = (bytes: Uint8Array) => bytes.length > 0 && bytes.every((b) => b === 0);

describe('the sealed format has one spelling', () => {
  const keyring = Keyring.generate('k1');

  it('refuses a field with a character appended, also where the length becomes 1 mod 4', async () => {
    const fields = (await sealSecret(CANARY, ctx, keyring)).split(':');
    for (const index of [3, 4, 5]) {
      for (const extra of ['A', 'AA', 'AAAA']) {
        const longer = fields.map((f, i) => (i === index ? f + extra : f)).join(':');
        await expect(openSecret(longer, ctx, keyring)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      }
    }
  });

  it('refuses a non-ASCII character in any field, even one whose low byte is a base64url letter', async () => {
    const fields = (await sealSecret(CANARY, ctx, keyring)).split(':');
    for (const index of [3, 4, 5]) {
      // U+0080 is the first code point past ASCII; U+0141 has the low byte of 'A'.
      for (const char of ['\u0080', '\u0141', 'é']) {
        const other = fields.map((f, i) => (i === index ? char + f.slice(1) : f)).join(':');
        await expect(openSecret(other, ctx, keyring)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      }
    }
  });
});

describe('what a secret may be', () => {
  const keyring = Keyring.generate('k1');

  it('seals a secret of exactly 8,192 bytes, and refuses 8,193 bytes however few characters they take', async () => {
    const longest = 'k'.repeat(MAX_SECRET_BYTES);
    expect(MAX_SECRET_BYTES).toBe(8192);
    expect(await openSecret(await sealSecret(longest, ctx, keyring), ctx, keyring)).toBe(longest);
    await expect(sealSecret(`${longest}k`, ctx, keyring)).rejects.toThrow(
      new RangeError('[byokit] [crypto] the secret is longer than 8192 bytes'),
    );
    // 4,097 characters of two bytes each: 8,194 bytes.
    await expect(sealSecret('é'.repeat(4097), ctx, keyring)).rejects.toBeInstanceOf(RangeError);
  });

  it('refuses a secret that is not a string instead of sealing its text', async () => {
    for (const value of [42, null, ['sk-abc'], { toString: () => 'sk-abc' }]) {
      await expect(sealSecret(value as never, ctx, keyring)).rejects.toThrow(
        new TypeError('[byokit] [crypto] the secret must be a non-empty string'),
      );
    }
    await expect(openSecret(42 as never, ctx, keyring)).rejects.toThrow(
      new TypeError('[byokit] [crypto] a sealed value must be a string'),
    );
  });

  it('round-trips a non-ASCII secret byte for byte', async () => {
    const secret = 'sk-ÄÖÜ-例え-🔑-\u0000-end';
    expect(await openSecret(await sealSecret(secret, ctx, keyring), ctx, keyring)).toBe(secret);
  });
});

describe('a malformed sealed value is refused before the KEK provider is asked', () => {
  it.each([
    ['an unknown version', (f: string[]) => ['byokit', '2', ...f.slice(2)]],
    ['a KEK id the format cannot hold', (f: string[]) => [...f.slice(0, 2), 'k!1', ...f.slice(3)]],
    ['an empty wrapped key', (f: string[]) => [...f.slice(0, 3), '', ...f.slice(4)]],
    ['a commitment of 31 bytes', (f: string[]) => [...f.slice(0, 4), encodeBase64Url(new Uint8Array(31)), f[5]!]],
    ['a commitment of 33 bytes', (f: string[]) => [...f.slice(0, 4), encodeBase64Url(new Uint8Array(33)), f[5]!]],
    [
      'a body of nonce and tag with no key in it',
      (f: string[]) => [...f.slice(0, 5), encodeBase64Url(decodeBase64Url(f[5]!)!.subarray(0, 28))],
    ],
    ['a fifth field', (f: string[]) => [...f, 'AAAA']],
  ])('%s', async (_, change) => {
    const { provider, asked } = recordingProvider();
    const fields = (await sealSecret(CANARY, ctx, provider)).split(':');
    asked.length = 0;
    const error = await openSecret(change(fields).join(':'), ctx, provider).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error).toMatchObject({ code: 'DECRYPTION_FAILED' });
    expect((error as Error).cause).toBeUndefined();
    await expect(rewrapSealed(change(fields).join(':'), ctx, provider)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
    expect(asked).toEqual([]);
  });

  it('a body of one byte of key past the nonce and tag does reach it', async () => {
    const { provider, asked } = recordingProvider();
    const sealed = await sealSecret('x', ctx, provider);
    expect(decodeBase64Url(sealed.split(':')[5]!)).toHaveLength(29);
    expect(await openSecret(sealed, ctx, provider)).toBe('x');
    expect(asked).toEqual(['wrap k1', 'unwrap k1']);
  });
});

describe('key bytes are wiped before a call returns', () => {
  afterEach(async () => {
    await forceCipherBackend(null);
  });

  it('open wipes the data key and what was derived from it', async () => {
    const { provider, unwrapped } = recordingProvider();
    const sealed = await sealSecret(CANARY, ctx, provider);
    const derived = await recordingDerivations();
    expect(await openSecret(sealed, ctx, provider)).toBe(CANARY);
    expect(unwrapped).toHaveLength(1);
    expect(derived).toHaveLength(1);
    expect(wiped(unwrapped[0]!) && wiped(derived[0]!)).toBe(true);
  });

  it('open wipes the plaintext bytes once they are a string', async () => {
    const keyring = Keyring.generate('k1');
    const sealed = await sealSecret(CANARY, ctx, keyring);
    const native = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);
    const opened: Uint8Array[] = [];
    await forceCipherBackend({
      ...native,
      openGcm: (key, nonce, body, aad) => {
        const bytes = native.openGcm(key, nonce, body, aad) as Uint8Array;
        opened.push(bytes);
        return bytes;
      },
    });
    expect(await openSecret(sealed, ctx, keyring)).toBe(CANARY);
    // The wrap's DEK, then the secret itself.
    expect(opened.map((b) => b.length)).toEqual([32, CANARY.length]);
    expect(opened.every(wiped)).toBe(true);
  });

  it('open wipes them when the body fails to decrypt', async () => {
    const { provider, unwrapped } = recordingProvider();
    const fields = (await sealSecret(CANARY, ctx, provider)).split(':');
    const body = decodeBase64Url(fields[5]!)!;
    body[body.length - 1]! ^= 1;
    const derived = await recordingDerivations();
    await expect(
      openSecret([...fields.slice(0, 5), encodeBase64Url(body)].join(':'), ctx, provider),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    expect(wiped(unwrapped[0]!) && wiped(derived[0]!)).toBe(true);
  });

  it('open wipes them when the commitment does not match', async () => {
    const { provider, unwrapped } = recordingProvider();
    const a = (await sealSecret(CANARY, ctx, provider)).split(':');
    const b = (await sealSecret(CANARY, ctx, provider)).split(':');
    const derived = await recordingDerivations();
    await expect(openSecret([...a.slice(0, 4), b[4], a[5]].join(':'), ctx, provider)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
    expect(wiped(unwrapped[0]!) && wiped(derived[0]!)).toBe(true);
  });

  it('rewrap wipes the data key and what was derived from it', async () => {
    const { provider, unwrapped } = recordingProvider();
    const sealed = await sealSecret(CANARY, ctx, provider);
    const derived = await recordingDerivations();
    await rewrapSealed(sealed, ctx, provider);
    expect(unwrapped).toHaveLength(1);
    expect(wiped(unwrapped[0]!) && wiped(derived[0]!)).toBe(true);
  });

  it('seal wipes the data key, the derived keys and the plaintext bytes', async () => {
    const derived = await recordingDerivations();
    const handed: Uint8Array[] = [];
    const random = (n: number) => {
      const bytes = fixedBytes(n, handed.length + 3);
      handed.push(bytes);
      return bytes;
    };
    await sealSecret(CANARY, ctx, Keyring.generate('k1'), { random });
    expect(handed.map((b) => b.length)).toEqual([32, 12]);
    expect(wiped(handed[0]!) && wiped(derived[0]!)).toBe(true);
  });
});

describe('a failing derivation surfaces its own error', () => {
  afterEach(async () => {
    await forceCipherBackend(null);
  });

  it('from seal, from open and from rewrap, not a TypeError from the cleanup', async () => {
    const keyring = Keyring.generate('k1');
    const sealed = await sealSecret(CANARY, ctx, keyring);
    const native = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);
    const broken = new Error('derivation failed');
    await forceCipherBackend({ ...native, hkdf64: () => Promise.reject(broken) });
    await expect(sealSecret(CANARY, ctx, keyring)).rejects.toBe(broken);
    await expect(openSecret(sealed, ctx, keyring)).rejects.toBe(broken);
    await expect(rewrapSealed(sealed, ctx, keyring)).rejects.toBe(broken);
  });
});

describe('rewrap checks the key commitment', () => {
  it('refuses a sealed value whose wrapped data key was swapped in from another seal', async () => {
    const keyring = Keyring.generate('k1');
    const a = (await sealSecret(CANARY, ctx, keyring)).split(':');
    const b = (await sealSecret('sk-other-key-0000000000000000', ctx, keyring)).split(':');
    // b's wrapped data key opens under the same KEK and context: only the commitment tells it is not a's.
    const swapped = [...a.slice(0, 3), b[3], ...a.slice(4)].join(':');
    await expect(rewrapSealed(swapped, ctx, keyring)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(
      rewrapSealed(swapped, ctx, Keyring.fromKeys([{ id: 'k2', key: fixedBytes(32, 5) }])),
    ).rejects.toMatchObject({ code: 'KEK_UNKNOWN' });
  });

  it('names the checks of what a KEK provider returned', async () => {
    const inner = Keyring.generate('k1');
    const sealed = await sealSecret(CANARY, ctx, inner);
    const provider = (primaryKekId: string, wrapped = new Uint8Array(60)): KekProvider => ({
      primaryKekId,
      hasKek: () => true,
      wrapDek: async () => wrapped,
      unwrapDek: (r) => inner.unwrapDek(r),
    });
    await expect(sealSecret(CANARY, ctx, provider('arn:aws:kms:x'))).rejects.toThrow(
      new RangeError('[byokit] [crypto] a KEK id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"'),
    );
    await expect(rewrapSealed(sealed, ctx, provider('kms1', new Uint8Array()))).rejects.toThrow(
      new TypeError('[byokit] [crypto] the KEK provider returned no wrapped key'),
    );
    expect((await rewrapSealed(sealed, ctx, provider('kms1'))).startsWith(`byokit:1:kms1:${'A'.repeat(80)}:`)).toBe(
      true,
    );
  });
});

describe('the KEK id of a sealed value', () => {
  it.each([
    ['byokit:1:k2:AAAA:BBBB:CCCC', 'k2'],
    ['byokit:1:k2', null],
    ['byokit:1:', null],
    ['byokit:1::AAAA', null],
    ['byokit:1:k!2:AAAA', null],
    ['byokit:2:k2:AAAA', null],
    [null, null],
    [undefined, null],
  ])('of %s is %s', (sealed, id) => {
    expect(sealedKekId(sealed)).toBe(id);
  });
});
