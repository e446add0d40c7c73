/**
 * What a vault hands `createClient` along with a resolution, without a new
 * argument: the vault's network policy, and the tenant it resolved for.
 * It rides on the frozen `Resolution` under a module-private symbol, as an
 * enumerable property, so a copy (`{ ...r, model }`, the usual way to
 * override a field) keeps it; symbols don't serialise, so `JSON.stringify`
 * and the documented shape stay as they were. The value is an opaque token
 * this module issued: a hand-built object can't claim a context (a token
 * it did not issue is ignored), and later features (an outcome reporter)
 * can add fields here.
 *
 * @module
 */
import type { NetworkPolicy } from '../net/endpoint-policy.js';

/** Per-resolution context a vault attaches for `createClient`. */
export interface ClientContext {
  /** The vault's endpoint policy (address rule and host check). */
  readonly network: NetworkPolicy;
  /** The tenant the resolution is for, as the endpoint policy is told. */
  readonly tenantId: string;
}

const CONTEXT = Symbol('byokit.vault');
/** Tokens this module issued, and their context. */
const contexts = new WeakMap<object, ClientContext>();
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * @internal The field the vault spreads into a resolution before freezing
 * it. The token inspects as `[vault context]` and has no properties to show.
 */
export function clientContextField(context: ClientContext): { readonly [CONTEXT]: object } {
  const token = Object.freeze(Object.defineProperty({}, INSPECT, { value: () => '[vault context]' }));
  contexts.set(token, Object.freeze({ ...context }));
  return { [CONTEXT]: token };
}

/**
 * The context a vault attached to `source` (or to the resolution it was
 * copied from), or `undefined` for a hand-built source.
 */
export function clientContextOf(source: object): ClientContext | undefined {
  const token = (source as { [CONTEXT]?: unknown })[CONTEXT];
  return typeof token === 'object' && token !== null ? contexts.get(token) : undefined;
}
