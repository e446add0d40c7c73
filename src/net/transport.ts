/**
 * What a provider descriptor is handed to reach the network with a key:
 * the guarded `fetch` for its SDK, a way to guard the host's own fetch, and
 * an up-front URL check for SDKs that take no `fetch`.
 *
 * @module
 */
import { NetworkError } from '../errors.js';
import { checkEndpoint } from './endpoint-policy.js';
import { createGuardedFetch, type FetchFunction, type GuardedFetchOptions } from './guarded-fetch.js';
import { parseIpLiteral } from './ip-address.js';
import { checkResolvedNow, endpointRefused, systemLookupAll } from './resolved-addresses.js';

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
}

/** Builds a {@link Transport}; `options.base` is the host's fetch, wrapped by `fetch`. */
export function createTransport(options: GuardedFetchOptions): Transport {
  const { base, ...guard } = options;
  return {
    fetch: createGuardedFetch(options),
    wrap: (other) => createGuardedFetch({ ...guard, base: other }),
    async check(url, { resolve = false } = {}) {
      const report = (error: NetworkError): never => {
        guard.onIncident?.(error);
        throw error;
      };
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
    },
  };
}
