/**
 * The `node:crypto` backend (Node, Bun, Deno): OpenSSL's AES-GCM and
 * SHA-256, several times faster than pure JavaScript.
 *
 * Reached through `process.getBuiltinModule('node:crypto')` at run time,
 * never through an `import`, so a browser or worker bundle neither pulls
 * in a `node:crypto` polyfill nor fails to resolve one.
 *
 * HKDF-SHA256 is computed from one-shot SHA-256 calls (`crypto.hash`, with
 * the HMAC pads laid out by hand) rather than with `hkdfSync` or three
 * `createHmac` objects: for a 64-byte output that is measurably cheaper
 * (see docs/benchmarks.md), and it gives the same bytes (RFC 5869, checked
 * by the vectors). A `node:crypto` without one-shot `hash` (before Node
 * 20.12) is not used: WebCrypto or noble serve instead.
 *
 * @module
 */
import { GCM_TAG_LENGTH, type CipherBackend } from './types.js';
import { byokitMessage } from '../../message.js';

/** A `node:crypto` cipher object, as far as GCM needs it. */
interface GcmCipher {
  setAAD(aad: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
  setAuthTag(tag: Uint8Array): unknown;
}

/** The parts of `node:crypto` this backend uses. */
export interface NodeCryptoModule {
  createCipheriv(algorithm: 'aes-256-gcm', key: Uint8Array, iv: Uint8Array): GcmCipher;
  createDecipheriv(algorithm: 'aes-256-gcm', key: Uint8Array, iv: Uint8Array): GcmCipher;
  /** One-shot digest (Node 20.12+, Bun, Deno). */
  hash(algorithm: 'sha256', data: Uint8Array, outputEncoding: 'buffer'): Uint8Array;
}

const BLOCK = 64;
const HASH_LENGTH = 32;

/** HMAC-SHA256 pads of a key of at most one block: `key ⊕ ipad` and `key ⊕ opad`, written into `inner` and `outer`. */
function writePads(key: Uint8Array, inner: Uint8Array, outer: Uint8Array): void {
  for (let i = 0; i < BLOCK; i++) {
    const byte = i < key.length ? key[i]! : 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
}

/**
 * HKDF-SHA256(ikm, salt = none, info, 64) from six one-shot hashes:
 * PRK = HMAC(zeros, ikm); T1 = HMAC(PRK, info ‖ 1); T2 = HMAC(PRK, T1 ‖ info ‖ 2).
 * One scratch buffer holds every hash input and is zeroed before returning.
 */
function hkdf64(hash: NodeCryptoModule['hash'], ikm: Uint8Array, info: Uint8Array): Uint8Array {
  const infoLength = info.length;
  // Regions: [inner pad ‖ message] and [outer pad ‖ inner hash] for each HMAC; the message region fits the longest message.
  const messageRoom = Math.max(ikm.length, HASH_LENGTH + infoLength + 1);
  const scratch = new Uint8Array(BLOCK + messageRoom + BLOCK + HASH_LENGTH);
  const inner = scratch.subarray(0, BLOCK + messageRoom);
  const outer = scratch.subarray(BLOCK + messageRoom);
  const out = new Uint8Array(2 * HASH_LENGTH);
  const hmac = (messageLength: number): Uint8Array => {
    const innerHash = hash('sha256', inner.subarray(0, BLOCK + messageLength), 'buffer');
    outer.set(innerHash, BLOCK);
    innerHash.fill(0);
    return hash('sha256', outer, 'buffer');
  };
  // Extract, with the all-zero salt of RFC 5869 (an absent salt is HashLen zero bytes).
  writePads(new Uint8Array(0), inner, outer);
  inner.set(ikm, BLOCK);
  const prk = hmac(ikm.length);
  // Expand: two blocks of 32 bytes.
  writePads(prk, inner, outer);
  prk.fill(0);
  inner.set(info, BLOCK);
  inner[BLOCK + infoLength] = 1;
  const t1 = hmac(infoLength + 1);
  out.set(t1);
  inner.set(t1, BLOCK);
  t1.fill(0);
  inner.set(info, BLOCK + HASH_LENGTH);
  inner[BLOCK + HASH_LENGTH + infoLength] = 2;
  const t2 = hmac(HASH_LENGTH + infoLength + 1);
  out.set(t2, HASH_LENGTH);
  t2.fill(0);
  scratch.fill(0);
  return out;
}

/** A backend over a `node:crypto` module. */
export function nodeCryptoBackend(crypto: NodeCryptoModule): CipherBackend {
  const hash = crypto.hash.bind(crypto);
  return Object.freeze({
    name: 'node' as const,
    sealGcm(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
      const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad);
      const body = cipher.update(plaintext);
      cipher.final();
      const out = new Uint8Array(body.length + GCM_TAG_LENGTH);
      out.set(body);
      out.set(cipher.getAuthTag(), body.length);
      return out;
    },
    openGcm(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
      if (sealed.length < GCM_TAG_LENGTH) throw new RangeError(byokitMessage('crypto', 'ciphertext too short'));
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_LENGTH));
      const plaintext = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_LENGTH));
      try {
        decipher.final(); // throws when the tag does not verify; GCM returns no more bytes here
      } catch (error) {
        plaintext.fill(0);
        throw error;
      }
      // A plain Uint8Array view (no copy): callers and KEK providers deal in Uint8Array, not Buffer.
      return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.length);
    },
    hkdf64: (ikm: Uint8Array, info: Uint8Array) => hkdf64(hash, ikm, info),
  });
}

/**
 * `node:crypto` through `process.getBuiltinModule`, or `null` when the
 * runtime has no such thing (a browser, a worker without Node compatibility).
 */
export function loadNodeCrypto(): NodeCryptoModule | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  try {
    const crypto = proc.getBuiltinModule('node:crypto') as Partial<NodeCryptoModule> | undefined;
    const usable =
      typeof crypto?.createCipheriv === 'function' &&
      typeof crypto.createDecipheriv === 'function' &&
      typeof crypto.hash === 'function';
    return usable ? (crypto as NodeCryptoModule) : null;
  } catch {
    return null;
  }
}
