/**
 * Typed errors. Every error byokit throws on purpose is a {@link ByokitError}
 * with a stable string `code` hosts can switch on; messages are prefixed by
 * the component (`[byokit] [vault] ...`) and never contain key material.
 *
 * @module
 */
import type { TraceEntry } from './trace.js';
import { byokitMessage } from './message.js';

/** Every stable error code byokit uses, in one list; {@link ByokitErrorCode} is derived from it. */
export const BYOKIT_ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'NAME_TAKEN',
  'CONCURRENT_UPDATE',
  'PERMISSION_DENIED',
  'DECRYPTION_FAILED',
  'KEY_UNDECRYPTABLE',
  'NO_KEY',
  'KEYRING_INVALID',
  'KEK_UNKNOWN',
  'ADAPTER_INVALID',
  'STORE_FAILED',
  'RECORD_MISMATCH',
  'PROVIDER_UNKNOWN',
  'PROVIDER_MISMATCH',
  'PROVIDER_SDK_MISSING',
  'KEY_FORMAT_INVALID',
  'RESOLUTION_DENIED',
  'PROVIDER_REQUEST_FAILED',
  'ENDPOINT_REFUSED',
  'REDIRECT_REFUSED',
  'RESPONSE_TOO_LARGE',
  'RESPONSE_TIMEOUT',
  'VAULT_CLOSED',
  'ACCESS_KEY_INVALID',
  'ACCESS_KEY_FORBIDDEN',
  'QUOTA_EXCEEDED',
  'BYOK_NOT_ENTITLED',
] as const;

/** One of {@link BYOKIT_ERROR_CODES}. */
export type ByokitErrorCode = (typeof BYOKIT_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(BYOKIT_ERROR_CODES);

/**
 * Whether `error` is a byokit error (optionally with `code`). Checks the
 * code, not only the class: an adapter loaded as CommonJS and a vault loaded
 * as ESM hold two copies of each class, and `instanceof` fails across them.
 */
export function isByokitError<C extends ByokitErrorCode>(
  error: unknown,
  code?: C,
): error is ByokitError & {
  /** The code asked for, when one was. */
  code: C;
} {
  if (!(error instanceof Error)) return false;
  const actual = (error as { code?: unknown }).code;
  const known = error instanceof ByokitError || (typeof actual === 'string' && CODES.has(actual));
  return known && (code === undefined || actual === code);
}

/** Options every byokit error accepts. */
export interface ByokitErrorOptions {
  /** The underlying error, kept for debugging (already scrubbed of secrets by the thrower). */
  cause?: unknown;
}

/**
 * Base class of every error byokit throws on purpose.
 *
 * @example
 * ```ts
 * try { await admin.setKey(id, input) }
 * catch (e) { if (e instanceof ByokitError && e.code === 'KEY_FORMAT_INVALID') ... }
 * ```
 */
export class ByokitError extends Error {
  /** Stable, machine-readable code. Never changes for a given kind of failure. */
  readonly code: ByokitErrorCode;

  constructor(code: ByokitErrorCode, message: string, options?: ByokitErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem found in the input, named by its path; never carries the input value. */
export interface ValidationIssue {
  /** The field, dotted (`options.deployment`), or `(input)`. */
  path: string;
  /** The rule it broke; never the value. */
  message: string;
}

/** Input failed validation; nothing was written. */
export class ValidationError extends ByokitError {
  /** Every problem found, not only the first. */
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) {
    super('VALIDATION_FAILED', message);
    this.issues = Object.freeze([...issues]);
  }
}

/** The config (or other record) does not exist for this tenant. */
export class NotFoundError extends ByokitError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A uniqueness rule or a compare-and-swap failed; nothing was written. */
export class ConflictError extends ByokitError {
  constructor(code: 'NAME_TAKEN' | 'CONCURRENT_UPDATE', message: string) {
    super(code, message);
  }
}

/** The actor is not allowed to perform the action; nothing was written. */
export class PermissionError extends ByokitError {
  /** The permission the actor lacks (`config:write`, `key:manage`, ...). */
  readonly permission: string;
  constructor(permission: string, message: string) {
    super('PERMISSION_DENIED', message);
    this.permission = permission;
  }
}

/**
 * A sealed value failed to open. The crypto layer uses `DECRYPTION_FAILED`
 * and says nothing about why (wrong key, tampering and corruption look the
 * same); the vault reports a stored key it cannot open as
 * `KEY_UNDECRYPTABLE` ("re-enter this key").
 */
export class DecryptionError extends ByokitError {
  constructor(code: 'DECRYPTION_FAILED' | 'KEY_UNDECRYPTABLE', message: string, options?: ByokitErrorOptions) {
    super(code, message, options);
  }
}

/** Resolution found no usable key and the fallback policy allows no platform key. */
export class NoKeyError extends ByokitError {
  /** Each step resolution considered, for logs and support (no key material). */
  readonly trace: readonly TraceEntry[];
  constructor(message: string, trace: readonly TraceEntry[] = []) {
    super('NO_KEY', message);
    this.trace = trace;
  }
}

/** The keyring (master keys) is malformed or lacks a needed key. */
export class KeyringError extends ByokitError {
  constructor(code: 'KEYRING_INVALID' | 'KEK_UNKNOWN', message: string) {
    super(code, message);
  }
}

/**
 * A storage adapter is incomplete (`ADAPTER_INVALID`), a storage call failed
 * (`STORE_FAILED`), or the store returned a record of another tenant or id
 * than the one asked for (`RECORD_MISMATCH`: a row copied or moved behind
 * the adapter; the vault refuses it rather than open or show it).
 */
export class StoreError extends ByokitError {
  constructor(
    code: 'ADAPTER_INVALID' | 'STORE_FAILED' | 'RECORD_MISMATCH',
    message: string,
    options?: ByokitErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** A provider problem: unknown provider, missing SDK package, bad key format, failed call. */
export class ProviderError extends ByokitError {
  constructor(
    code:
      | 'PROVIDER_UNKNOWN'
      | 'PROVIDER_MISMATCH'
      | 'PROVIDER_SDK_MISSING'
      | 'KEY_FORMAT_INVALID'
      | 'PROVIDER_REQUEST_FAILED',
    message: string,
    options?: ByokitErrorOptions,
  ) {
    super(code, message, options);
  }
}

/**
 * The resolution's provider can't produce the client the caller expects
 * (e.g. `expect: 'anthropic'`, but the tenant's custom endpoint routes
 * Anthropic traffic and gives an OpenAI-compatible client). Code
 * `PROVIDER_MISMATCH`.
 */
export class ProviderMismatchError extends ProviderError {
  /** The expectation passed to `createClient`. */
  readonly expected: string;
  /** The resolution's provider. */
  readonly actual: string;
  constructor(expected: string, actual: string, configName?: string | null) {
    const where = configName ? ` (config "${configName}")` : '';
    super(
      'PROVIDER_MISMATCH',
      byokitMessage('providers', `expected a "${expected}" client but the resolution is for "${actual}"${where}; `) +
        `check resolution.provider before building, or expect a client that provider can build`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A structured credential (AWS keys, a Google service account, an Entra
 * app) that does not match its provider's schema. Code `KEY_FORMAT_INVALID`,
 * like a key of the wrong shape; `issues` names each bad field (e.g.
 * `secretAccessKey`) with what is wrong, never its value.
 */
export class CredentialInvalidError extends ProviderError {
  /** Every bad field (at most 20), by dotted path (`serviceAccount.private_key`, or `(credential)` for the whole); never its value. */
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[]) {
    super('KEY_FORMAT_INVALID', message);
    this.issues = Object.freeze([...issues]);
  }
}

/** The host's guard hook refused this resolution (quota, plan, allow-list). */
export class ResolutionDeniedError extends ByokitError {
  /** The guard's reason. */
  readonly reason: string;
  constructor(reason: string) {
    super('RESOLUTION_DENIED', byokitMessage('resolve', `resolution denied: ${reason}`));
    this.reason = reason;
  }
}

/** The codes of {@link NetworkError}. */
export const NETWORK_ERROR_CODES = [
  'ENDPOINT_REFUSED',
  'REDIRECT_REFUSED',
  'RESPONSE_TOO_LARGE',
  'RESPONSE_TIMEOUT',
] as const satisfies readonly ByokitErrorCode[];

/** One of {@link NETWORK_ERROR_CODES}. */
export type NetworkErrorCode = (typeof NETWORK_ERROR_CODES)[number];

/**
 * byokit's guarded transport stopped a request that carries a key:
 * `ENDPOINT_REFUSED` (the URL, or an address its host resolved to, is not
 * allowed by the endpoint policy), `REDIRECT_REFUSED` (the endpoint answered
 * with a redirect, which a key never follows), `RESPONSE_TOO_LARGE` /
 * `RESPONSE_TIMEOUT` (a validation answer went past its size or time bound).
 * Thrown from the `fetch` byokit hands each SDK, so an SDK may wrap it (find
 * it in the `cause` chain).
 */
export class NetworkError extends ByokitError {
  /** The HTTP status that was received (the redirect's, for `REDIRECT_REFUSED`). */
  readonly httpStatus: number | undefined;
  constructor(code: NetworkErrorCode, message: string, options?: ByokitErrorOptions & { httpStatus?: number }) {
    super(code, message, options);
    this.httpStatus = options?.httpStatus;
  }
}

/**
 * The vault was closed (`vault.close()`): it refuses further work, through
 * tenant handles made before the close too. Code `VAULT_CLOSED`.
 */
export class VaultClosedError extends ByokitError {
  constructor(operation: string) {
    super('VAULT_CLOSED', byokitMessage('vault', `the vault is closed; ${operation} refused`));
  }
}

/**
 * An access key was refused. `ACCESS_KEY_INVALID` (answer 401): unknown,
 * revoked, expired or malformed, one message for all, so the refusal never
 * tells an unknown key from a revoked one. `ACCESS_KEY_FORBIDDEN` (answer
 * 403): a valid key asked for a provider or model outside its allow-lists.
 * Neither carries any part of the presented key.
 */
export class AccessKeyError extends ByokitError {
  constructor(code: 'ACCESS_KEY_INVALID' | 'ACCESS_KEY_FORBIDDEN', message: string) {
    super(code, message);
  }
}

/**
 * An access key's quota is used up for the current window (answer 429,
 * with `Retry-After` from `resetAt`): `quota` says which (`requests` per
 * window, or the `tokens` budget), `limit` its size and `resetAt` (ISO time)
 * when the window ends.
 */
export class QuotaExceededError extends ByokitError {
  /** Which quota: resolutions (`requests`) or the token budget (`tokens`). */
  readonly quota: 'requests' | 'tokens';
  /** The quota's limit per window. */
  readonly limit: number;
  /** When the window ends and the quota resets (ISO date-time): the `Retry-After`. */
  readonly resetAt: string;
  constructor(quota: 'requests' | 'tokens', limit: number, resetAt: string) {
    super(
      'QUOTA_EXCEEDED',
      byokitMessage('access', `the access key's ${quota} quota of ${limit} is used up until ${resetAt}`),
    );
    this.quota = quota;
    this.limit = limit;
    this.resetAt = resetAt;
  }
}

/** The platform has not entitled this tenant to bring its own key for this provider; nothing was written. */
export class NotEntitledError extends ByokitError {
  constructor(message: string) {
    super('BYOK_NOT_ENTITLED', message);
  }
}
