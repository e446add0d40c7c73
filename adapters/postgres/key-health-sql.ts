/**
 * `recordKeyHealth` as one statement: an upsert whose `DO UPDATE` writes
 * `mergeKeyHealth` out in SQL against the locked, newest committed version
 * of the row (so concurrent reports queue on the row lock and none is
 * lost), plus the transition's audit event in the same statement.
 *
 * @module
 */
import { mergeKeyHealth } from '../../src/store/key-health.js';
import type { KeyHealthChange, KeyHealthRecord, KeyHealthWriteOptions } from '../../src/store/types.js';
import type { TableNames } from './names.js';
import type { PostgresRow } from './queryable.js';
import { AUDIT_COLUMNS, SqlParams, auditValues } from './rows.js';

/** Columns of a health row as returned to callers. */
export const KEY_HEALTH_COLUMNS =
  'tenant_id, config_id, key_set_at, state, first_failure_at, last_failure_at, failure_count, last_used_at, last_success_at, last_valid_at';

/** A fresh record from a selected row. */
export function toKeyHealth(row: PostgresRow): KeyHealthRecord {
  return {
    tenantId: row.tenant_id as string,
    configId: row.config_id as string,
    keySetAt: row.key_set_at as string,
    state: row.state as KeyHealthRecord['state'],
    firstFailureAt: (row.first_failure_at as string | null) ?? null,
    lastFailureAt: (row.last_failure_at as string | null) ?? null,
    failureCount: Number(row.failure_count),
    lastUsedAt: (row.last_used_at as string | null) ?? null,
    lastSuccessAt: (row.last_success_at as string | null) ?? null,
    lastValidAt: (row.last_valid_at as string | null) ?? null,
  };
}

/** The statement and its parameters. `token` marks the transition this call makes, if any (a fresh random value per call). */
export function recordKeyHealthStatement(
  t: TableNames,
  tenantId: string,
  configId: string,
  change: KeyHealthChange,
  options: KeyHealthWriteOptions,
  token: string,
): { sql: string; params: unknown[] } {
  const p = new SqlParams();
  const tenant = p.add(tenantId, 'text');
  const config = p.add(configId, 'text');
  const text = (value: string | null | undefined) => p.add(value ?? null, 'text');
  const K = text(change.keySetAt);
  const U = text(change.usedAt);
  const S = text(change.successAt);
  const V = text(change.validAt);
  const failures = change.failures && change.failures.count > 0 ? change.failures : null;
  const Fc = p.add(failures?.count ?? 0, 'integer');
  const Ff = text(failures?.firstAt);
  const Fl = text(failures?.lastAt);
  const T = text(token);

  // A new row: the same rule, computed here for "nothing stored".
  const fresh = mergeKeyHealth(null, tenantId, configId, change).health;
  const insert = [
    tenant,
    config,
    K,
    text(fresh.state),
    text(fresh.firstFailureAt),
    text(fresh.lastFailureAt),
    p.add(fresh.failureCount, 'integer'),
    text(fresh.lastUsedAt),
    text(fresh.lastSuccessAt),
    text(fresh.lastValidAt),
    fresh.state === 'failing' ? T : 'NULL::text',
  ].join(', ');

  // An existing row, `h` as it is now. "new key": the row is about an older
  // key, so it starts over; "old news": the change is about an older key.
  const newKey = `(h.key_set_at < ${K})`;
  const oldNews = `(h.key_set_at > ${K})`;
  const base = (column: string, startOver: string) => `(CASE WHEN ${newKey} THEN ${startOver} ELSE h.${column} END)`;
  const state = base('state', `'ok'`);
  const count = base('failure_count', '0');
  const first = base('first_failure_at', 'NULL::text');
  const last = base('last_failure_at', 'NULL::text');
  const hasFailures = `(${Fc} > 0)`;
  const success = `GREATEST(${base('last_success_at', 'NULL::text')}, ${S}, ${V})`;
  const lastFailure = `(CASE WHEN ${hasFailures} THEN GREATEST(${last}, ${Fl}) ELSE ${last} END)`;
  const failingBefore = `(${hasFailures} OR ${state} = 'failing')`;
  const clears = `(${success} IS NOT NULL AND ${success} >= ${lastFailure})`;
  const nextState = `(CASE WHEN ${failingBefore} AND NOT ${clears} THEN 'failing' ELSE 'ok' END)`;
  const nextCount = `(CASE WHEN ${hasFailures} THEN (CASE WHEN ${state} = 'failing' THEN ${count} + ${Fc} ELSE ${Fc} END) ELSE ${count} END)`;
  const nextFirst = `(CASE WHEN ${hasFailures} AND ${state} <> 'failing' THEN ${Ff} ELSE ${first} END)`;
  const unlessOldNews = (column: string, value: string) =>
    `${column} = CASE WHEN ${oldNews} THEN h.${column} ELSE ${value} END`;
  const sets = [
    unlessOldNews('key_set_at', K),
    unlessOldNews('state', nextState),
    unlessOldNews('failure_count', `(CASE WHEN ${nextState} = 'failing' THEN ${nextCount} ELSE 0 END)`),
    unlessOldNews('first_failure_at', `(CASE WHEN ${nextState} = 'failing' THEN ${nextFirst} ELSE NULL END)`),
    unlessOldNews('last_failure_at', lastFailure),
    unlessOldNews('last_success_at', success),
    unlessOldNews('last_valid_at', `GREATEST(${base('last_valid_at', 'NULL::text')}, ${V})`),
    `last_used_at = GREATEST(h.last_used_at, ${U})`,
    `transition_token = CASE WHEN NOT ${oldNews} AND ${state} <> ${nextState} THEN ${T} ELSE h.transition_token END`,
  ];
  const sql = `WITH up AS (
      INSERT INTO ${t.keyHealth} AS h (${KEY_HEALTH_COLUMNS}, transition_token)
      VALUES (${insert})
      ON CONFLICT (tenant_id, config_id) DO UPDATE SET ${sets.join(',\n        ')}
      RETURNING ${KEY_HEALTH_COLUMNS}, (h.transition_token IS NOT DISTINCT FROM ${T}) AS transitioned),
    audited AS (
      INSERT INTO ${t.audit} (${AUDIT_COLUMNS})
      SELECT ${auditValues(p, options.audit.failing, tenant)} FROM up WHERE up.transitioned AND up.state = 'failing'
      UNION ALL
      SELECT ${auditValues(p, options.audit.recovered, tenant)} FROM up WHERE up.transitioned AND up.state = 'ok')
    SELECT * FROM up`;
  return { sql, params: p.values };
}
