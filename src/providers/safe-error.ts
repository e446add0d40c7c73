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

/** How deep the fields of a byokit error (its `issues`, its `trace`, its causes) are looked at and copied. */
const MAX_FIELD_DEPTH = 8;

/** The fields {@link scrubChain} keeps of an error that is not byokit's. */
const KEPT_ERROR_FIELDS = new Set(['name', 'message', 'stack', 'status', 'code', 'cause']);

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Own data fields of an error, and `stack` also where the runtime keeps it as an accessor. */
function errorFields(error: Error): [string, unknown][] {
  const fields: [string, unknown][] = [];
  for (const name of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (descriptor && 'value' in descriptor) fields.push([name, descriptor.value]);
  }
  if (!fields.some(([name]) => name === 'stack') && typeof error.stack === 'string')
    fields.push(['stack', error.stack]);
  return fields;
}

/**
 * True when {@link scrubbedValue} would give `value` back unchanged: every
 * string and field name free of the key, no function or symbol, no object
 * other than plain ones, arrays and errors, and no field of a foreign error
 * that the scrubbed copy would drop (its headers, its request).
 */
function isClean(value: unknown, key: string, depth: number, seen: Set<unknown>): boolean {
  if (typeof value === 'string') return scrubSecret(value, key) === value;
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (typeof value !== 'object' || value === null || seen.has(value)) return true;
  if (depth > MAX_FIELD_DEPTH) return false;
  seen.add(value);
  const clean = (name: string, field: unknown) =>
    scrubSecret(name, key) === name && isClean(field, key, depth + 1, seen);
  if (value instanceof Error) {
    const fields = errorFields(value);
    if (!(value instanceof ByokitError) && fields.some(([name]) => !KEPT_ERROR_FIELDS.has(name))) return false;
    return fields.every(([name, field]) => clean(name, field));
  }
  if (Array.isArray(value)) return value.every((item) => isClean(item, key, depth + 1, seen));
  return isPlainObject(value) && Object.entries(value).every(([name, field]) => clean(name, field));
}

/**
 * `value` with the key scrubbed out of every string and field name: a byokit
 * error copied as one of its class, any other error as {@link scrubChain}
 * copies it, plain objects and arrays copied, and everything else (functions,
 * symbols, class instances an SDK attaches) dropped.
 */
function scrubbedValue(value: unknown, key: string, depth: number, seen: Set<unknown>): unknown {
  if (typeof value === 'string') return scrubSecret(value, key);
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_FIELD_DEPTH || seen.has(value)) return undefined;
  if (value instanceof ByokitError) return scrubbedCopy(value, key, depth, seen);
  if (value instanceof Error) return scrubChain(value, key, depth, seen);
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubbedValue(item, key, depth + 1, seen));
  if (!isPlainObject(value)) return undefined;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value))
    copy[scrubSecret(name, key)] = scrubbedValue(field, key, depth + 1, seen);
  return copy;
}

/**
 * A copy of a byokit error of the same class, code and fields, with its
 * message, stack, fields and cause chain scrubbed. Scrubbing removes runs of
 * five characters, so a stack's line numbers or a URL's port can match a key
 * by chance: the error keeps what it is either way.
 */
function scrubbedCopy(error: ByokitError, key: string, depth: number, seen: Set<unknown>): ByokitError {
  seen.add(error);
  const copy = Object.create(Object.getPrototypeOf(error)) as ByokitError;
  for (const [name, field] of errorFields(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    Object.defineProperty(copy, scrubSecret(name, key), {
      value: scrubbedValue(field, key, depth + 1, seen),
      writable: true,
      enumerable: descriptor?.enumerable ?? false,
      configurable: true,
    });
  }
  return copy;
}

/**
 * A byokit error stays what it is (typed errors like `ENDPOINT_REFUSED` or
 * `PROVIDER_SDK_MISSING` keep their class and code): `error` itself when no
 * string, field or cause of it holds a part of the key or an object an SDK
 * attached, else a scrubbed copy. Any other thrown value becomes a scrubbed
 * `PROVIDER_REQUEST_FAILED` wrapper from {@link scrubError}.
 */
export function toSafeError(error: unknown, key: string, context?: string): ByokitError {
  if (error instanceof ByokitError)
    return isClean(error, key, 0, new Set()) ? error : scrubbedCopy(error, key, 0, new Set());
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
