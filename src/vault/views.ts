/**
 * What read paths return: a config's public view with its key hint and key
 * state (docs/architecture.md, rules 1 and 13), never ciphertext.
 *
 * @module
 */
import type { KekProvider } from '../crypto/kek-provider.js';
import type { KeyHealth } from '../outcomes/types.js';
import { keyExpired } from '../store/candidates.js';
import type { ConfigRecord, KeyHealthRecord } from '../store/types.js';

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
 * KEK id, plus the key's state and health. Holds no key material:
 * `keyHint` (e.g. `sk-...7xQ2`) is all that is ever shown of a key.
 * `lastValidatedAt` / `lastValidationStatus` are the last validation
 * attempt; `lastValidAt` the last one that found the key valid (a failed
 * check leaves it).
 */
export type ConfigView = Omit<ConfigRecord, 'kekId'> & {
  /** `active`, `disabled`, `missing`, `expired` or `undecryptable` (re-enter the key). */
  keyState: KeyState;
  /** Whether the current key works, as traffic and validations found: `failing` after an auth failure, until a later success. */
  health: KeyHealth;
  /** Latest call made with the config's key (written behind: up to the vault's `keyHealth.flushIntervalMs` late). */
  lastUsedAt: string | null;
  /** Latest validation that found the current key valid. */
  lastValidAt: string | null;
  /**
   * The previous key of a staged rotation: `kept` while `rollbackKey` can
   * bring it back, `expired` once its grace period has ended (dropped by
   * the next `expirePrevious` or key change); `null` when there is none.
   */
  previousKeyState: 'kept' | 'expired' | null;
};

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
  if (keyExpired(record.keyExpiresAt, now.toISOString())) return 'expired';
  return 'active';
}

/**
 * The public view of a record and its key's health record. Copies only the
 * listed fields, so nothing else can leak through. A health record about
 * an earlier key (or a config whose key was removed) shows no failure.
 */
export function toView(
  record: ConfigRecord,
  kek: KekProvider,
  now: Date,
  health: KeyHealthRecord | null = null,
): ConfigView {
  const current = health !== null && record.keySetAt !== null && health.keySetAt === record.keySetAt ? health : null;
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
    pendingKeyHint: record.pendingKeyHint,
    pendingKeySetAt: record.pendingKeySetAt,
    pendingKeyExpiresAt: record.pendingKeyExpiresAt,
    previousKeyHint: record.previousKeyHint,
    previousKeySetAt: record.previousKeySetAt,
    previousKeyExpiresAt: record.previousKeyExpiresAt,
    previousKeyKeptUntil: record.previousKeyKeptUntil,
    previousKeyState: previousKeyStateOf(record, now),
    lastValidAt: current?.lastValidAt ?? null,
    health: healthView(current),
    lastUsedAt: health?.lastUsedAt ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    revision: record.revision,
  };
}

/** Whether the previous key of a staged rotation can still be rolled back to at `now`. */
export function previousKeyStateOf(
  record: Pick<ConfigRecord, 'previousKeyHint' | 'previousKeyKeptUntil'>,
  now: Date,
): 'kept' | 'expired' | null {
  if (record.previousKeyHint === null) return null;
  return keyExpired(record.previousKeyKeptUntil, now.toISOString()) ? 'expired' : 'kept';
}

/** The view fields of a health record (no record: a key with no known failure). */
export function healthView(
  record: Pick<KeyHealthRecord, 'state' | 'firstFailureAt' | 'lastFailureAt' | 'failureCount'> | null,
): KeyHealth {
  return record
    ? {
        state: record.state,
        firstFailureAt: record.firstFailureAt,
        lastFailureAt: record.lastFailureAt,
        failureCount: record.failureCount,
      }
    : { state: 'ok', firstFailureAt: null, lastFailureAt: null, failureCount: 0 };
}
