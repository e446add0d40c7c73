/**
 * What a vault hands `createClient` (and its own `report`) along with a
 * resolution, without a new argument: the vault's network policy, the
 * tenant it resolved for, where the client reports its outcomes, and the
 * resolution as the vault issued it.
 *
 * It rides on the frozen `Resolution` under a module-private symbol, as an
 * enumerable property, so a copy (`{ ...r, model }`, the usual way to
 * override a field) keeps it; symbols don't serialise, so `JSON.stringify`
 * and the documented shape stay as they were. The value is an opaque token
 * this module issued: a hand-built object can't claim a context (a token
 * it did not issue is ignored). Whatever a copy changes, `resolution` is
 * the original: outcomes are attributed by what the vault issued, never by
 * fields a copy could rewrite.
 *
 * @module
 */
import type { NetworkPolicy } from '../net/endpoint-policy.js';
import type { KeyMove, OutcomeSink } from '../outcomes/types.js';
import type { Resolution } from '../resolve/types.js';

/** Per-resolution context a vault attaches for `createClient`. */
export interface ClientContext {
  /** The vault's endpoint policy (address rule and host check). */
  readonly network: NetworkPolicy;
  /** The tenant the resolution is for, as the endpoint policy is told. */
  readonly tenantId: string;
  /** The vault that resolved it (`vault.report` takes its own resolutions only). */
  readonly owner?: object;
  /** Where the client reports each response, when the vault has an outcome loop. */
  readonly outcomes?: OutcomeSink | null;
  /** `keySetAt` of the resolved config's key (`null` for a platform key), for its health record. */
  readonly keySetAt?: string | null;
  /** For a resolution `vault.withKey` moved to after a failed call: the move, for its outcomes. */
  readonly move?: KeyMove;
  /** The resolution as the vault issued it (set once it is frozen). */
  readonly resolution?: Resolution;
}

const CONTEXT = Symbol('byokit.vault');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The opaque token: only this module can make one, and `#context in token`
 * tells a token it made from any look-alike. The context lives in the
 * token's private field, so no side table (a WeakMap entry per resolution
 * costs the garbage collector more than the object itself).
 */
class ContextToken {
  // Writable until `bind`, which sets `resolution` and freezes it; the field exists from the start (one shape).
  readonly #context: { -readonly [K in keyof ClientContext]: ClientContext[K] };
  constructor(context: Omit<ClientContext, 'resolution'>) {
    this.#context = { ...context, resolution: undefined };
    Object.freeze(this);
  }
  static contextOf(token: unknown): ClientContext | undefined {
    return typeof token === 'object' && token !== null && #context in token
      ? (token as ContextToken).#context
      : undefined;
  }
  /** Records the frozen resolution, once, and freezes the context. */
  bind(resolution: Resolution): void {
    if (this.#context.resolution !== undefined) return;
    this.#context.resolution = resolution;
    Object.freeze(this.#context);
  }
  [INSPECT](): string {
    return '[vault context]';
  }
}

/**
 * @internal The field the vault spreads into a resolution before freezing
 * it. The token inspects as `[vault context]` and has no properties to show.
 */
export function clientContextField(context: Omit<ClientContext, 'resolution'>): { readonly [CONTEXT]: object } {
  return { [CONTEXT]: new ContextToken(context) };
}

/** @internal Records the frozen resolution a token was issued with, and freezes its context. */
export function bindClientContext(resolution: Resolution): void {
  const token = (resolution as { [CONTEXT]?: unknown })[CONTEXT];
  // The brand check of `contextOf` (a private field), not `instanceof`, which a forged prototype passes.
  if (ContextToken.contextOf(token)) (token as ContextToken).bind(resolution);
}

/**
 * The context a vault attached to `source` (or to the resolution it was
 * copied from), or `undefined` for a hand-built source.
 */
export function clientContextOf(source: object): ClientContext | undefined {
  return ContextToken.contextOf((source as { [CONTEXT]?: unknown })[CONTEXT]);
}
