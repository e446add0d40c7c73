/**
 * The guarded `fetch` every request carrying a key goes through: the URL
 * (scheme, host, literal address) passes the endpoint policy, the resolved
 * addresses pass the address rule (at connect time on Node), a redirect is
 * never followed, and a validation's answers are bounded in time and size.
 *
 * @module
 */
import { isByokitError, NETWORK_ERROR_CODES, NetworkError } from '../errors.js';
import { checkEndpoint, type EndpointRequest, type NetworkPolicy } from './endpoint-policy.js';
import { parseIpLiteral } from './ip-address.js';
import { limitResponse, type ResponseLimits } from './limited-response.js';
import { normalizeHost } from './address-class.js';
import {
  checkResolvedNow,
  connectTimeDispatcher,
  endpointRefused,
  refusedConnectionHost,
  systemLookupAll,
  type LookupAll,
} from './resolved-addresses.js';
import { byokitMessage } from '../message.js';

/** A `fetch`-compatible function (the global one, an SDK's, or a host's). */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createGuardedFetch}. */
export interface GuardedFetchOptions {
  policy: NetworkPolicy;
  /** Who is asking, passed to the host's endpoint policy with each URL. */
  request: EndpointRequest;
  /**
   * The host's own `fetch`, wrapped. Unset: the runtime's `fetch`, with the
   * connect-time address check on Node.
   */
  base?: FetchFunction;
  /** Bounds on every answer (validation). Unset: answers stream unbounded. */
  limits?: ResponseLimits;
  /** Hears every refusal and bound this fetch enforces, whatever the SDK does with the error. */
  onIncident?: (error: NetworkError) => void;
  /** @internal Replaces DNS (tests of the resolved-address checks). */
  lookupAll?: LookupAll;
}

/** Statuses `fetch` would follow: with a key attached, none is. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function anySignal(signals: (AbortSignal | null | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== null && signal !== undefined);
  if (present.length <= 1) return present[0];
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(present);
  const controller = new AbortController();
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

const NETWORK_CODES: ReadonlySet<string> = new Set(NETWORK_ERROR_CODES);

/**
 * A byokit network error anywhere in `error`'s cause chain (fetch wraps a
 * refused connection in a TypeError). By code, so a copy of the class from
 * another module format counts too.
 */
function networkErrorIn(error: unknown): NetworkError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (isByokitError(current) && NETWORK_CODES.has(current.code)) return current as NetworkError;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function redirectRefused(status: number | undefined, origin: string): NetworkError {
  return new NetworkError(
    'REDIRECT_REFUSED',
    byokitMessage(
      'net',
      `${origin} answered with a redirect${status ? ` (HTTP ${status})` : ', which the host fetch followed to a refused address'}; `,
    ) +
      'a request carrying a key never follows one. Check the base URL (scheme, host, path): it should name the API itself',
    status ? { httpStatus: status } : undefined,
  );
}

/**
 * A `fetch` that enforces the endpoint policy on every request. Refusals
 * throw a {@link NetworkError} (`ENDPOINT_REFUSED`, `REDIRECT_REFUSED`,
 * `RESPONSE_TOO_LARGE`, `RESPONSE_TIMEOUT`); SDKs may wrap it, so
 * `onIncident` also hears each one.
 */
export function createGuardedFetch(options: GuardedFetchOptions): FetchFunction {
  const { policy, request, base, limits, onIncident, lookupAll } = options;
  const fail = (error: NetworkError): never => {
    onIncident?.(error);
    throw error;
  };
  return async function guardedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    let url: URL;
    try {
      url = new URL(urlOf(input));
    } catch {
      return fail(endpointRefused('a request', 'not a valid URL'));
    }
    const refusal = await checkEndpoint(policy, url, request);
    if (refusal !== null) fail(endpointRefused(url.origin, refusal));

    const dispatcher = await connectTimeDispatcher(policy.rule, lookupAll);
    const host = url.hostname;
    // No connect-time check for a host's fetch (it may ignore our dispatcher)
    // or off Node: check the resolved addresses now, where DNS exists.
    if ((base !== undefined || dispatcher === null) && parseIpLiteral(host.replace(/^\[|\]$/g, '')) === null) {
      const lookup = lookupAll ?? systemLookupAll();
      const resolved = lookup ? await checkResolvedNow(policy.rule, host, lookup) : null;
      if (resolved !== null) fail(endpointRefused(url.origin, resolved));
    }

    const signal = anySignal([
      init?.signal,
      typeof input === 'object' && 'signal' in input ? input.signal : undefined,
      limits?.signal,
    ]);
    const guardedInit: RequestInit & { dispatcher?: object } = {
      ...init,
      redirect: 'manual',
      ...(signal === undefined ? {} : { signal }),
      ...(dispatcher === null ? {} : { dispatcher }),
    };
    let response: Response;
    try {
      response = await (base ?? globalThis.fetch)(input, guardedInit);
    } catch (error) {
      const typed = networkErrorIn(error) ?? (limits?.signal.aborted ? networkErrorIn(limits.signal.reason) : null);
      // A connection refused to another host than the one asked for: the host's fetch followed a redirect.
      const elsewhere = typed && refusedConnectionHost(typed);
      if (elsewhere && elsewhere !== normalizeHost(host)) fail(redirectRefused(undefined, url.origin));
      if (typed) fail(typed);
      throw error;
    }
    if (response.type === 'opaqueredirect' || REDIRECT_STATUSES.has(response.status) || response.redirected) {
      void response.body?.cancel().catch(() => undefined);
      fail(redirectRefused(response.status, url.origin));
    }
    return limits ? limitResponse(response, limits, (error) => onIncident?.(error)) : response;
  };
}
