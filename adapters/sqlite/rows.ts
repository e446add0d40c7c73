/**
 * Mapping between records and rows: booleans as 0/1, JSON text for the
 * structured fields, and fresh plain objects on the way out (drivers may
 * return null-prototype rows).
 *
 * @module
 */
import type { AuditEvent, SealedConfigRecord, ConfigRecord, ValidationStatus } from '../../src/store/types.js';
import type { SqliteValue } from './database.js';

/** A row of the configs table as the driver returns it. */
export interface ConfigRow {
  tenant_id: string;
  id: string;
  scope: string;
  name: string;
  provider: string;
  routes: string;
  model: string | null;
  base_url: string | null;
  options: string;
  enabled: number | bigint;
  is_default: number | bigint;
  key_hint: string | null;
  /** Not a column: derived from `sealed_key` by {@link KEK_ID_SQL} in every select. */
  kek_id: string | null;
  sealed_key: string | null;
  key_set_at: string | null;
  key_expires_at: string | null;
  last_validated_at: string | null;
  last_validation_status: string | null;
  pending_sealed_key: string | null;
  pending_key_hint: string | null;
  pending_key_set_at: string | null;
  pending_key_expires_at: string | null;
  previous_sealed_key: string | null;
  previous_key_hint: string | null;
  previous_key_set_at: string | null;
  previous_key_expires_at: string | null;
  previous_key_kept_until: string | null;
  created_at: string;
  updated_at: string;
  revision: number | bigint;
}

/** A row of the audit table as the driver returns it. */
export interface AuditRow {
  tenant_id: string;
  id: string;
  at: string;
  config_id: string | null;
  actor: string | null;
  type: string;
  changes: string;
  key_hint: string | null;
  detail: string;
}

/**
 * Config columns in the order {@link configValues} binds them: what the
 * store writes. There is no KEK id column: reads derive it from
 * `sealed_key` ({@link KEK_ID_SQL}).
 */
export const CONFIG_COLUMNS = [
  'tenant_id',
  'id',
  'scope',
  'name',
  'provider',
  'routes',
  'model',
  'base_url',
  'options',
  'enabled',
  'is_default',
  'key_hint',
  'sealed_key',
  'key_set_at',
  'key_expires_at',
  'last_validated_at',
  'last_validation_status',
  'created_at',
  'updated_at',
  'revision',
  'pending_sealed_key',
  'pending_key_hint',
  'pending_key_set_at',
  'pending_key_expires_at',
  'previous_sealed_key',
  'previous_key_hint',
  'previous_key_set_at',
  'previous_key_expires_at',
  'previous_key_kept_until',
] as const;

/** The columns that hold sealed values: only the sealed reads select them. */
const SEALED_COLUMNS: readonly string[] = ['sealed_key', 'pending_sealed_key', 'previous_sealed_key'];

/**
 * The KEK id the stored sealed value names (`sealedKekId` in SQL): the text
 * between `byokit:1:` and the next `:` when it is 1-32 characters of
 * `A-Z a-z 0-9 _ -`, else NULL. Derived on every read, so a row can't claim
 * a KEK its sealed value does not name.
 */
export const KEK_ID_SQL = kekIdSql('sealed_key');

/** {@link KEK_ID_SQL} for any column that holds a sealed value. */
export function kekIdSql(column: string): string {
  return `(CASE WHEN substr(${column}, 1, 9) = 'byokit:1:'
    AND instr(substr(${column}, 10), ':') BETWEEN 2 AND 33
    AND substr(${column}, 10, instr(substr(${column}, 10), ':') - 1) NOT GLOB '*[^A-Za-z0-9_-]*'
  THEN substr(${column}, 10, instr(substr(${column}, 10), ':') - 1) END)`;
}

/**
 * A condition true when any sealed column (active, pending, previous) holds
 * a value under another KEK than the one bound to the `?` it contains
 * three times (bind the KEK id three times).
 */
export const ANY_SLOT_UNDER_OTHER_KEK_SQL = `(${['sealed_key', 'pending_sealed_key', 'previous_sealed_key']
  .map((c) => `(${c} IS NOT NULL AND ${kekIdSql(c)} IS NOT ?)`)
  .join(' OR ')})`;

/** What every read but the two sealed reads selects: every column except `sealed_key`, plus the derived `kek_id`. */
export const PUBLIC_CONFIG_COLUMNS = [
  ...CONFIG_COLUMNS.filter((c) => !SEALED_COLUMNS.includes(c)),
  `${KEK_ID_SQL} AS kek_id`,
].join(', ');

/** What the sealed reads (`loadCandidates`, `loadSealedConfig`) select: the public columns and the sealed ones. */
export const SEALED_CONFIG_COLUMNS = `${PUBLIC_CONFIG_COLUMNS}, ${SEALED_COLUMNS.join(', ')}`;

/** Audit columns in the order {@link auditValues} binds them. */
export const AUDIT_COLUMNS = [
  'tenant_id',
  'id',
  'at',
  'config_id',
  'actor',
  'type',
  'changes',
  'key_hint',
  'detail',
] as const;

/** The sealed values of a row, slot by slot. */
export interface SealedValues {
  sealedKey: string | null;
  pendingSealedKey: string | null;
  previousSealedKey: string | null;
}

/** Binds a record (and its sealed keys) in {@link CONFIG_COLUMNS} order. */
export function configValues(record: ConfigRecord, sealed: SealedValues): SqliteValue[] {
  return [
    record.tenantId,
    record.id,
    record.scope,
    record.name,
    record.provider,
    JSON.stringify(record.routes),
    record.model,
    record.baseUrl,
    JSON.stringify(record.options),
    record.enabled ? 1 : 0,
    record.isDefault ? 1 : 0,
    record.keyHint,
    sealed.sealedKey,
    record.keySetAt,
    record.keyExpiresAt,
    record.lastValidatedAt,
    record.lastValidationStatus,
    record.createdAt,
    record.updatedAt,
    record.revision,
    sealed.pendingSealedKey,
    record.pendingKeyHint,
    record.pendingKeySetAt,
    record.pendingKeyExpiresAt,
    sealed.previousSealedKey,
    record.previousKeyHint,
    record.previousKeySetAt,
    record.previousKeyExpiresAt,
    record.previousKeyKeptUntil,
  ];
}

/** A fresh {@link ConfigRecord} from a selected row (without `sealedKey`, even if the row has it). */
export function toConfigRecord(row: ConfigRow): ConfigRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scope: row.scope,
    name: row.name,
    provider: row.provider,
    routes: JSON.parse(row.routes) as string[],
    model: row.model,
    baseUrl: row.base_url,
    options: JSON.parse(row.options) as ConfigRecord['options'],
    enabled: Number(row.enabled) === 1,
    isDefault: Number(row.is_default) === 1,
    keyHint: row.key_hint,
    kekId: row.kek_id,
    keySetAt: row.key_set_at,
    keyExpiresAt: row.key_expires_at,
    lastValidatedAt: row.last_validated_at,
    lastValidationStatus: row.last_validation_status as ValidationStatus | null,
    pendingKeyHint: row.pending_key_hint,
    pendingKeySetAt: row.pending_key_set_at,
    pendingKeyExpiresAt: row.pending_key_expires_at,
    previousKeyHint: row.previous_key_hint,
    previousKeySetAt: row.previous_key_set_at,
    previousKeyExpiresAt: row.previous_key_expires_at,
    previousKeyKeptUntil: row.previous_key_kept_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: Number(row.revision),
  };
}

/** A fresh {@link SealedConfigRecord} from a full row. */
export function toCandidateRecord(row: ConfigRow): SealedConfigRecord {
  return {
    ...toConfigRecord(row),
    sealedKey: row.sealed_key,
    pendingSealedKey: row.pending_sealed_key,
    previousSealedKey: row.previous_sealed_key,
  };
}

/** Binds an audit event in {@link AUDIT_COLUMNS} order. */
export function auditValues(event: AuditEvent): SqliteValue[] {
  return [
    event.tenantId,
    event.id,
    event.at,
    event.configId,
    event.actor === null ? null : JSON.stringify(event.actor),
    event.type,
    JSON.stringify(event.changes),
    event.keyHint,
    JSON.stringify(event.detail),
  ];
}

/** A fresh {@link AuditEvent} from a row. */
export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    tenantId: row.tenant_id,
    configId: row.config_id,
    actor: row.actor === null ? null : (JSON.parse(row.actor) as AuditEvent['actor']),
    type: row.type as AuditEvent['type'],
    changes: JSON.parse(row.changes) as string[],
    keyHint: row.key_hint,
    detail: JSON.parse(row.detail) as AuditEvent['detail'],
  };
}
