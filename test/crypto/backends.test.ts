import * as nodeCrypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSecret, rewrapSealed, sealSecret } from '../../src/crypto/envelope.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { loadNodeCrypto, nodeCryptoBackend, type NodeCryptoModule } from '../../src/crypto/backends/node.js';
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { NOBLE_MODULES, loadNobleBackend } from '../../src/crypto/backends/noble.js';
import {
  KNOWN_ANSWERS,
  chooseCipherBackend,
  cipherBackend,
  forceCipherBackend,
  knownAnswerBytes,
} from '../../src/crypto/backends/select.js';
import { CIPHER_BACKEND_NAMES, type CipherBackend } from '../../src/crypto/backends/types.js';
import { webCryptoBackend } from '../../src/crypto/backends/webcrypto.js';
import { fixedBytes } from '../vectors/fixed-bytes.js';
import { fromHex, sealVectors } from '../vectors/seal-vectors.js';

const vectors = sealVectors;
const ctx = {
  tenantId: 'acme',
  configId: 'cfg_01JD0000000000000000000009',
  provider: 'openai',
  baseUrl: 'https://gw.example/v1',
};
const SECRET = 'sk-proj-BACKEND-0123456789abcdefghij-ÄÖÜ-🔑';

afterEach(async () => {
  await forceCipherBackend(null);
});

describe.each(CIPHER_BACKEND_NAMES)('the %s backend', (name) => {
  for (const v of vectors) {
    it(`${v.name}: seals the vector's bytes exactly`, async () => {
      await forceCipherBackend(name);
      const keyring = Keyring.fromKeys([{ id: v.kekId, key: fromHex(v.kek) }], { random: () => fromHex(v.wrapNonce) });
      const queue = [fromHex(v.dek), fromHex(v.nonce)];
      expect(await sealSecret(v.secret, v.context, keyring, { random: () => queue.shift()! })).toBe(v.sealed);
    });
    it(`${v.name}: opens the vector`, async () => {
      await forceCipherBackend(name);
      expect(await openSecret(v.sealed, v.context, Keyring.fromKeys([{ id: v.kekId, key: fromHex(v.kek) }]))).toBe(
        v.secret,
      );
    });
  }

  it('opens what every other backend sealed, and its own seals open everywhere', async () => {
    const keyring = Keyring.generate('k1');
    for (const other of CIPHER_BACKEND_NAMES) {
      await forceCipherBackend(other);
      const theirs = await sealSecret(SECRET, ctx, keyring);
      await forceCipherBackend(name);
      const ours = await sealSecret(SECRET, ctx, keyring);
      expect(await openSecret(theirs, ctx, keyring)).toBe(SECRET);
      await forceCipherBackend(other);
      expect(await openSecret(ours, ctx, keyring)).toBe(SECRET);
    }
  });

  it('refuses a tampered body, a wrong context and a rewrap of either with one DECRYPTION_FAILED', async () => {
    await forceCipherBackend(name);
    const keyring = Keyring.generate('k1');
    const sealed = await sealSecret(SECRET, ctx, keyring);
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    await expect(openSecret(tampered, ctx, keyring)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(
      openSecret(sealed, { ...ctx, configId: 'cfg_01JD0000000000000000000008' }, keyring),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(rewrapSealed(sealed, { ...ctx, tenantId: 'other' }, keyring)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
    const rotated = Keyring.fromKeys([{ id: 'k2', key: fixedBytes(32, 9) }]);
    await expect(openSecret(sealed, ctx, rotated)).rejects.toMatchObject({ code: 'KEK_UNKNOWN' });
  });

  it('returns plain Uint8Arrays and a fresh 64-byte derivation each call', async () => {
    const backend = (await forceCipherBackend(name))!;
    const okm = await backend.hkdf64(fixedBytes(32, 1), fixedBytes(23, 2));
    expect(okm.constructor).toBe(Uint8Array);
    expect(okm).toHaveLength(64);
    expect(await backend.hkdf64(fixedBytes(32, 1), fixedBytes(23, 2))).not.toBe(okm);
    const sealed = await backend.sealGcm(fixedBytes(32, 3), fixedBytes(12, 4), fixedBytes(40, 5), fixedBytes(10, 6));
    const opened = await backend.openGcm(fixedBytes(32, 3), fixedBytes(12, 4), sealed, fixedBytes(10, 6));
    expect(opened.constructor).toBe(Uint8Array);
    expect(opened).toEqual(fixedBytes(40, 5));
  });
});

describe('HKDF-SHA256 of the node backend', () => {
  it('equals node:crypto hkdfSync and noble for every info length', () => {
    const node = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);
    for (let seed = 0; seed < 40; seed++) {
      const ikm = fixedBytes(32, seed);
      const info = fixedBytes(seed, seed + 1);
      const expected = new Uint8Array(nodeCrypto.hkdfSync('sha256', ikm, new Uint8Array(0), info, 64));
      expect(node.hkdf64(ikm, info)).toEqual(expected);
      expect(hkdf(sha256, ikm, undefined, info, 64)).toEqual(expected);
    }
  });
});

describe('choosing a backend', () => {
  it('the known answers are noble’s', () => {
    const [key, nonce, plaintext, aad, info] = [
      knownAnswerBytes(32, 1),
      knownAnswerBytes(12, 2),
      knownAnswerBytes(20, 3),
      knownAnswerBytes(24, 4),
      knownAnswerBytes(23, 5),
    ];
    expect(Buffer.from(gcm(key, nonce, aad).encrypt(plaintext)).toString('hex')).toBe(KNOWN_ANSWERS.sealed);
    expect(Buffer.from(hkdf(sha256, key, undefined, info, 64)).toString('hex')).toBe(KNOWN_ANSWERS.okm);
  });

  it('uses node:crypto on Node, synchronously', () => {
    const chosen = cipherBackend();
    expect(chosen).not.toBeInstanceOf(Promise);
    expect((chosen as CipherBackend).name).toBe('node');
  });

  it('falls back to noble, imported at run time, when a native backend gives other bytes or there is none', async () => {
    const node = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);
    const badDerivation: CipherBackend = {
      ...node,
      hkdf64: (ikm, info) => Uint8Array.from(node.hkdf64(ikm, info) as Uint8Array, (b, i) => (i === 63 ? b ^ 1 : b)),
    };
    const throwing: CipherBackend = {
      ...node,
      openGcm: () => {
        throw new Error('unsupported');
      },
    };
    const noble = await loadNobleBackend();
    expect(noble.name).toBe('noble');
    await expect(chooseCipherBackend(badDerivation)).resolves.toBe(noble);
    await expect(chooseCipherBackend(throwing)).resolves.toBe(noble);
    await expect(chooseCipherBackend(null)).resolves.toBe(noble);
    expect(chooseCipherBackend(node)).toBe(node);
    const web = webCryptoBackend()!;
    const badWeb: CipherBackend = { ...web, sealGcm: async () => new Uint8Array(36) };
    await expect(chooseCipherBackend(web)).resolves.toBe(web);
    await expect(chooseCipherBackend(badWeb)).resolves.toBe(noble);
    expect(NOBLE_MODULES).toStrictEqual(['@noble/ciphers/aes.js', '@noble/hashes/hkdf.js', '@noble/hashes/sha2.js']);
  });
});

describe('the node backend', () => {
  const node = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);

  it('refuses a ciphertext shorter than a tag, and opens an empty plaintext', () => {
    expect(() => node.openGcm(fixedBytes(32, 1), fixedBytes(12, 2), new Uint8Array(15), new Uint8Array())).toThrow(
      new RangeError('[byokit] [crypto] ciphertext too short'),
    );
    const sealed = node.sealGcm(fixedBytes(32, 1), fixedBytes(12, 2), new Uint8Array(), fixedBytes(3, 3)) as Uint8Array;
    expect(sealed).toHaveLength(16);
    expect(node.openGcm(fixedBytes(32, 1), fixedBytes(12, 2), sealed, fixedBytes(3, 3))).toEqual(new Uint8Array());
  });
});

describe('finding node:crypto', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('uses it only when it has createCipheriv, createDecipheriv and one-shot hash', () => {
    const { createCipheriv, createDecipheriv, hash } = nodeCrypto as unknown as NodeCryptoModule;
    const builtin = vi.spyOn(process, 'getBuiltinModule');
    for (const partial of [
      { createDecipheriv, hash },
      { createCipheriv, hash },
      { createCipheriv, createDecipheriv },
      undefined,
    ]) {
      builtin.mockReturnValueOnce(partial);
      expect(loadNodeCrypto()).toBeNull();
    }
    builtin.mockReturnValueOnce({ createCipheriv, createDecipheriv, hash });
    expect(loadNodeCrypto()).not.toBeNull();
    builtin.mockImplementationOnce(() => {
      throw new Error('no such module');
    });
    expect(loadNodeCrypto()).toBeNull();
    expect(builtin).toHaveBeenCalledWith('node:crypto');
  });

  it('finds none on a runtime without process.getBuiltinModule', async () => {
    const saved = process.getBuiltinModule;
    try {
      (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
      expect(loadNodeCrypto()).toBeNull();
      await expect(forceCipherBackend('node')).rejects.toThrow(
        /^\[byokit\] \[crypto\] this runtime has no node backend$/,
      );
    } finally {
      process.getBuiltinModule = saved;
    }
  });
});

describe('the backend in use', () => {
  it('is chosen once: every call returns the same backend', () => {
    expect(cipherBackend()).toBe(cipherBackend());
  });

  it('is the forced one while forced, by name or as an object', async () => {
    for (const name of CIPHER_BACKEND_NAMES) {
      const forced = await forceCipherBackend(name);
      expect(forced!.name).toBe(name);
      expect(cipherBackend()).toBe(forced);
    }
    const custom = { ...(await loadNobleBackend()) };
    expect(await forceCipherBackend(custom)).toBe(custom);
    expect(cipherBackend()).toBe(custom);
    expect(await forceCipherBackend(null)).toBeNull();
    expect((cipherBackend() as CipherBackend).name).toBe('node');
  });

  it('is a native one whose primitives answer partly at once and partly later, once they all agree', async () => {
    const node = nodeCryptoBackend(nodeCrypto as unknown as NodeCryptoModule);
    const mixed: CipherBackend = { ...node, hkdf64: async (ikm, info) => node.hkdf64(ikm, info) };
    await expect(chooseCipherBackend(mixed)).resolves.toBe(mixed);
  });

  it('is noble when an asynchronous native one rejects', async () => {
    const web = webCryptoBackend()!;
    const rejecting: CipherBackend = { ...web, openGcm: () => Promise.reject(new Error('OperationError')) };
    await expect(chooseCipherBackend(rejecting)).resolves.toBe(await loadNobleBackend());
  });
});

describe('the WebCrypto backend', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is there only where crypto.subtle has importKey', () => {
    expect(webCryptoBackend({} as never)).toBeNull();
    vi.stubGlobal('crypto', undefined);
    expect(webCryptoBackend()).toBeNull();
    vi.stubGlobal('crypto', {});
    expect(webCryptoBackend()).toBeNull();
  });

  it('imports every key as not extractable, for its one use', async () => {
    const subtle = globalThis.crypto.subtle;
    const imports: unknown[][] = [];
    const recording = {
      importKey: (...args: unknown[]) => {
        imports.push(args.slice(2));
        return (subtle.importKey as (...a: unknown[]) => Promise<unknown>)(...args);
      },
      encrypt: subtle.encrypt.bind(subtle),
      decrypt: subtle.decrypt.bind(subtle),
      deriveBits: subtle.deriveBits.bind(subtle),
    };
    const web = webCryptoBackend(recording as never)!;
    const sealed = await web.sealGcm(fixedBytes(32, 1), fixedBytes(12, 2), fixedBytes(5, 3), new Uint8Array());
    await web.openGcm(fixedBytes(32, 1), fixedBytes(12, 2), sealed, new Uint8Array());
    await web.hkdf64(fixedBytes(32, 1), fixedBytes(4, 4));
    expect(imports).toEqual([
      [{ name: 'AES-GCM' }, false, ['encrypt']],
      [{ name: 'AES-GCM' }, false, ['decrypt']],
      ['HKDF', false, ['deriveBits']],
    ]);
  });
});
