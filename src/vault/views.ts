/**
 * What read paths return: a config's public view with its key hint and key
 * state (DESIGN rules 1 and 13), never ciphertext.
 *
 * @module
 */
import type { KekProvider } from '../crypto/kek-provider.js';
import type { ConfigRecord } from '../store/types.js';

/**
 * The state of a config's key:
 * - `active`: stored, enabled, not expired, openable;
 * - `disabled`: stored but switched off (falls through to the next candidate);
 * - `missing`: no key stored;
 * - `expired`: past the expiry the admin set;
 * - `undecryptable`: its KEK is gone from the keyring, or the stored row and
 *   its sealed value disagree (a hint without a sealed value, or the
 *   reverse): re-enter this key.
 */
export type KeyState = 'active' | 'disabled' | 'missing' | 'expired' | 'undecryptable';

/**
 * A config as hosts and their UIs see it: the stored record without the
 * KEK id, plus the key's state. Holds no key material: `keyHint` (e.g.
 * `sk-...7xQ2`) is all that is ever shown of a key.
 */
export type ConfigView = Omit<ConfigRecord, 'kekId'> & { keyState: KeyState };

/**
 * The key state of a record at `now`. `kekId` is what the stored sealed
 * value names (adapters derive it), so a hint without a KEK id is a hint
 * without a sealed value, and a KEK id without a hint a sealed value without
 * its hint: both fail closed as `undecryptable`.
 */
export function keyStateOf(record: ConfigRecord, kek: KekProvider, now: Date): KeyState {
  if (record.keyHint === null && record.kekId === null) return 'missing';
  if (record.keyHint === null || record.kekId === null || !kek.hasKek(record.kekId)) return 'undecryptable';
  if (!record.enabled) return 'disabled';
  if (record.keyExpiresAt !== null && Date.parse(record.keyExpiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

/** The public view of a record. Copies only the listed fields, so nothing else can leak through. */
export function toView(record: ConfigRecord, kek: KekProvider, now: Date): ConfigView {
  return {
    id: record.id,
    tenantId: record.tenantId,
    scope: record.scope,
    name: record.name,
    provider: record.provider,
    routes: [...record.routes],
    model: record.model,
    baseUrl: record.baseUrl,
    options: { ...record.options },
    enabled: record.enabled,
    isDefault: record.isDefault,
    keyHint: record.keyHint,
    keyState: keyStateOf(record, kek, now),
    keySetAt: record.keySetAt,
    keyExpiresAt: record.keyExpiresAt,
    lastValidatedAt: record.lastValidatedAt,
    lastValidationStatus: record.lastValidationStatus,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    revision: record.revision,
  };
}
