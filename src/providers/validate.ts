/**
 * Live key validation. A provider's answer can carry the key back to us (an
 * echoing proxy, a URL with `?key=`, a header dump), so a validation's
 * `detail` is never provider text: it is our own fixed wording plus, at
 * most, an HTTP status and a short provider error code that survives the
 * scrub (`safe-error.ts` scrubs errors; `error-chain.ts` reads them).
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { networkPolicy, type NetworkPolicy, type NetworkPolicyOptions } from '../net/endpoint-policy.js';
import type { Transport } from '../net/transport.js';
import { VALIDATION_STATUSES, type ValidationStatus } from '../values.js';
import { requireKey } from './call-input.js';
import { firstIdentifier, httpStatusOf, isConnectionFailure, MAX_CAUSE_DEPTH } from './error-chain.js';
import { scrubDetail } from './safe-error.js';
import { scrubSecret } from './scrub-secret.js';
import {
  VALIDATION_FAILURE_REASONS,
  type KeyValidationResult,
  type ProviderCallInput,
  type ProviderDescriptor,
} from './types.js';
import { withValidationBounds, type ValidationBounds } from './validation-bounds.js';
import { byokitMessage } from '../message.js';

const STATUSES: ReadonlySet<ValidationStatus> = new Set(VALIDATION_STATUSES);

/**
 * The provider's (or the network's) error code carried by `error` or its
 * causes, where it is a short identifier that survives {@link scrubSecret}
 * (no run of five characters of the key, forwards or reversed, in any case):
 * `invalid_api_key`, `authentication_error`, `API_KEY_INVALID`,
 * `ECONNREFUSED`. Never free text.
 */
function errorCodeOf(error: unknown, key: string): string | undefined {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth <= MAX_CAUSE_DEPTH; depth++) {
    const source = current as {
      providerCode?: unknown;
      code?: unknown;
      type?: unknown;
      error?: unknown;
      cause?: unknown;
    };
    const nested = (typeof source.error === 'object' && source.error !== null ? source.error : {}) as {
      code?: unknown;
      type?: unknown;
      error?: unknown;
    };
    const inner = (typeof nested.error === 'object' && nested.error !== null ? nested.error : {}) as {
      code?: unknown;
      type?: unknown;
    };
    const code = firstIdentifier([
      source.providerCode,
      inner.type,
      inner.code,
      source.code,
      nested.code,
      source.type,
      nested.type,
    ]);
    if (code !== undefined && code !== 'error' && scrubSecret(code, key) === code) return code;
    current = source.cause;
  }
  return undefined;
}

/**
 * Maps a thrown SDK or fetch error to a typed result: 401/403 `invalid_key`,
 * 429 `rate_limited`, no response `unreachable`, anything else `unexpected`.
 * The `detail` is our own wording with the HTTP status and the provider's
 * error code (a short identifier that survives the scrub); no provider
 * message or body is ever copied into it.
 */
export function classifyValidationError(error: unknown, key: string): KeyValidationResult {
  const code = errorCodeOf(error, key);
  const httpStatus = httpStatusOf(error);
  if (httpStatus !== undefined) {
    const status = `HTTP ${httpStatus}${code ? `, ${code}` : ''}`;
    if (httpStatus === 401 || httpStatus === 403)
      return { status: 'invalid_key', httpStatus, detail: `the provider refused the key (${status})` };
    if (httpStatus === 429)
      return { status: 'rate_limited', httpStatus, detail: `the provider is rate limiting this key (${status})` };
    return { status: 'unexpected', httpStatus, detail: `unexpected answer from the provider (${status})` };
  }
  const suffix = code ? ` (${code})` : '';
  if (isConnectionFailure(error))
    return { status: 'unreachable', detail: `the endpoint could not be reached${suffix}` };
  return { status: 'unexpected', detail: `the validation call failed${suffix}` };
}

const REASONS: ReadonlySet<string> = new Set(VALIDATION_FAILURE_REASONS);

/** A result a descriptor returned, checked and scrubbed: unknown statuses become `unexpected`. */
function scrubResult(result: KeyValidationResult, key: string): KeyValidationResult {
  const status: ValidationStatus = STATUSES.has(result?.status) ? result.status : 'unexpected';
  const out: KeyValidationResult = { status };
  if (typeof result?.httpStatus === 'number') out.httpStatus = result.httpStatus;
  if (typeof result?.reason === 'string' && REASONS.has(result.reason)) out.reason = result.reason;
  if (typeof result?.detail === 'string' && result.detail.length > 0) out.detail = scrubDetail(result.detail, key);
  return out;
}

/** Options of {@link runKeyValidation}. */
export interface KeyValidationOptions extends NetworkPolicyOptions, ValidationBounds {
  /** The tenant whose key is checked, as the endpoint policy is told. */
  tenantId?: string;
}

/**
 * Runs a descriptor's live check and returns a typed, scrubbed result; it
 * never throws for provider-side failures. Throws only for a missing key
 * (`KEY_FORMAT_INVALID`, a caller bug). A descriptor without `validateKey`
 * gives `unexpected` with a detail saying so.
 *
 * The check runs through a guarded transport (`input.transport`): every
 * URL passes the endpoint policy (by default public addresses only; widen
 * it with `allowPrivateEndpoints`), no redirect is followed, and the whole
 * check is bounded (`timeoutMs`, default 10 s, headers and bodies;
 * `maxResponseBytes`, default 64 KiB per answer). A refusal or a bound
 * gives a result with a `reason`.
 *
 * The vault calls this from `tenant.validateKey(configId)`; hosts may call it
 * directly.
 *
 * @example
 * ```ts
 * const result = await runKeyValidation(getProvider(builtinProviders, 'openai'), {
 *   apiKey, baseUrl: null, model: 'gpt-4o-mini', options: {},
 * });
 * if (result.status === 'invalid_key') ...
 * ```
 */
export async function runKeyValidation(
  descriptor: ProviderDescriptor,
  input: ProviderCallInput,
  options: KeyValidationOptions = {},
): Promise<KeyValidationResult> {
  const invalid = (path: string, message: string) =>
    new ValidationError(byokitMessage('providers', `runKeyValidation: ${path} ${message}`), [{ path, message }]);
  if (typeof descriptor !== 'object' || descriptor === null || typeof descriptor.id !== 'string')
    throw invalid('descriptor', 'must be a provider descriptor');
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  return runValidationWith(descriptor, input, networkPolicy(options), options);
}

/** @internal {@link runKeyValidation} with a compiled policy (the vault's). */
export async function runValidationWith(
  descriptor: ProviderDescriptor,
  input: ProviderCallInput,
  policy: NetworkPolicy,
  options: { tenantId?: string } & ValidationBounds = {},
): Promise<KeyValidationResult> {
  const key = requireKey(input, descriptor.label);
  if (!descriptor.validateKey) {
    return { status: 'unexpected', detail: `${descriptor.label} has no live validation call` };
  }
  const request = { tenantId: options.tenantId ?? '', provider: descriptor.id, action: 'validateKey' as const };
  return withValidationBounds(key, input, policy, request, options, (transport) =>
    liveCheck(key, () => descriptor.validateKey!({ ...input, transport })),
  );
}

/**
 * Runs `check` and turns a throw into a typed result; scrubs what it returns.
 * Built-in descriptors wrap their `validateKey` in it so that calling the
 * descriptor directly is as safe as {@link runKeyValidation}.
 */
export async function liveCheck(key: string, check: () => Promise<KeyValidationResult>): Promise<KeyValidationResult> {
  try {
    return scrubResult(await check(), key);
  } catch (error) {
    return classifyValidationError(error, key);
  }
}

/**
 * @internal The body of a built-in `validateKey`: with the transport
 * {@link runKeyValidation} set, a {@link liveCheck} over it; called directly
 * (no transport), the same bounds and the default policy, so a descriptor
 * is never a way around them.
 */
export function guardedLiveCheck(
  descriptorId: string,
  label: string,
  input: ProviderCallInput,
  check: (transport: Transport) => Promise<KeyValidationResult>,
): Promise<KeyValidationResult> {
  const key = requireKey(input, label);
  if (input.transport) {
    const transport = input.transport;
    return liveCheck(key, () => check(transport));
  }
  const request = { tenantId: '', provider: descriptorId, action: 'validateKey' as const };
  return withValidationBounds(key, input, networkPolicy(), request, {}, (transport) =>
    liveCheck(key, () => check(transport)),
  );
}

/**
 * The second step of a validation when the config names a model: the key
 * was just proven, so a 403 or 404 from `retrieve` means this key can't use
 * this model (`forbidden_model`). Other failures are thrown to the caller's
 * {@link liveCheck}.
 */
export async function checkModelAccess(model: string, retrieve: () => Promise<unknown>): Promise<KeyValidationResult> {
  try {
    await retrieve();
    return { status: 'valid' };
  } catch (error) {
    const httpStatus = httpStatusOf(error);
    if (httpStatus === 403 || httpStatus === 404) {
      return {
        status: 'forbidden_model',
        httpStatus,
        detail: `model "${model}" not found or not available to this key`,
      };
    }
    throw error;
  }
}
