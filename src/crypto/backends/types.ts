/**
 * The two primitives of the sealed format (docs/format.md), behind one
 * small interface so the same bytes come from the fastest implementation a
 * runtime has: `node:crypto` on Node, Bun and Deno; WebCrypto where it is
 * the only native option (browsers, edge workers); `@noble/ciphers` and
 * `@noble/hashes` (pure JavaScript) anywhere else.
 *
 * Every backend produces byte-identical output: the test vectors are checked
 * in both directions against each of them.
 *
 * @module
 */

/** The implementations byokit ships, fastest first. */
export const CIPHER_BACKEND_NAMES = ['node', 'webcrypto', 'noble'] as const;

/** Which implementation a {@link CipherBackend} uses. */
export type CipherBackendName = (typeof CIPHER_BACKEND_NAMES)[number];

/** Bytes, or a promise of them: WebCrypto is asynchronous, the others are not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * AES-256-GCM with a 96-bit nonce and a 128-bit tag, and HKDF-SHA256.
 * Holds no key between calls: every key is an argument, and nothing derived
 * from it is kept (no key schedule, no table) once a call returns.
 */
export interface CipherBackend {
  readonly name: CipherBackendName;
  /** Encrypts `plaintext` under `key` (32 bytes), binding `aad`. Returns `ciphertext ‖ tag`. */
  sealGcm(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): MaybePromise<Uint8Array>;
  /** Reverses {@link CipherBackend.sealGcm}. Throws (any error) when the tag does not verify. */
  openGcm(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): MaybePromise<Uint8Array>;
  /** HKDF-SHA256 (RFC 5869) of `ikm` with no salt and `info`, 64 bytes of output. */
  hkdf64(ikm: Uint8Array, info: Uint8Array): MaybePromise<Uint8Array>;
}

/** GCM's tag length in bytes. */
export const GCM_TAG_LENGTH = 16;
