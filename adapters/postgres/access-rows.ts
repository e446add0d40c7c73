/**
 * Rows of the settings, access-key and usage tables, and back.
 *
 * @module
 */
import type { AccessKeyRecord, AccessKeyUsageRecord } from '../../src/store/access-key-storage.js';
import type { SettingsRecord } from '../../src/store/settings-storage.js';
import type { PostgresRow } from './queryable.js';
import { json, nullableText, type SqlParams } from './rows.js';

/** Columns of an access key, in {@link accessKeyValues} order. */
export const ACCESS_KEY_COLUMNS =
  'id, tenant_id, scope, name, providers, models, quota, hint, secret_hash, hash_key_id, expires_at, revoked_at, created_at';

/** Columns of a settings record. */
export const SETTINGS_COLUMNS = 'tenant_id, document, revision, updated_at';

/** Columns of a usage record. */
export const USAGE_COLUMNS = 'tenant_id, key_id, period, requests, tokens';

/** Placeholders for an access key's values, in {@link ACCESS_KEY_COLUMNS} order. */
export function accessKeyValues(p: SqlParams, r: AccessKeyRecord): string {
  return [
    p.add(r.id, 'text'),
    p.add(r.tenantId, 'text'),
    p.add(r.scope, 'text'),
    p.add(r.name, 'text'),
    p.add(r.providers, 'jsonb'),
    p.add(r.models, 'jsonb'),
    p.add(r.quota, 'jsonb'),
    p.add(r.hint, 'text'),
    p.add(r.secretHash, 'text'),
    p.add(r.hashKeyId, 'text'),
    p.add(r.expiresAt, 'text'),
    p.add(r.revokedAt, 'text'),
    p.add(r.createdAt, 'text'),
  ].join(', ');
}

/** A jsonb column that may be SQL NULL. */
function nullableJson<T>(row: PostgresRow, column: string): T | null {
  return (json(row, column) ?? null) as T | null;
}

/** An access-key row (or its `to_jsonb` form) as a fresh record. */
export function toAccessKey(row: PostgresRow): AccessKeyRecord {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    scope: String(row.scope),
    name: String(row.name),
    providers: nullableJson(row, 'providers'),
    models: nullableJson(row, 'models'),
    quota: nullableJson(row, 'quota'),
    hint: String(row.hint),
    secretHash: String(row.secret_hash),
    hashKeyId: String(row.hash_key_id),
    expiresAt: nullableText(row, 'expires_at'),
    revokedAt: nullableText(row, 'revoked_at'),
    createdAt: String(row.created_at),
  };
}

/** A settings row (or its `to_jsonb` form) as a fresh record. */
export function toSettings(row: PostgresRow): SettingsRecord {
  return {
    tenantId: String(row.tenant_id),
    document: json(row, 'document') as SettingsRecord['document'],
    revision: Number(row.revision),
    updatedAt: String(row.updated_at),
  };
}

/** A usage row as a fresh record (`bigint` counts come back as text from `pg`). */
export function toUsage(row: PostgresRow): AccessKeyUsageRecord {
  return {
    tenantId: String(row.tenant_id),
    keyId: String(row.key_id),
    period: String(row.period),
    requests: Number(row.requests),
    tokens: Number(row.tokens),
  };
}
