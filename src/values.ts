/**
 * Value types every layer shares (the store, the resolver, the providers),
 * kept on the bottom floor so that none of them imports another for them.
 * Imports nothing.
 *
 * @module
 */

/** A scope path inside a tenant: `''` is the tenant itself, `'ws1'`, `'ws1/proj7'`. */
export type ScopePath = string;

/** The results a live validation of a stored key can have, in one list. */
export const VALIDATION_STATUSES = [
  'valid',
  'invalid_key',
  'forbidden_model',
  'rate_limited',
  'unreachable',
  'unexpected',
] as const;

/** Result of a last live validation of a stored key: one of {@link VALIDATION_STATUSES}. */
export type ValidationStatus = (typeof VALIDATION_STATUSES)[number];

/** Provider-specific, non-secret settings of a config (Azure deployment, API version, ...). */
export type ConfigOptions = Record<string, string | number | boolean>;
