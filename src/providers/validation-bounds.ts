/**
 * The bounds of one live key validation: a deadline over the whole check
 * (every request's headers and body), a cap on the bytes of each answer,
 * and the guarded transport that enforces both along with the endpoint
 * policy. A refusal or a bound becomes a typed result, whatever the SDK
 * did with the error it was given.
 *
 * @module
 */
import type { NetworkError } from '../errors.js';
import type { EndpointRequest, NetworkPolicy } from '../net/endpoint-policy.js';
import type { FetchFunction } from '../net/guarded-fetch.js';
import { responseTimeout } from '../net/limited-response.js';
import { createTransport, type Transport } from '../net/transport.js';
import { VALIDATION_TIMEOUT_MS } from './call-input.js';
import { scrubSecret } from './scrub-secret.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { withoutMessagePrefix } from '../message.js';

/** Bytes of one validation answer read at most: model lists and error bodies are far smaller. */
export const MAX_VALIDATION_RESPONSE_BYTES = 64 * 1024;

/** Bounds of a validation; defaults 10 s and 64 KiB. */
export interface ValidationBounds {
  /** Deadline of the whole check, headers and bodies of every request, in ms. */
  timeoutMs?: number;
  /** Most bytes of one answer's body read. */
  maxResponseBytes?: number;
  /**
   * Hears each refusal and bound the transport enforced, with the full
   * reason (e.g. the class of address a host name resolved to), which the
   * result itself does not carry.
   */
  onIncident?: (error: NetworkError) => void;
}

/**
 * The `detail` of every endpoint refusal, whatever its cause (an address
 * class, the host's policy, a name that does not resolve): one wording, so
 * a tenant can't use validation to map the platform's internal DNS.
 */
const ENDPOINT_REFUSED_DETAIL = 'the endpoint is not allowed, or its host name could not be resolved';

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Our own message without its `[byokit] [net]` prefix, scrubbed: the detail of a refusal. */
function detailOf(error: NetworkError, key: string): string {
  return scrubSecret(withoutMessagePrefix(error.message), key).slice(0, 300);
}

/** The result a refusal or a bound gives, whatever the SDK made of the error. */
function incidentResult(error: NetworkError, key: string): KeyValidationResult {
  const detail = detailOf(error, key);
  const httpStatus = error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus };
  switch (error.code) {
    case 'ENDPOINT_REFUSED':
      return { status: 'unreachable', reason: 'endpoint_refused', detail: ENDPOINT_REFUSED_DETAIL };
    case 'REDIRECT_REFUSED':
      return { status: 'unexpected', ...httpStatus, reason: 'redirect_refused', detail };
    case 'RESPONSE_TOO_LARGE':
      return { status: 'unexpected', ...httpStatus, reason: 'response_too_large', detail };
    default:
      return { status: 'unreachable', reason: 'timeout', detail };
  }
}

/**
 * Runs `run` with a guarded, bounded transport (around the host's
 * `clientOptions.fetch`, if any) and returns its result, or the result of
 * the first refusal or bound the transport met.
 */
export async function withValidationBounds(
  key: string,
  input: ProviderCallInput,
  policy: NetworkPolicy,
  request: EndpointRequest,
  bounds: ValidationBounds,
  run: (transport: Transport) => Promise<KeyValidationResult>,
): Promise<KeyValidationResult> {
  const timeoutMs = positive(bounds.timeoutMs, VALIDATION_TIMEOUT_MS);
  const maxBytes = positive(bounds.maxResponseBytes, MAX_VALIDATION_RESPONSE_BYTES);
  let incident: NetworkError | null = null;
  const note = (error: NetworkError) => {
    incident ??= error;
    try {
      bounds.onIncident?.(error);
    } catch {
      // A host's listener never changes the result.
    }
  };
  const deadline = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      const error = responseTimeout(timeoutMs);
      note(error);
      deadline.abort(error);
      resolve(null);
    }, timeoutMs);
  });
  const hostFetch = input.clientOptions?.fetch;
  const transport = createTransport({
    policy,
    request,
    limits: { signal: deadline.signal, maxBytes },
    onIncident: note,
    ...(typeof hostFetch === 'function' ? { base: hostFetch as FetchFunction } : {}),
  });
  try {
    const outcome = await Promise.race([run(transport), expired]);
    const met = incident as NetworkError | null;
    if (met) return incidentResult(met, key);
    return outcome ?? incidentResult(responseTimeout(timeoutMs), key);
  } finally {
    clearTimeout(timer);
    // Anything still reading (an SDK that left a body open) stops here.
    if (!deadline.signal.aborted) deadline.abort(responseTimeout(timeoutMs));
  }
}
