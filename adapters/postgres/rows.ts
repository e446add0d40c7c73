/**
 * Column lists, parameter building and row mapping: the one place that
 * knows how a record's fields are laid out in the tables.
 *
 * @module
 */
import type { AuditEvent, SealedConfigRecord, ConfigPatch, ConfigRecord } from '../../src/store/types.js';
import type { PostgresRow } from './queryable.js';

/** Collects parameter values and hands out their `$n` placeholders. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder with a cast (`$3::text`), so no statement depends on type inference. */
  add(value: unknown, type: 'text' | 'jsonb' | 'boolean' | 'integer' | 'bigint'): string {
    this.values.push(type === 'jsonb' && value !== null ? JSON.stringify(value) : value);
    return `$${this.values.length}::${type}`;
  }
}

type ColumnType = 'text' | 'jsonb' | 'boolean' | 'integer';

/**
 * Patchable fields and their columns. Also the allow-list of what an
 * update may touch: a field not listed here never reaches the SQL.
 */
export const PATCH_COLUMNS: Readonly<Record<keyof ConfigPatch, readonly [string, ColumnType]>> = {
  scope: ['scope', 'text'],
  name: ['name', 'text'],
  provider: ['provider', 'text'],
  routes: ['routes', 'jsonb'],
  model: ['model', 'text'],
  baseUrl: ['base_url', 'text'],
  options: ['options', 'jsonb'],
  enabled: ['enabled', 'boolean'],
  isDefault: ['is_default', 'boolean'],
  keyHint: ['key_hint', 'text'],
  sealedKey: ['sealed_key', 'text'],
  keySetAt: ['key_set_at', 'text'],
  keyExpiresAt: ['key_expires_at', 'text'],
  lastValidatedAt: ['last_validated_at', 'text'],
  lastValidationStatus: ['last_validation_status', 'text'],
  pendingSealedKey: ['pending_sealed_key', 'text'],
  pendingKeyHint: ['pending_key_hint', 'text'],
  pendingKeySetAt: ['pending_key_set_at', 'text'],
  pendingKeyExpiresAt: ['pending_key_expires_at', 'text'],
  previousSealedKey: ['previous_sealed_key', 'text'],
  previousKeyHint: ['previous_key_hint', 'text'],
  previousKeySetAt: ['previous_key_set_at', 'text'],
  previousKeyExpiresAt: ['previous_key_expires_at', 'text'],
  previousKeyKeptUntil: ['previous_key_kept_until', 'text'],
  updatedAt: ['updated_at', 'text'],
};

/** The columns a new config is inserted with, in {@link recordValues} order (`sealed_key` last). */
export const INSERT_COLUMNS =
  'tenant_id, id, scope, name, provider, routes, model, base_url, options, enabled, is_default, key_hint, ' +
  'key_set_at, key_expires_at, last_validated_at, last_validation_status, created_at, updated_at, revision, sealed_key';

const KEK_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/**
 * The KEK id the stored sealed value names (`sealedKekId` in SQL): the text
 * between `byokit:1:` and the next `:` when it is 1-32 characters of
 * `A-Z a-z 0-9 _ -` (checked with `translate`, which no collation or locale
 * changes), else NULL. There is no KEK id column: reads derive it, so a row
 * can't claim a KEK its sealed value does not name.
 */
export const KEK_ID_SQL = kekIdSql('sealed_key');

/** {@link KEK_ID_SQL} for any column that holds a sealed value. */
export function kekIdSql(column: string): string {
  return `(CASE WHEN left(${column}, 9) = 'byokit:1:'
    AND strpos(substr(${column}, 10), ':') BETWEEN 2 AND 33
    AND translate(split_part(${column}, ':', 3), '${KEK_ID_CHARS}', '') = ''
  THEN split_part(${column}, ':', 3) END)`;
}

/** The columns that hold sealed values, in {@link SEALED_SELECT} order. */
export const SEALED_COLUMNS = ['sealed_key', 'pending_sealed_key', 'previous_sealed_key'] as const;

/** What the sealed reads add to {@link RECORD_COLUMNS}. */
export const SEALED_SELECT = SEALED_COLUMNS.join(', ');

/** A condition true when any sealed column holds a value under another KEK than `kekParam` (or naming none). */
export function anySlotUnderOtherKek(kekParam: string): string {
  return `(${SEALED_COLUMNS.map((c) => `(${c} IS NOT NULL AND ${kekIdSql(c)} IS DISTINCT FROM ${kekParam})`).join(' OR ')})`;
}

/** Columns of a config as returned to callers (no sealed values; `kek_id` derived from `sealed_key`). */
export const RECORD_COLUMNS =
  'tenant_id, id, scope, name, provider, routes, model, base_url, options, enabled, is_default, key_hint, ' +
  `${KEK_ID_SQL} AS kek_id, key_set_at, key_expires_at, last_validated_at, last_validation_status, ` +
  'pending_key_hint, pending_key_set_at, pending_key_expires_at, previous_key_hint, previous_key_set_at, previous_key_expires_at, previous_key_kept_until, ' +
  'created_at, updated_at, revision';

/** Columns of an audit event. */
export const AUDIT_COLUMNS = 'tenant_id, id, config_id, at, actor, type, changes, key_hint, detail';

/**
 * An audit event as the fields of one JSON object, for batch statements
 * that take many rows as one `jsonb_to_recordset` parameter (the same on
 * every client: no driver array encoding). Read back with
 * {@link AUDIT_JSON_COLUMNS} and {@link auditJsonValues}.
 */
export function auditJson(event: AuditEvent): Record<string, unknown> {
  return {
    evt_id: event.id,
    evt_config_id: event.configId,
    evt_at: event.at,
    evt_actor: event.actor,
    evt_type: event.type,
    evt_changes: event.changes,
    evt_key_hint: event.keyHint,
    evt_detail: event.detail,
  };
}

/** The record definition of {@link auditJson}'s fields, for `jsonb_to_recordset(...) AS x(...)`. */
export const AUDIT_JSON_COLUMNS =
  'evt_id text, evt_config_id text, evt_at text, evt_actor jsonb, evt_type text, evt_changes jsonb, evt_key_hint text, evt_detail jsonb';

/** The values of {@link AUDIT_COLUMNS} after `tenant_id`, read from `alias`'s {@link auditJson} fields. */
export function auditJsonValues(alias: string): string {
  return ['evt_id', 'evt_config_id', 'evt_at', 'evt_actor', 'evt_type', 'evt_changes', 'evt_key_hint', 'evt_detail']
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

/** The record definition of an import item's fields (a config row as JSON), for `jsonb_to_recordset`. */
export const IMPORT_JSON_COLUMNS =
  'id text, scope text, name text, provider text, routes jsonb, model text, base_url text, options jsonb, enabled boolean, is_default boolean, ' +
  'key_hint text, key_set_at text, key_expires_at text, last_validated_at text, last_validation_status text, created_at text, updated_at text, ' +
  'revision integer, sealed_key text';

/** The values of {@link INSERT_COLUMNS} after `tenant_id`, from an `input` row of {@link IMPORT_JSON_COLUMNS}. */
export const IMPORT_JSON_VALUES = INSERT_COLUMNS.split(', ')
  .slice(1)
  .map((column) => `input.${column}`)
  .join(', ');

/**
 * Placeholders for an audit event's values, in {@link AUDIT_COLUMNS} order.
 * The event is stored under `tenant` (the placeholder of the call's tenant
 * id), never under `event.tenantId`: a call only ever writes its own
 * tenant's rows, whatever the event says.
 */
export function auditValues(params: SqlParams, event: AuditEvent, tenant: string): string {
  return [
    tenant,
    params.add(event.id, 'text'),
    params.add(event.configId, 'text'),
    params.add(event.at, 'text'),
    params.add(event.actor, 'jsonb'),
    params.add(event.type, 'text'),
    params.add(event.changes, 'jsonb'),
    params.add(event.keyHint, 'text'),
    params.add(event.detail, 'jsonb'),
  ].join(', ');
}

/** Placeholders for a new config's values, in {@link INSERT_COLUMNS} order (`sealed_key` always null on insert). */
export function recordValues(params: SqlParams, r: ConfigRecord): string {
  return [
    params.add(r.tenantId, 'text'),
    params.add(r.id, 'text'),
    params.add(r.scope, 'text'),
    params.add(r.name, 'text'),
    params.add(r.provider, 'text'),
    params.add(r.routes, 'jsonb'),
    params.add(r.model, 'text'),
    params.add(r.baseUrl, 'text'),
    params.add(r.options, 'jsonb'),
    params.add(r.enabled, 'boolean'),
    params.add(r.isDefault, 'boolean'),
    params.add(r.keyHint, 'text'),
    params.add(r.keySetAt, 'text'),
    params.add(r.keyExpiresAt, 'text'),
    params.add(r.lastValidatedAt, 'text'),
    params.add(r.lastValidationStatus, 'text'),
    params.add(r.createdAt, 'text'),
    params.add(r.updatedAt, 'text'),
    params.add(r.revision, 'integer'),
    'NULL::text',
  ].join(', ');
}

function text(row: PostgresRow, column: string): string {
  return String(row[column]);
}

/** A nullable text column as a string or `null`. */
export function nullableText(row: PostgresRow, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

/**
 * A boolean column: drivers parse it to `true`/`false`; a client with raw
 * text type parsers returns PostgreSQL's text form `'t'`/`'f'`.
 */
function bool(row: PostgresRow, column: string): boolean {
  const value = row[column];
  return value === true || value === 't' || value === 'true';
}

/** A jsonb column: drivers parse it already; parse text in case a host's client does not. */
export function json(row: PostgresRow, column: string): unknown {
  const value = row[column];
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** Maps a configs row to a fresh plain record. */
export function toRecord(row: PostgresRow): ConfigRecord {
  return {
    id: text(row, 'id'),
    tenantId: text(row, 'tenant_id'),
    scope: text(row, 'scope'),
    name: text(row, 'name'),
    provider: text(row, 'provider'),
    routes: json(row, 'routes') as string[],
    model: nullableText(row, 'model'),
    baseUrl: nullableText(row, 'base_url'),
    options: json(row, 'options') as ConfigRecord['options'],
    enabled: bool(row, 'enabled'),
    isDefault: bool(row, 'is_default'),
    keyHint: nullableText(row, 'key_hint'),
    kekId: nullableText(row, 'kek_id'),
    keySetAt: nullableText(row, 'key_set_at'),
    keyExpiresAt: nullableText(row, 'key_expires_at'),
    lastValidatedAt: nullableText(row, 'last_validated_at'),
    lastValidationStatus: nullableText(row, 'last_validation_status') as ConfigRecord['lastValidationStatus'],
    pendingKeyHint: nullableText(row, 'pending_key_hint'),
    pendingKeySetAt: nullableText(row, 'pending_key_set_at'),
    pendingKeyExpiresAt: nullableText(row, 'pending_key_expires_at'),
    previousKeyHint: nullableText(row, 'previous_key_hint'),
    previousKeySetAt: nullableText(row, 'previous_key_set_at'),
    previousKeyExpiresAt: nullableText(row, 'previous_key_expires_at'),
    previousKeyKeptUntil: nullableText(row, 'previous_key_kept_until'),
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
    revision: Number(row.revision),
  };
}

/** Maps a configs row selected with `sealed_key` to a candidate. */
export function toCandidate(row: PostgresRow): SealedConfigRecord {
  const candidate = toRecord(row) as SealedConfigRecord;
  candidate.sealedKey = nullableText(row, 'sealed_key');
  candidate.pendingSealedKey = nullableText(row, 'pending_sealed_key');
  candidate.previousSealedKey = nullableText(row, 'previous_sealed_key');
  return candidate;
}

/** Maps an audit row to a fresh plain event. */
export function toAuditEvent(row: PostgresRow): AuditEvent {
  return {
    id: text(row, 'id'),
    at: text(row, 'at'),
    tenantId: text(row, 'tenant_id'),
    configId: nullableText(row, 'config_id'),
    actor: (json(row, 'actor') ?? null) as AuditEvent['actor'],
    type: text(row, 'type') as AuditEvent['type'],
    changes: json(row, 'changes') as string[],
    keyHint: nullableText(row, 'key_hint'),
    detail: json(row, 'detail') as AuditEvent['detail'],
  };
}
