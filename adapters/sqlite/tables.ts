/**
 * Table names under a configurable prefix, so byokit can share a database
 * file with the host's own tables.
 *
 * @module
 */
import { ValidationError } from '../../src/errors.js';
import { byokitMessage } from '../../src/message.js';

/** The adapter's table names. */
export interface TableNames {
  /** Configs and their sealed keys. */
  configs: string;
  /** Audit events. */
  audit: string;
  /** Applied migrations. */
  migrations: string;
  /** Health of each config's key (migration 3). */
  keyHealth: string;
  /** One settings document per tenant. */
  settings: string;
  /** Access keys (the hash of each secret, never the secret). */
  accessKeys: string;
  /** Quota counters: one row per access key. */
  accessKeyCounters: string;
  /** Usage: one row per access key and day. */
  accessKeyUsage: string;
}

/** Default prefix: tables `byokit_configs`, `byokit_audit`, `byokit_migrations`, `byokit_key_health`. */
export const DEFAULT_TABLE_PREFIX = 'byokit_';

/**
 * Table names for `prefix`. The prefix is spliced into SQL, so only
 * identifier characters are allowed.
 */
export function tableNames(prefix: string = DEFAULT_TABLE_PREFIX): TableNames {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(prefix)) {
    throw new ValidationError(
      byokitMessage(
        'sqlite',
        'tablePrefix must be letters, digits and underscores, starting with a letter or underscore',
      ),
      [{ path: 'tablePrefix', message: 'invalid identifier' }],
    );
  }
  return {
    configs: `${prefix}configs`,
    audit: `${prefix}audit`,
    migrations: `${prefix}migrations`,
    settings: `${prefix}settings`,
    accessKeys: `${prefix}access_keys`,
    accessKeyCounters: `${prefix}access_key_counters`,
    accessKeyUsage: `${prefix}access_key_usage`,
    keyHealth: `${prefix}key_health`,
  };
}
