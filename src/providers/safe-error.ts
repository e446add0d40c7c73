/**
 * Turning any thrown value into an error that carries no key. A provider's
 * answer can carry the key back (an echoing proxy, a URL with `?key=`, a
 * header dump): every message, stack and cause is copied with
 * {@link scrubSecret} applied, and the objects SDKs attach (requests,
 * headers, responses) are dropped. Used wherever a key is in reach: client
 * construction, provider calls, validation.
 *
 * @module
 */
import { ByokitError, ProviderError } from '../errors.js';
import { httpStatusOf, MAX_CAUSE_DEPTH } from './error-chain.js';
import { scrubSecret } from './scrub-secret.js';
import { byokitMessage } from '../message.js';

/** Longest `detail` a validation result carries. */
const MAX_DETAIL_LENGTH = 300;
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
    byokitMessage('providers', `${context}: ${reason}`),
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

/** How deep the fields of a byokit error (its `issues`, its `trace`) are copied. */
const MAX_FIELD_DEPTH = 6;

/**
 * A field of a byokit error with every string in it scrubbed: plain objects
 * and arrays are copied, other objects (what an SDK might attach) dropped.
 */
function scrubField(value: unknown, key: string, depth: number): unknown {
  if (typeof value === 'string') return scrubSecret(value, key);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_FIELD_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item) => scrubField(item, key, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) copy[name] = scrubField(field, key, depth + 1);
  return copy;
}

/**
 * A copy of a byokit error of the same class, code and fields, with its
 * message, stack, string fields and cause chain scrubbed. Scrubbing removes
 * runs of five characters, so a stack's line numbers or a URL's port can
 * match a key by chance: the error keeps what it is either way.
 */
function scrubbedCopy(error: ByokitError, key: string): ByokitError {
  const copy = Object.create(Object.getPrototypeOf(error)) as ByokitError;
  for (const name of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (descriptor === undefined || !('value' in descriptor)) continue;
    const value =
      name === 'cause' ? scrubChain(descriptor.value, key, 1, new Set([error])) : scrubField(descriptor.value, key, 0);
    Object.defineProperty(copy, name, { ...descriptor, value });
  }
  // Where the runtime keeps `stack` as an accessor, it is read through it and kept as a value.
  if (!Object.hasOwn(copy, 'stack') && typeof error.stack === 'string') {
    Object.defineProperty(copy, 'stack', {
      value: scrubSecret(error.stack, key),
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/**
 * A byokit error stays what it is (typed errors like `ENDPOINT_REFUSED` or
 * `PROVIDER_SDK_MISSING` keep their class and code): `error` itself when it
 * mentions no part of the key, else a scrubbed copy. Any other thrown value
 * becomes a scrubbed `PROVIDER_REQUEST_FAILED` wrapper from {@link scrubError}.
 */
export function toSafeError(error: unknown, key: string, context?: string): ByokitError {
  if (error instanceof ByokitError) return isClean(error, key) ? error : scrubbedCopy(error, key);
  return scrubError(error, key, context);
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
