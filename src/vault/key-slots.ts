/**
 * Patches that empty a config's key slots, and the check for a staged key:
 * shared by the tenant handle and its update planning.
 *
 * @module
 */
import type { ConfigPatch, ConfigRecord } from '../store/types.js';

/** A patch that empties the previous-key slot. */
export const NO_PREVIOUS_SLOT: ConfigPatch = Object.freeze({
  previousSealedKey: null,
  previousKeyHint: null,
  previousKeySetAt: null,
  previousKeyExpiresAt: null,
  previousKeyKeptUntil: null,
});

/** A patch that empties both staged slots. */
export const NO_STAGED_SLOTS: ConfigPatch = Object.freeze({
  ...NO_PREVIOUS_SLOT,
  pendingSealedKey: null,
  pendingKeyHint: null,
  pendingKeySetAt: null,
  pendingKeyExpiresAt: null,
});

/**
 * A patch that leaves no key material: the key, its validation state and
 * both staged slots (removing a key, or changing a config's provider).
 */
export const NO_KEYS: ConfigPatch = Object.freeze({
  sealedKey: null,
  keyHint: null,
  keySetAt: null,
  keyExpiresAt: null,
  lastValidatedAt: null,
  lastValidationStatus: null,
  ...NO_STAGED_SLOTS,
});

/** Whether a record holds a staged key (pending or previous). */
export function hasStagedKey(record: Pick<ConfigRecord, 'pendingKeyHint' | 'previousKeyHint'>): boolean {
  return record.pendingKeyHint !== null || record.previousKeyHint !== null;
}
