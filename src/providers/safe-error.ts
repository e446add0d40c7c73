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

/**
 * `error` itself when it is a byokit error that mentions no part of the key
 * (so typed errors like `PROVIDER_SDK_MISSING` keep their code), else a
 * scrubbed `PROVIDER_REQUEST_FAILED` wrapper from {@link scrubError}.
 */
export function toSafeError(error: unknown, key: string, context?: string): ByokitError {
  if (error instanceof ByokitError && isClean(error, key)) return error;
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
