/**
 * The few byte helpers the envelope, the keyring and ids need, from the
 * platform alone (`crypto.getRandomValues`, `TextEncoder`): every runtime
 * byokit supports has them, so the core needs no library for them.
 *
 * @module
 */
import { byokitMessage } from '../message.js';

/** `length` cryptographically secure random bytes. */
export function randomBytes(length: number): Uint8Array {
  const getRandomValues = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto
    ?.getRandomValues;
  if (typeof getRandomValues !== 'function')
    throw new Error(byokitMessage('crypto', 'this runtime has no crypto.getRandomValues'));
  return getRandomValues.call(globalThis.crypto, new Uint8Array(length));
}

const NONCE_POOL_BYTES = 3072;
let noncePool: Uint8Array = new Uint8Array(0);
let noncePoolOffset = 0;

/**
 * `length` random bytes for a nonce, cut from a pool filled by one
 * `getRandomValues` call per 3 KiB (one call costs microseconds, and a seal
 * or a rewrap needs a nonce or two). A nonce must be unique, not secret:
 * each byte is handed out once and zeroed in the pool as it goes. Data keys
 * never come from here: {@link randomBytes} makes each one fresh.
 */
export function randomNonce(length: number): Uint8Array {
  if (noncePoolOffset + length > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.slice(noncePoolOffset, noncePoolOffset + length);
  noncePool.fill(0, noncePoolOffset, noncePoolOffset + length);
  noncePoolOffset += length;
  return nonce;
}

/** Whether two byte arrays are equal, in time that depends only on their length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function utf8ToBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The text of UTF-8 `bytes`. */
export function bytesToUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
