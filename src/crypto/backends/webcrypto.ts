/**
 * The WebCrypto backend (`crypto.subtle`): native AES-GCM and HKDF where
 * they are the only native option, such as browsers and edge workers
 * without `node:crypto`. Every call imports its key afresh and keeps
 * nothing, so no key outlives the call that used it.
 *
 * @module
 */
import { GCM_TAG_LENGTH, type CipherBackend } from './types.js';

/** The part of `SubtleCrypto` used here. */
interface Subtle {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: string | { name: string },
    extractable: boolean,
    usages: string[],
  ): Promise<unknown>;
  encrypt(algorithm: object, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: object, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  deriveBits(algorithm: object, key: unknown, length: number): Promise<ArrayBuffer>;
}

const EMPTY = new Uint8Array(0);

/** A backend over `subtle`, or `null` when the runtime has none. */
export function webCryptoBackend(
  subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle,
): CipherBackend | null {
  if (!subtle || typeof subtle.importKey !== 'function') return null;
  const aesKey = (key: Uint8Array, usage: string) => subtle.importKey('raw', key, { name: 'AES-GCM' }, false, [usage]);
  const params = (iv: Uint8Array, additionalData: Uint8Array) => ({
    name: 'AES-GCM',
    iv,
    additionalData,
    tagLength: GCM_TAG_LENGTH * 8,
  });
  return Object.freeze({
    name: 'webcrypto' as const,
    async sealGcm(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
      return new Uint8Array(await subtle.encrypt(params(nonce, aad), await aesKey(key, 'encrypt'), plaintext));
    },
    async openGcm(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) {
      return new Uint8Array(await subtle.decrypt(params(nonce, aad), await aesKey(key, 'decrypt'), sealed));
    },
    async hkdf64(ikm: Uint8Array, info: Uint8Array) {
      const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
      // An empty salt is RFC 5869's "not provided": HMAC pads it to the same zero block.
      return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: EMPTY, info }, base, 512));
    },
  });
}
