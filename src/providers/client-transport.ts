/**
 * What every client byokit builds for a resolution shares, whichever SDK it
 * is for (`createClient`, and `byokit/ai-sdk`'s providers): the key read out
 * of the resolution, refused when blank, and the one transport its requests
 * go through (the vault's endpoint policy, the host's own `fetch` wrapped
 * behind it, and the outcome observer when the vault closes the loop).
 *
 * @module
 */
import { ProviderError } from '../errors.js';
import { DEFAULT_NETWORK_POLICY, overridePolicy, type NetworkPolicyOptions } from '../net/endpoint-policy.js';
import type { FetchFunction } from '../net/guarded-fetch.js';
import { createTransport, type Transport } from '../net/transport.js';
import { observeTransport } from '../outcomes/observe-fetch.js';
import type { Resolution } from '../resolve/types.js';
import { clientContextOf } from './client-context.js';
import { scrubSecret } from './scrub-secret.js';
import { byokitMessage } from '../message.js';

/** @internal The fields of a resolution a client needs. */
export type KeyedSource = Pick<Resolution, 'provider' | 'key'>;

/** @internal The tenant's key, or a typed error: never a blank key an SDK would replace with one from the environment. */
export function readResolutionKey(source: KeyedSource): string {
  let key: unknown;
  try {
    key = source.key?.reveal();
  } catch {
    key = undefined;
  }
  // Several SDKs read a key from the environment when given none: never let
  // a missing tenant key turn into the platform's key.
  if (typeof key !== 'string' || key.trim().length === 0) {
    throw new ProviderError(
      'KEY_FORMAT_INVALID',
      byokitMessage('providers', 'the resolution carries no key; refusing to build a client'),
    );
  }
  return key;
}

/**
 * @internal The transport of a client for `source`: guarded by the
 * resolution's vault policy (fields of `network` replace it), around the
 * host's `hostFetch` if any, and observed when the vault has an outcome loop.
 * `endpoint` (the URL the client will call) is checked now, so a refused
 * one fails here with `ENDPOINT_REFUSED` rather than on the first request.
 */
export async function clientTransport(
  source: KeyedSource,
  apiKey: string,
  network: NetworkPolicyOptions,
  hostFetch: unknown,
  endpoint: string | null | undefined,
): Promise<Transport> {
  const context = clientContextOf(source);
  const policy = overridePolicy(context?.network ?? DEFAULT_NETWORK_POLICY, network);
  const guarded = createTransport({
    policy,
    request: { tenantId: context?.tenantId ?? '', provider: source.provider, action: 'request' },
    ...(typeof hostFetch === 'function' ? { base: hostFetch as FetchFunction } : {}),
  });
  // A vault with `onUsage` or key health on hears every response of the client it resolved.
  const sink = context?.outcomes;
  // Model ids and error codes repeat call after call: remember the few found safe.
  const safeTexts = new Set<string>();
  const transport = sink
    ? observeTransport(guarded, {
        report: (report) => sink.observe(source as Resolution, report, 'client'),
        failed: (error) => sink.observerFailed(error),
        safe: (text) => {
          if (safeTexts.has(text)) return true;
          if (scrubSecret(text, apiKey) !== text) return false;
          if (safeTexts.size < 32) safeTexts.add(text);
          return true;
        },
      })
    : guarded;
  if (endpoint) await transport.check(endpoint);
  return transport;
}
