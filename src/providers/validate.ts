/**
 * Live key validation and secret scrubbing. A provider's answer can carry
 * the key back to us (an echoing proxy, a URL with `?key=`, a header dump),
 * so a validation's `detail` is never provider text: it is our own fixed
 * wording plus, at most, an HTTP status and a short provider error code
 * that survives the scrub. Errors that keep provider text in their cause
 * chain are scrubbed of the key in every encoding {@link scrubSecret} knows.
 *
 * @module
 */
import { ByokitError, ProviderError, ValidationError } from '../errors.js';
import { networkPolicy, type NetworkPolicy, type NetworkPolicyOptions } from '../net/endpoint-policy.js';
import type { Transport } from '../net/transport.js';
import type { ValidationStatus } from '../store/types.js';
import { requireKey } from './call-input.js';
import { scrubSecret } from './scrub-secret.js';
import type { KeyValidationResult, ProviderCallInput, ProviderDescriptor } from './types.js';
import { withValidationBounds, type ValidationBounds } from './validation-bounds.js';

export { scrubSecret };

/** Longest `detail` a validation result carries. */
const MAX_DETAIL_LENGTH = 300;
/** How deep a cause chain is followed (guards against cycles and absurd chains). */
const MAX_CAUSE_DEPTH = 8;
/**
 * What a provider error code may look like to be kept and shown: a short
 * identifier of letters, `_`, `.` and `-` (`invalid_api_key`,
 * `API_KEY_INVALID`, `ECONNREFUSED`), or a number of at most five digits
 * (Azure's `"401"`). No digits mixed with letters: hex, base32 or base64 of
 * a key, or a reversed key, would otherwise pass as a "code"; five digits
 * carry too little of a key to matter.
 */
const ERROR_CODE = /^(?:[A-Za-z][A-Za-z_.-]{0,39}|[0-9]{1,5})$/;

const STATUSES: ReadonlySet<ValidationStatus> = new Set([
  'valid',
  'invalid_key',
  'forbidden_model',
  'rate_limited',
  'unreachable',
  'unexpected',
]);

/** Error codes (Node, undici, TLS) that mean the endpoint was never reached or never answered. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Error class names the SDKs use for "no HTTP response" (connection failures and timeouts). */
const CONNECTION_ERROR_NAMES = new Set([
  'APIConnectionError', // openai, @anthropic-ai/sdk
  'APIConnectionTimeoutError', // openai, @anthropic-ai/sdk
  'ConnectionError', // @mistralai/mistralai
  'RequestTimeoutError', // @mistralai/mistralai
  'CohereTimeoutError', // cohere-ai
  'TimeoutError', // AbortSignal.timeout()
]);

/** The first short identifier among `candidates` (provider error codes, reasons, types). */
function firstIdentifier(candidates: readonly unknown[]): string | undefined {
  for (const candidate of candidates) if (typeof candidate === 'string' && ERROR_CODE.test(candidate)) return candidate;
  return undefined;
}

/**
 * The provider's error code in a JSON error body (`error.details[].reason`,
 * `error.status`, `error.code`, `error.type`, `code`, `type`), if it is a
 * short identifier. @internal Also read by the outcome observer.
 */
export function errorCodeInBody(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const top = parsed as { error?: unknown; code?: unknown; type?: unknown };
  const error = (typeof top.error === 'object' && top.error !== null ? top.error : {}) as {
    details?: unknown;
    status?: unknown;
    code?: unknown;
    type?: unknown;
  };
  const reasons = Array.isArray(error.details)
    ? error.details.map((detail) => (detail as { reason?: unknown } | null)?.reason)
    : [];
  return firstIdentifier([...reasons, error.status, error.code, error.type, top.code, top.type]);
}

/**
 * An HTTP error response from a provider, for descriptors built on `fetch`
 * (no SDK). Throw it from `validateKey` and {@link runKeyValidation} maps its
 * `status` like an SDK error's. The body is not kept: only the provider's
 * error code, when the body is JSON and the code a short identifier
 * (`providerCode`, e.g. `API_KEY_INVALID`), so no echoed key can ride along.
 *
 * @example
 * ```ts
 * const res = await input.transport.fetch(`${baseUrl}/v1/voices`, { headers: { 'xi-api-key': apiKey } });
 * if (!res.ok) throw new ProviderHttpError(res.status, await res.text());
 * ```
 */
export class ProviderHttpError extends Error {
  /** The HTTP status the provider answered with. */
  readonly status: number;
  /** The provider's error code from a JSON body, if it is a short identifier. */
  readonly providerCode: string | undefined;
  constructor(status: number, body: string) {
    const providerCode = typeof body === 'string' ? errorCodeInBody(body) : undefined;
    super(`HTTP ${status}${providerCode ? ` (${providerCode})` : ''}`);
    this.name = 'ProviderHttpError';
    this.status = status;
    this.providerCode = providerCode;
  }
}

/**
 * A copy of a thrown error that keeps its name, scrubbed message and stack,
 * HTTP status and code, and nothing else (no request, headers, body or
 * response objects the SDK may have attached).
 */
class ScrubbedError extends Error {
  // `declare`: no own `undefined` fields cluttering util.inspect output.
  /** HTTP status of the original error, where it had one. */
  declare status?: number;
  /** `code` of the original error (e.g. `ECONNREFUSED`), scrubbed. */
  declare code?: string;
}

function scrubChain(error: unknown, key: string, depth: number, seen: Set<unknown>): Error | undefined {
  if (error === undefined || error === null || depth > MAX_CAUSE_DEPTH || seen.has(error)) return undefined;
  seen.add(error);
  if (typeof error !== 'object') {
    return new ScrubbedError(scrubSecret(String(error), key));
  }
  const source = error as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; cause?: unknown };
  const message = typeof source.message === 'string' ? source.message : '';
  const copy = new ScrubbedError(scrubSecret(message, key));
  copy.name = typeof source.name === 'string' ? scrubSecret(source.name, key) : 'Error';
  copy.stack = typeof source.stack === 'string' ? scrubSecret(source.stack, key) : `${copy.name}: ${copy.message}`;
  const status = httpStatusOf(error, false);
  if (status !== undefined) copy.status = status;
  if (typeof source.code === 'string') copy.code = scrubSecret(source.code, key);
  const cause = scrubChain(source.cause, key, depth + 1, seen);
  if (cause) Object.defineProperty(copy, 'cause', { value: cause, writable: true, configurable: true });
  return copy;
}

/**
 * Wraps any thrown value into a `PROVIDER_REQUEST_FAILED` {@link ProviderError}
 * that carries no key: the message, the stack and every error of the cause
 * chain are copied with {@link scrubSecret} applied, and SDK-attached objects
 * (requests, headers, responses) are dropped. `context` says what was being
 * done, e.g. `'building the OpenAI client'`.
 *
 * @example
 * ```ts
 * try { await sdkCall() } catch (e) { throw scrubError(e, apiKey, 'calling Acme Voice') }
 * ```
 */
export function scrubError(error: unknown, key: string, context = 'provider call failed'): ProviderError {
  const cause = scrubChain(error, key, 0, new Set());
  const reason = cause ? oneLine(cause.message) : 'unknown error';
  return new ProviderError(
    'PROVIDER_REQUEST_FAILED',
    `[byokit] [providers] ${context}: ${reason}`,
    cause ? { cause } : undefined,
  );
}

/** True when `error` (or an error in its cause chain) already mentions no part of `key`. */
function isClean(error: ByokitError, key: string): boolean {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth <= MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object') return scrubSecret(String(current), key) === String(current);
    const { message, stack, cause } = current as { message?: unknown; stack?: unknown; cause?: unknown };
    for (const text of [message, stack]) {
      if (typeof text === 'string' && scrubSecret(text, key) !== text) return false;
    }
    current = cause;
  }
  return true;
}

/**
 * `error` itself when it is a byokit error that mentions no part of the key
 * (so typed errors like `PROVIDER_SDK_MISSING` keep their code), else a
 * scrubbed `PROVIDER_REQUEST_FAILED` wrapper from {@link scrubError}.
 */
export function toSafeError(error: unknown, key: string, context?: string): ByokitError {
  if (error instanceof ByokitError && isClean(error, key)) return error;
  return scrubError(error, key, context);
}

/**
 * The HTTP status an SDK error carries, under the names the SDKs use:
 * `status` (openai, @anthropic-ai/sdk, @google/genai), `statusCode`
 * (@mistralai/mistralai, cohere-ai), `status_code` (ollama). With
 * `followCauses`, the cause chain is searched too.
 */
export function httpStatusOf(error: unknown, followCauses = true): number | undefined {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth <= MAX_CAUSE_DEPTH; depth++) {
    const candidate = current as { status?: unknown; statusCode?: unknown; status_code?: unknown; cause?: unknown };
    for (const value of [candidate.status, candidate.statusCode, candidate.status_code]) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) return value;
    }
    if (!followCauses) return undefined;
    current = candidate.cause;
  }
  return undefined;
}

/** True when `error` says no HTTP response arrived: refused, DNS, reset, TLS or timeout. */
export function isConnectionFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth <= MAX_CAUSE_DEPTH; depth++) {
    const candidate = current as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof candidate.code === 'string' && CONNECTION_CODES.has(candidate.code)) return true;
    if (typeof candidate.name === 'string' && CONNECTION_ERROR_NAMES.has(candidate.name)) return true;
    if (candidate.name === 'TypeError' && candidate.message === 'fetch failed') return true;
    if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isConnectionFailure(inner))) return true;
    current = candidate.cause;
  }
  return false;
}

/** Collapses whitespace (SDK messages embed multi-line bodies) and caps the length. */
function oneLine(text: string, max = MAX_DETAIL_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** `text` scrubbed of `key`, on one line, capped: what a result's `detail` may hold. */
export function scrubDetail(text: string, key: string): string {
  return oneLine(scrubSecret(text, key));
}

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

const REASONS: ReadonlySet<string> = new Set(['endpoint_refused', 'redirect_refused', 'response_too_large', 'timeout']);

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
    new ValidationError(`[byokit] [providers] runKeyValidation: ${path} ${message}`, [{ path, message }]);
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
