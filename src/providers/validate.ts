/**
 * Live key validation and secret scrubbing. A provider's error can carry the
 * key back to us (an echoing proxy, a URL with `?key=`, a header dump), so
 * everything that leaves this module as text is scrubbed of the key and of
 * any run of more than four of its characters.
 *
 * @module
 */
import { ByokitError, ProviderError } from '../errors.js';
import type { ValidationStatus } from '../store/types.js';
import { requireKey } from './call-input.js';
import type { KeyValidationResult, ProviderCallInput, ProviderDescriptor } from './types.js';

/** Runs of the key this long or longer are removed; four characters are what a hint shows. */
const MIN_SECRET_RUN = 5;
/** Longest `detail` a validation result carries. */
const MAX_DETAIL_LENGTH = 300;
/** How deep a cause chain is followed (guards against cycles and absurd chains). */
const MAX_CAUSE_DEPTH = 8;
const REDACTED = '[redacted]';

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

/**
 * `text` with `key` removed, along with every run of more than four
 * consecutive characters of the key (raw or URL-encoded), so neither the key
 * nor a recognisable part of it survives. Hint-sized pieces (four characters)
 * are kept on purpose: the hint is public.
 *
 * @example
 * ```ts
 * scrubSecret('bad key sk-proj-abcdef123456 (abcdef1...)', 'sk-proj-abcdef123456') // 'bad key [redacted] ([redacted]...)'
 * ```
 */
export function scrubSecret(text: string, key: string): string {
  if (typeof text !== 'string' || text.length === 0 || typeof key !== 'string' || key.length === 0) return text;
  let result = text;
  const variants = new Set([key, encodeURIComponent(key)]);
  for (const variant of variants) {
    result = variant.length < MIN_SECRET_RUN ? result.split(variant).join(REDACTED) : removeRuns(result, variant);
  }
  return result;
}

/** Replaces every maximal run of `secret`'s substrings (length >= MIN_SECRET_RUN) in `text`. */
function removeRuns(text: string, secret: string): string {
  const grams = new Set<string>();
  for (let i = 0; i + MIN_SECRET_RUN <= secret.length; i++) grams.add(secret.slice(i, i + MIN_SECRET_RUN));
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (i + MIN_SECRET_RUN <= text.length && grams.has(text.slice(i, i + MIN_SECRET_RUN))) {
      let end = i + MIN_SECRET_RUN;
      while (end < text.length && secret.includes(text.slice(i, end + 1))) end++;
      out += REDACTED;
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/**
 * An HTTP error response from a provider, for descriptors built on `fetch`
 * (no SDK). Throw it from `validateKey` and {@link runKeyValidation} maps its
 * `status` like an SDK error's. Put no request headers in `message`.
 *
 * @example
 * ```ts
 * const res = await fetch(`${baseUrl}/v1/voices`, { headers: { 'xi-api-key': apiKey } });
 * if (!res.ok) throw new ProviderHttpError(res.status, await res.text());
 * ```
 */
export class ProviderHttpError extends Error {
  /** The HTTP status the provider answered with. */
  readonly status: number;
  constructor(status: number, body: string) {
    super(`HTTP ${status}${body ? `: ${oneLine(body)}` : ''}`);
    this.name = 'ProviderHttpError';
    this.status = status;
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
  return new ProviderError('PROVIDER_REQUEST_FAILED', `[byokit] [providers] ${context}: ${reason}`, cause ? { cause } : undefined);
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
    const candidate = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
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
 * Maps a thrown SDK or fetch error to a typed result: 401/403 `invalid_key`,
 * 429 `rate_limited`, no response `unreachable`, anything else `unexpected`.
 * The `detail` is the scrubbed, capped error message.
 */
export function classifyValidationError(error: unknown, key: string): KeyValidationResult {
  const message = typeof error === 'object' && error !== null && typeof (error as Error).message === 'string' ? (error as Error).message : String(error);
  const detail = scrubDetail(message, key);
  const httpStatus = httpStatusOf(error);
  if (httpStatus !== undefined) {
    if (httpStatus === 401 || httpStatus === 403) return { status: 'invalid_key', httpStatus, detail };
    if (httpStatus === 429) return { status: 'rate_limited', httpStatus, detail };
    return { status: 'unexpected', httpStatus, detail };
  }
  if (isConnectionFailure(error)) return { status: 'unreachable', detail };
  return { status: 'unexpected', detail };
}

/** A result a descriptor returned, checked and scrubbed: unknown statuses become `unexpected`. */
function scrubResult(result: KeyValidationResult, key: string): KeyValidationResult {
  const status: ValidationStatus = STATUSES.has(result?.status) ? result.status : 'unexpected';
  const out: KeyValidationResult = { status };
  if (typeof result?.httpStatus === 'number') out.httpStatus = result.httpStatus;
  if (typeof result?.detail === 'string' && result.detail.length > 0) out.detail = scrubDetail(result.detail, key);
  return out;
}

/**
 * Runs a descriptor's live check and returns a typed, scrubbed result; it
 * never throws for provider-side failures. Throws only for a missing key
 * (`KEY_FORMAT_INVALID`, a caller bug). A descriptor without `validateKey`
 * gives `unexpected` with a detail saying so.
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
export async function runKeyValidation(descriptor: ProviderDescriptor, input: ProviderCallInput): Promise<KeyValidationResult> {
  const key = requireKey(input, descriptor.label);
  if (!descriptor.validateKey) {
    return { status: 'unexpected', detail: `${descriptor.label} has no live validation call` };
  }
  return liveCheck(key, () => descriptor.validateKey!(input));
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
      return { status: 'forbidden_model', httpStatus, detail: `model "${model}" not found or not available to this key` };
    }
    throw error;
  }
}
