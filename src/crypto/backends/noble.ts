/**
 * The portable backend: `@noble/ciphers` and `@noble/hashes`, pure
 * JavaScript, audited, on every runtime. Used only where the runtime has
 * neither `node:crypto` nor WebCrypto, so it is imported then, at run time,
 * by a specifier bundlers don't follow: it adds nothing to a host's bundle.
 * A bundled runtime without native crypto hands the three modules over with
 * `provideSdk(specifier, module)` (see {@link NOBLE_MODULES}).
 *
 * @module
 */
import { loadModule } from '../../runtime-modules.js';
import type { CipherBackend } from './types.js';
import { byokitMessage } from '../../message.js';

/** The modules the noble backend is made of, by the specifier they are imported (or provided) under. */
export const NOBLE_MODULES = ['@noble/ciphers/aes.js', '@noble/hashes/hkdf.js', '@noble/hashes/sha2.js'] as const;

/** What the backend uses of those modules. */
export interface NobleModules {
  gcm: (
    key: Uint8Array,
    nonce: Uint8Array,
    aad?: Uint8Array,
  ) => { encrypt(data: Uint8Array): Uint8Array; decrypt(data: Uint8Array): Uint8Array };
  hkdf: (hash: unknown, ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number) => Uint8Array;
  sha256: unknown;
}

/** The noble backend over already loaded modules. */
export function nobleBackendOf({ gcm, hkdf, sha256 }: NobleModules): CipherBackend {
  return Object.freeze({
    name: 'noble' as const,
    sealGcm: (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) =>
      gcm(key, nonce, aad).encrypt(plaintext),
    openGcm: (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) =>
      gcm(key, nonce, aad).decrypt(sealed),
    hkdf64: (ikm: Uint8Array, info: Uint8Array) => hkdf(sha256, ikm, undefined, info, 64),
  });
}

let loading: Promise<CipherBackend> | undefined;

/** Imports the noble modules (once) and makes the backend. */
export function loadNobleBackend(): Promise<CipherBackend> {
  loading ??= Promise.all(NOBLE_MODULES.map((specifier) => loadModule<Record<string, unknown>>(specifier))).then(
    ([aes, hkdf, sha2]) => nobleBackendOf({ gcm: aes!.gcm, hkdf: hkdf!.hkdf, sha256: sha2!.sha256 } as NobleModules),
    (error: unknown) => {
      loading = undefined;
      throw new Error(
        byokitMessage(
          'crypto',
          'this runtime has neither node:crypto nor WebCrypto, and the @noble/ciphers and @noble/hashes fallback could not be imported; ' +
            `install them, or provide them with provideSdk(specifier, module) for ${NOBLE_MODULES.join(', ')}`,
        ),
        { cause: error },
      );
    },
  );
  return loading;
}
