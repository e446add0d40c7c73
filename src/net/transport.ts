/**
 * What a provider descriptor is handed to reach the network with a key:
 * the guarded `fetch` for its SDK, a way to guard the host's own fetch, a
 * guarded WebSocket, and an up-front URL check for SDKs that take no
 * `fetch`.
 *
 * @module
 */
import type { NetworkError } from '../errors.js';
import { checkEndpoint } from './endpoint-policy.js';
import { createGuardedFetch, type FetchFunction, type GuardedFetchOptions } from './guarded-fetch.js';
import { parseIpLiteral } from './ip-address.js';
import {
  checkResolvedNow,
  connectTimeDispatcher,
  endpointRefused,
  loadUndici,
  systemLookupAll,
} from './resolved-addresses.js';

/**
 * The network access byokit gives a descriptor (`ProviderCallInput.transport`).
 * Every request that carries the key must go through `fetch` (or a fetch
 * from `wrap`): it checks each URL against the endpoint policy, never
 * follows a redirect, and bounds a validation's answers.
 */
export interface Transport {
  /** The guarded fetch: pass it as the SDK's `fetch` option. */
  readonly fetch: FetchFunction;
  /** The same guard around another fetch (a host's, or an SDK's HTTP client). */
  wrap(base: FetchFunction): FetchFunction;
  /**
   * Checks `url` now, for an SDK that can't take a `fetch`: the policy,
   * and with `resolve`, the addresses its host resolves to (where DNS
   * exists). Throws `ENDPOINT_REFUSED`.
   */
  check(url: string, options?: { resolve?: boolean }): Promise<void>;
  /**
   * Opens a WebSocket (`ws:`/`wss:`) under the same guard, for SDKs that
   * stream over one (undici's WebSocket, Node only): the URL as `http(s):`
   * and without its query (where SDKs put the key) passes the endpoint
   * policy, and every connection checks IP literals and what a name
   * resolves to; no redirect is followed. Throws `ENDPOINT_REFUSED`.
   */
  openWebSocket(url: string, headers?: Record<string, string>): Promise<WebSocket>;
}

/** Builds a {@link Transport}; `options.base` is the host's fetch, wrapped by `fetch`. */
export function createTransport(options: GuardedFetchOptions): Transport {
  const { base, ...guard } = options;
  const report = (error: NetworkError): never => {
    guard.onIncident?.(error);
    throw error;
  };
  const check: Transport['check'] = async (url, { resolve = false } = {}) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return report(endpointRefused('a request', 'not a valid URL'));
    }
    const refusal = await checkEndpoint(guard.policy, parsed, guard.request);
    if (refusal !== null) report(endpointRefused(parsed.origin, refusal));
    if (resolve && parseIpLiteral(parsed.hostname.replace(/^\[|\]$/g, '')) === null) {
      const lookup = guard.lookupAll ?? systemLookupAll();
      const resolved = lookup ? await checkResolvedNow(guard.policy.rule, parsed.hostname, lookup) : null;
      if (resolved !== null) report(endpointRefused(parsed.origin, resolved));
    }
  };
  return {
    fetch: createGuardedFetch(options),
    wrap: (other) => createGuardedFetch({ ...guard, base: other }),
    check,
    async openWebSocket(url, headers = {}) {
      // The same URL as http(s), without the query: what the policy is asked about.
      const asHttp = url.replace(/^ws(s?):/i, 'http$1:').replace(/[?#].*$/s, '');
      if (!/^wss?:/i.test(url))
        return report(endpointRefused('a request', 'only ws and wss WebSocket URLs are allowed'));
      const dispatcher = await connectTimeDispatcher(guard.policy.rule, guard.lookupAll);
      // With byokit's dispatcher every connection is checked; without it (a host's egress proxy), the names now.
      await check(asHttp, { resolve: dispatcher === null });
      const undici = await loadUndici();
      if (!undici) return report(endpointRefused(new URL(asHttp).origin, 'a guarded WebSocket needs Node and undici'));
      return new undici.WebSocket(url, { headers, ...(dispatcher ? { dispatcher } : {}) });
    },
  };
}
