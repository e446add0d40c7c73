/**
 * What a vault hands `createClient` along with a resolution, without a new
 * argument: the vault's network policy, the tenant it resolved for, and
 * where the client reports its outcomes. Kept beside the frozen
 * `Resolution` in a `WeakMap`, so it costs nothing once the resolution is
 * dropped, can't be forged by editing the object, and is lost by a copy
 * (which `vault.report` then refuses).
 *
 * @module
 */
import type { NetworkPolicy } from '../net/endpoint-policy.js';
import type { OutcomeSink } from '../outcomes/types.js';

/** Per-resolution context a vault attaches for `createClient`. */
export interface ClientContext {
  /** The vault's endpoint policy (address rule and host check). */
  readonly network: NetworkPolicy;
  /** The tenant the resolution is for, as the endpoint policy is told. */
  readonly tenantId: string;
  /** The vault that resolved it (`vault.report` takes its own resolutions only). */
  readonly owner?: object;
  /** Where the client reports each response, when the vault has `onUsage` or key health on. */
  readonly outcomes?: OutcomeSink | null;
  /** `keySetAt` of the resolved config's key (`null` for a platform key), for its health record. */
  readonly keySetAt?: string | null;
}

const contexts = new WeakMap<object, ClientContext>();

/** @internal Called by the vault where it makes the resolution snapshot. */
export function attachClientContext(resolution: object, context: ClientContext): void {
  contexts.set(resolution, Object.freeze({ ...context }));
}

/**
 * The context a vault attached to `source`, or `undefined` for a hand-built
 * source (or a copy of a resolution: `{ ...r }` does not carry it).
 */
export function clientContextOf(source: object): ClientContext | undefined {
  return contexts.get(source);
}
