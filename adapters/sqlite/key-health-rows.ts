/**
 * Rows of the key health table (migration 3) and their mapping to
 * {@link KeyHealthRecord}s.
 *
 * @module
 */
import type { KeyHealthRecord, KeyHealthState } from '../../src/store/types.js';
import type { SqliteValue } from './database.js';

/** Columns in the order {@link keyHealthValues} binds them. */
export const KEY_HEALTH_COLUMNS = [
  'tenant_id',
  'config_id',
  'key_set_at',
  'state',
  'first_failure_at',
  'last_failure_at',
  'failure_count',
  'last_used_at',
  'last_success_at',
  'last_valid_at',
] as const;

/** A row of the key health table as the driver returns it. */
export interface KeyHealthRow {
  tenant_id: string;
  config_id: string;
  key_set_at: string;
  state: string;
  first_failure_at: string | null;
  last_failure_at: string | null;
  failure_count: number | bigint;
  last_used_at: string | null;
  last_success_at: string | null;
  last_valid_at: string | null;
}

/** Binds a record in {@link KEY_HEALTH_COLUMNS} order. */
export function keyHealthValues(h: KeyHealthRecord): SqliteValue[] {
  return [
    h.tenantId,
    h.configId,
    h.keySetAt,
    h.state,
    h.firstFailureAt,
    h.lastFailureAt,
    h.failureCount,
    h.lastUsedAt,
    h.lastSuccessAt,
    h.lastValidAt,
  ];
}

/** A fresh record from a row. */
export function toKeyHealth(row: KeyHealthRow): KeyHealthRecord {
  return {
    tenantId: row.tenant_id,
    configId: row.config_id,
    keySetAt: row.key_set_at,
    state: row.state as KeyHealthState,
    firstFailureAt: row.first_failure_at,
    lastFailureAt: row.last_failure_at,
    failureCount: Number(row.failure_count),
    lastUsedAt: row.last_used_at,
    lastSuccessAt: row.last_success_at,
    lastValidAt: row.last_valid_at,
  };
}
