/**
 * Where the adapter's tables live: a validated schema and table prefix,
 * turned into quoted, schema-qualified names once, so no SQL text is ever
 * built from unchecked input.
 *
 * @module
 */
import { ValidationError } from '../../src/errors.js';
import type { ValidationIssue } from '../../src/errors.js';
import { byokitMessage } from '../../src/message.js';

/** The schema used when none is given. */
export const DEFAULT_SCHEMA = 'public';
/** The table prefix used when none is given. */
export const DEFAULT_TABLE_PREFIX = 'byokit_';

/** Where the byokit tables live. */
export interface PostgresLocation {
  /** Schema of the tables (default `public`). A plain identifier: letters, digits, `_`, not starting with a digit. */
  schema?: string;
  /** Prefix of every table and index name (default `byokit_`). Letters, digits, `_`; may be empty. */
  tablePrefix?: string;
}

/** Every name the SQL uses, already quoted. */
export interface TableNames {
  /** The schema, quoted. */
  schema: string;
  /** The table prefix, as given (unquoted). */
  prefix: string;
  /** `"schema"."prefix_configs"` */
  configs: string;
  /** `"schema"."prefix_audit"` */
  audit: string;
  /** `"schema"."prefix_migrations"`, used by `migrate()` only. */
  migrations: string;
  /** `"schema"."prefix_key_health"` (migration 003). */
  keyHealth: string;
  /** `"schema"."prefix_key_cooldowns"` (migration 006): key pools' cooldowns, shared by every process. */
  keyCooldowns: string;
  /** `"schema"."prefix_settings"`: one settings document per tenant. */
  settings: string;
  /** `"schema"."prefix_access_keys"` */
  accessKeys: string;
  /** `"schema"."prefix_access_key_counters"`: one row of quota counters per access key. */
  accessKeyCounters: string;
  /** `"schema"."prefix_access_key_usage"`: one row per access key and day. */
  accessKeyUsage: string;
  /** Unquoted index names, as PostgreSQL reports them in a unique violation. */
  nameIndex: string;
  /** The unique index that keeps one default per tenant and scope, unqualified. */
  defaultIndex: string;
  /** Quoted schema alone, for `CREATE SCHEMA`. */
  quotedSchema: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$|^$/;
// PostgreSQL truncates identifiers at 63 bytes; the longest derived name is
// prefix + 'configs_tenant_scope_default_key' (32 characters).
const MAX_SCHEMA = 63;
const MAX_PREFIX = 63 - 'configs_tenant_scope_default_key'.length;

/**
 * Validates the schema and prefix and derives every quoted name.
 *
 * @throws ValidationError if either is not a plain identifier (or too long).
 */
export function tableNames(location: PostgresLocation = {}): TableNames {
  if (typeof location !== 'object' || location === null) {
    throw new ValidationError(byokitMessage('postgres', 'the location must be an object { schema?, tablePrefix? }'), [
      { path: 'location', message: 'must be an object' },
    ]);
  }
  const schema = location.schema ?? DEFAULT_SCHEMA;
  const prefix = location.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  const issues: ValidationIssue[] = [];
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema) || schema.length > MAX_SCHEMA) {
    issues.push({
      path: 'schema',
      message: `must be a plain identifier of at most ${MAX_SCHEMA} characters (letters, digits, _; not starting with a digit)`,
    });
  }
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.length > MAX_PREFIX) {
    issues.push({
      path: 'tablePrefix',
      message: `must be empty or a plain identifier of at most ${MAX_PREFIX} characters (letters, digits, _; not starting with a digit)`,
    });
  }
  if (issues.length > 0) {
    throw new ValidationError(byokitMessage('postgres', `invalid ${issues.map((i) => i.path).join(' and ')}`), issues);
  }
  const quotedSchema = quoteIdentifier(schema);
  const table = (name: string) => `${quotedSchema}.${quoteIdentifier(prefix + name)}`;
  return {
    schema,
    prefix,
    configs: table('configs'),
    audit: table('audit'),
    migrations: table('migrations'),
    keyHealth: table('key_health'),
    keyCooldowns: table('key_cooldowns'),
    settings: table('settings'),
    accessKeys: table('access_keys'),
    accessKeyCounters: table('access_key_counters'),
    accessKeyUsage: table('access_key_usage'),
    nameIndex: `${prefix}configs_tenant_name_key`,
    defaultIndex: `${prefix}configs_tenant_scope_default_key`,
    quotedSchema,
  };
}

/** Double-quotes an identifier. Only called on validated names; the escaping is belt and braces. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
