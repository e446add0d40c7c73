/**
 * The endpoint policy as a whole: the built-in address rule, then the
 * host's own `endpointPolicy`. Both must allow a URL; the host's function
 * can only narrow what the address rule lets through (widen it with
 * `allowPrivateEndpoints`).
 *
 * @module
 */
import { AddressRule, invalidNetworkOption, type PrivateEndpoints, type Refusal } from './address-rule.js';
import { byokitMessage } from '../message.js';

/**
 * Why a URL is checked: it is about to be stored (`createConfig`,
 * `updateConfig`), called by a key validation (`validateKey`), or called by
 * a client `createClient` built (`request`).
 */
export type EndpointAction = 'createConfig' | 'updateConfig' | 'validateKey' | 'request';

/** What an endpoint policy is asked about. */
export interface EndpointRequest {
  /** The tenant whose key would travel (empty for a hand-built `createClient` source without one). */
  tenantId: string;
  /** The provider the key belongs to. */
  provider: string;
  /** Why the URL is checked: a config being created or updated, a validation, a client request. */
  action: EndpointAction;
}

/**
 * The host's own check of every URL a key travels to: base URLs before they
 * are stored, and each request URL of a validation or of a client
 * `createClient` built (provider defaults included). Return `true` to
 * allow. It runs after the built-in address rule, so it can only narrow
 * it. Keep it fast: it is asked once per request.
 *
 * @example
 * ```ts
 * const endpointPolicy: EndpointPolicy = (url) => url.protocol === 'https:' || url.hostname === 'ollama.internal';
 * ```
 */
export type EndpointPolicy = (url: URL, request: EndpointRequest) => boolean | Promise<boolean>;

/** The options that make up a network policy, as `createVault` and `createClient` take them. */
export interface NetworkPolicyOptions {
  /** Self-hosted endpoints to allow; see {@link PrivateEndpoints}. Default: none. */
  allowPrivateEndpoints?: PrivateEndpoints;
  /** The host's own URL check, after the address rule. */
  endpointPolicy?: EndpointPolicy;
}

/** A compiled network policy: the address rule plus the host's check. */
export interface NetworkPolicy {
  readonly rule: AddressRule;
  readonly endpointPolicy: EndpointPolicy | undefined;
}

/** The policy with no options: public addresses only. */
export const DEFAULT_NETWORK_POLICY: NetworkPolicy = Object.freeze({
  rule: AddressRule.from(undefined),
  endpointPolicy: undefined,
});

/** Compiles options into a policy; throws a `TypeError` for a malformed opt-in or a non-function policy. */
export function networkPolicy(options: NetworkPolicyOptions = {}): NetworkPolicy {
  const { allowPrivateEndpoints, endpointPolicy } = options;
  if (endpointPolicy !== undefined && typeof endpointPolicy !== 'function') {
    throw invalidNetworkOption(byokitMessage('net', '`endpointPolicy` must be a function (url, request) => boolean'));
  }
  if (allowPrivateEndpoints === undefined && endpointPolicy === undefined) return DEFAULT_NETWORK_POLICY;
  return Object.freeze({ rule: AddressRule.from(allowPrivateEndpoints), endpointPolicy });
}

/**
 * `base` with the fields of `override` that are set replacing its own
 * (how `createClient` options apply over a vault resolution's policy).
 */
export function overridePolicy(base: NetworkPolicy, override: NetworkPolicyOptions): NetworkPolicy {
  if (override.allowPrivateEndpoints === undefined && override.endpointPolicy === undefined) return base;
  const compiled = networkPolicy(override);
  return Object.freeze({
    rule: override.allowPrivateEndpoints === undefined ? base.rule : compiled.rule,
    endpointPolicy: override.endpointPolicy ?? base.endpointPolicy,
  });
}

/**
 * Checks one URL against the whole policy without sending anything:
 * `null` when allowed, else the reason (no URL, no secret in it).
 */
export async function checkEndpoint(
  policy: NetworkPolicy,
  url: string | URL,
  request: EndpointRequest,
): Promise<Refusal> {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'not a valid URL';
  }
  const refusal = policy.rule.checkUrl(parsed);
  if (refusal !== null) return refusal;
  if (policy.endpointPolicy && (await policy.endpointPolicy(new URL(parsed.href), request)) !== true)
    return 'not allowed by the endpoint policy';
  return null;
}
