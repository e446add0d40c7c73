/**
 * The one rule by which news about a key changes its health record, shared
 * by the adapters that can run JavaScript inside their atomic step (memory,
 * SQLite, the custom-adapter example) and written out again in SQL and Lua
 * by the PostgreSQL and Redis adapters; the conformance suite holds all of
 * them to it.
 *
 * @module
 */
import type { KeyHealthChange, KeyHealthRecord, KeyHealthResult } from './types.js';

/** The later of two ISO times (`null` counts as earliest). */
function later(a: string | null, b: string | null | undefined): string | null {
  if (b === undefined || b === null) return a;
  return a === null || b > a ? b : a;
}

/**
 * The health record after `change`, and the transition it made. `stored` is
 * the current record of (`tenantId`, `configId`), or `null` if there is none.
 * See `StorageAdapter.recordKeyHealth` for the rule in words.
 *
 * @example
 * ```ts
 * // inside your adapter's transaction:
 * const { health, transition } = mergeKeyHealth(current, tenantId, configId, change);
 * save(health);
 * if (transition) appendAudit(options.audit[transition]);
 * ```
 */
export function mergeKeyHealth(
  stored: KeyHealthRecord | null,
  tenantId: string,
  configId: string,
  change: KeyHealthChange,
): KeyHealthResult {
  if (stored !== null && stored.keySetAt > change.keySetAt) {
    // News about a key since replaced: it was used, nothing more.
    return { health: { ...stored, lastUsedAt: later(stored.lastUsedAt, change.usedAt) }, transition: null };
  }
  // No record yet, or the record is about an older key: start over for this one.
  const base: KeyHealthRecord =
    stored !== null && stored.keySetAt === change.keySetAt
      ? stored
      : {
          tenantId,
          configId,
          keySetAt: change.keySetAt,
          state: 'ok',
          firstFailureAt: null,
          lastFailureAt: null,
          failureCount: 0,
          lastUsedAt: stored?.lastUsedAt ?? null,
          lastSuccessAt: null,
          lastValidAt: null,
        };
  const next: KeyHealthRecord = {
    ...base,
    tenantId,
    configId,
    lastUsedAt: later(base.lastUsedAt, change.usedAt),
    lastValidAt: later(base.lastValidAt, change.validAt),
    lastSuccessAt: later(later(base.lastSuccessAt, change.successAt), change.validAt),
  };
  const failures = change.failures;
  if (failures && failures.count > 0) {
    next.failureCount = base.state === 'failing' ? base.failureCount + failures.count : failures.count;
    next.firstFailureAt = base.state === 'failing' ? base.firstFailureAt : failures.firstAt;
    next.lastFailureAt = later(base.lastFailureAt, failures.lastAt);
    next.state = 'failing';
  }
  if (next.state === 'failing' && next.lastSuccessAt !== null && next.lastSuccessAt >= next.lastFailureAt!) {
    next.state = 'ok';
    next.failureCount = 0;
    next.firstFailureAt = null;
  }
  const transition = base.state === next.state ? null : next.state === 'failing' ? 'failing' : 'recovered';
  return { health: next, transition };
}
