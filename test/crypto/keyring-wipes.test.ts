/**
 * The keyring wipes the key bytes it decodes or draws once its own copy is
 * made. The bytes are local to each call, so this file records them where
 * they are made: in the base64url decoder and the random source.
 */
import { describe, expect, it, vi } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';

const made = vi.hoisted(() => ({
  decoded: [] as Uint8Array[],
  drawn: [] as Uint8Array[],
  encoded: [] as Uint8Array[],
}));

vi.mock('../../src/crypto/base64url.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/crypto/base64url.js')>();
  return {
    ...real,
    decodeBase64Url: (text: string) => {
      const bytes = real.decodeBase64Url(text);
      if (bytes) made.decoded.push(bytes);
      return bytes;
    },
    encodeBase64Url: (bytes: Uint8Array) => {
      made.encoded.push(bytes);
      return real.encodeBase64Url(bytes);
    },
  };
});

vi.mock('../../src/crypto/bytes.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/crypto/bytes.js')>();
  return {
    ...real,
    randomBytes: (length: number) => {
      const bytes = real.randomBytes(length);
      made.drawn.push(bytes);
      return bytes;
    },
  };
});

const allZero = (list: Uint8Array[]) =>
  list.length > 0 && list.every((bytes) => bytes.length === 32 && bytes.every((b) => b === 0));
const key = (fill: number) => Buffer.alloc(32, fill).toString('base64url');

describe('key bytes are wiped once the keyring holds its copy', () => {
  it('Keyring.parse wipes the keys it decoded', async () => {
    made.decoded.length = 0;
    const keyring = Keyring.parse(`k2:${key(2)},k1:${key(1)}`);
    expect(made.decoded).toHaveLength(2);
    expect(allZero(made.decoded)).toBe(true);
    // The keyring kept its own copy.
    const wrapped = await keyring.wrapDek({ kekId: 'k1', dek: new Uint8Array(32), aad: new Uint8Array() });
    expect(await Keyring.parse(`k1:${key(1)}`).unwrapDek({ kekId: 'k1', wrapped, aad: new Uint8Array() })).toEqual(
      new Uint8Array(32),
    );
  });

  it('Keyring.parse wipes them also when the keyring is refused', () => {
    made.decoded.length = 0;
    expect(() => Keyring.parse(`k1:${key(1)},k1:${key(2)}`)).toThrow(/listed twice/);
    expect(made.decoded).toHaveLength(2);
    expect(allZero(made.decoded)).toBe(true);
  });

  it('Keyring.generate wipes the random key it drew', () => {
    made.drawn.length = 0;
    Keyring.generate('k1');
    expect(allZero(made.drawn)).toBe(true);
  });

  it('Keyring.generateEntry wipes the random key once it is spelled out', () => {
    made.drawn.length = 0;
    made.encoded.length = 0;
    Keyring.generateEntry('k1');
    expect(made.encoded).toEqual(made.drawn);
    expect(allZero(made.drawn)).toBe(true);
  });
});
