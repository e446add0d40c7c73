/**
 * Key shape checks shared by the built-in descriptors, and offered to host
 * descriptors. Deliberately loose: providers change key formats, and a check
 * that rejects a working key is worse than one that lets a typo through to
 * live validation. Messages never echo the key, its length or any part of it.
 *
 * @module
 */

/** What a key of a provider looks like, as far as it is stable. */
export interface KeyShape {
  /** Provider name used in messages, e.g. `OpenAI`. */
  label: string;
  /** Shortest acceptable key. Default 1. */
  minLength?: number;
  /** Longest acceptable key. Default 4096 (room for JWT-style proxy tokens). */
  maxLength?: number;
  /**
   * Prefixes a key must start with (any of them). Only for prefixes the
   * provider has kept stable for years; leave empty otherwise.
   */
  requiredPrefixes?: readonly string[];
}

import { ValidationError } from '../errors.js';
import { byokitMessage } from '../message.js';

/** Printable ASCII without space: what every provider key we know is made of. */
const PRINTABLE_NO_SPACE = /^[\x21-\x7e]+$/;
const WHITESPACE = /\s/;

/**
 * Checks `key` against `shape`. Returns a problem description (never
 * containing the key) or `null` when the key is acceptable.
 *
 * @example
 * ```ts
 * const descriptor: ProviderDescriptor<VoiceClient> = {
 *   id: 'voice', label: 'Acme Voice', keyPrefixes: ['av_'],
 *   checkKeyFormat: (key) => checkKeyShape(key, { label: 'Acme Voice', minLength: 24, requiredPrefixes: ['av_'] }),
 *   ...
 * };
 * ```
 */
export function checkKeyShape(key: string, shape: KeyShape): string | null {
  if (typeof shape !== 'object' || shape === null || typeof shape.label !== 'string') {
    throw new ValidationError(byokitMessage('providers', 'checkKeyShape(key, shape) takes a shape with a label'), [
      { path: 'shape', message: 'must be an object with a label' },
    ]);
  }
  const { label, minLength = 1, maxLength = 4096, requiredPrefixes = [] } = shape;
  if (typeof key !== 'string' || key.length === 0) return `${label} key is empty`;
  if (WHITESPACE.test(key)) {
    return `${label} key contains whitespace; remove spaces and line breaks (a trailing newline is a common copy-paste slip)`;
  }
  if (!PRINTABLE_NO_SPACE.test(key)) return `${label} key contains characters other than printable ASCII`;
  if (key.length < minLength) return `${label} key is too short (at least ${minLength} characters expected)`;
  if (key.length > maxLength) return `${label} key is too long (at most ${maxLength} characters expected)`;
  if (requiredPrefixes.length > 0 && !requiredPrefixes.some((prefix) => key.startsWith(prefix))) {
    const list = requiredPrefixes.map((prefix) => `"${prefix}"`).join(' or ');
    return `${label} key should start with ${list}; check that you pasted the API key and not another credential`;
  }
  return null;
}
