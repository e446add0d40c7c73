/**
 * Reading what a provider's error says without keeping what it carries: the
 * HTTP status under each SDK's name for it, whether any answer arrived at
 * all, and the provider's short error code from a JSON body. Shared by live
 * key validation, the scrubbing of errors and the outcome observer.
 *
 * @module
 */

/** How deep a cause chain is followed (guards against cycles and absurd chains). */
export const MAX_CAUSE_DEPTH = 8;
/**
 * What a provider error code may look like to be kept and shown: a short
 * identifier of letters, `_`, `.` and `-` (`invalid_api_key`,
 * `API_KEY_INVALID`, `ECONNREFUSED`), or a number of at most five digits
 * (Azure's `"401"`). No digits mixed with letters: hex, base32 or base64 of
 * a key, or a reversed key, would otherwise pass as a "code"; five digits
 * carry too little of a key to matter.
 */
const ERROR_CODE = /^(?:[A-Za-z][A-Za-z_.-]{0,39}|[0-9]{1,5})$/;

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
export function firstIdentifier(candidates: readonly unknown[]): string | undefined {
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
