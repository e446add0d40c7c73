/**
 * Envelope crypto: pure functions over bytes and strings.
 *
 * @module
 */
export { type SealContext, dataAad, wrapAad } from './aad.js';
export { decodeBase64Url, encodeBase64Url } from './base64url.js';
export { MAX_SECRET_BYTES, SEALED_PREFIX, openSecret, rewrapSealed, sealSecret, sealedKekId } from './envelope.js';
export type { KekProvider } from './kek-provider.js';
export { KEK_LENGTH, Keyring, type KekEntry } from './keyring.js';
