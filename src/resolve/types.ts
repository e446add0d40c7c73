/**
 * What a resolution returns and how it explains itself.
 *
 * @module
 */
import type { Secret } from '../secret.js';
import type { ConfigOptions, ScopePath } from '../store/types.js';

/** Where a resolved key came from; hosts meter and attribute usage by it. */
export type KeySource = 'custom' | 'byok' | 'platform';

/** The step of the precedence order a trace entry belongs to. */
/** `route`: the config a workload route (`resolve({ route })`) named; `pool`: a key pool's choice; `retry`: a `withKey` move. */
export type TraceStepKind =
  | 'explicit'
  | 'route'
  | 'custom'
  | 'byok'
  | 'default'
  | 'recent'
  | 'platform'
  | 'pool'
  | 'retry';

/**
 * How a key pool picks among the eligible configs of one provider in one
 * scope: `default` (the resolution rule alone: the default, else the most
 * recent; no pool), `failover` (by priority, the next when one is cooling
 * down or failing), `round-robin` (in turn) or `weighted` (in turn, in
 * proportion to weights).
 */
export const POOL_POLICIES = ['default', 'failover', 'round-robin', 'weighted'] as const;

/** One of {@link POOL_POLICIES} (listed in `byokit/schemas`). */
export type PoolPolicyKind = (typeof POOL_POLICIES)[number];

/** Why a candidate was passed over. */
export type SkipReason =
  | 'disabled'
  | 'missing_key'
  | 'expired'
  | 'provider_mismatch'
  | 'not_routed'
  | 'not_default'
  | 'older'
  | 'fallback_none'
  | 'no_platform_key'
  | 'no_provider'
  | 'not_entitled'
  | 'route_dangling'
  | 'cooling_down'
  | 'failing'
  | 'rate_limited'
  | 'auth_failed'
  | 'server_error';

/** One line of a resolution's explanation. Never holds key material. */
export interface TraceEntry {
  /** The step of the precedence order. */
  step: TraceStepKind;
  /** Scope searched, for config steps. */
  scope?: ScopePath;
  /** The config considered, for config steps. */
  configId?: string;
  /** Its name. */
  configName?: string;
  /** `selected` (this step won), `skipped` (passed over: see `reason`) or `none` (nothing to consider). */
  outcome: 'selected' | 'skipped' | 'none';
  /**
   * Why it was passed over. On a `selected` entry of a pool: the chosen key
   * is cooling down or failing too (every key of the pool was; it was the
   * least bad).
   */
  reason?: SkipReason;
  /** On a config chosen from a key pool: the pool's policy. */
  pool?: PoolPolicyKind;
  /** For `cooling_down`: when the cooldown ends (ISO). */
  until?: string;
  /** The workload route, for `route` steps. */
  route?: string;
}

/**
 * An immutable snapshot of which key to use for one request. Later changes
 * to configs or keys never change a resolution already handed out.
 */
export interface Resolution {
  /** Whose key it is: `byok` (the tenant's), `custom` (the tenant's endpoint), `platform` (yours). */
  readonly source: KeySource;
  /** The tenant resolved for (from the access key, for `resolve({ accessKey })`). */
  readonly tenantId: string;
  /**
   * The access key the resolution was made with (`resolve({ accessKey })`),
   * else `null`: pass it to `vault.recordUsage` to charge the call's tokens.
   */
  readonly accessKeyId: string | null;
  /** The scope the host asked for. */
  readonly scope: ScopePath;
  /** The scope the chosen config lives in; `null` for a platform key. */
  readonly configScope: ScopePath | null;
  /** Provider whose client to build (`custom` for a custom endpoint). */
  readonly provider: string;
  /** Provider the host asked for, if any. */
  readonly requestedProvider: string | null;
  /** The config's model (or the platform key's), else `null`. */
  readonly model: string | null;
  /** Where the key is sent; `null` for the provider's default endpoint. */
  readonly baseUrl: string | null;
  /** The config's non-secret provider options. */
  readonly options: Readonly<ConfigOptions>;
  /** The chosen config; `null` for a platform key. */
  readonly configId: string | null;
  /** Its name; `null` for a platform key. */
  readonly configName: string | null;
  /** The key's public hint (`sk-...7xQ2`), safe to log and show. */
  readonly keyHint: string;
  /** The key, as a {@link Secret}: it prints as its hint; `reveal()` gives the raw key. */
  readonly key: Secret;
  /** How the resolution was decided, step by step. Never holds key material. */
  readonly trace: readonly TraceEntry[];
  /** When it was resolved (ISO date-time). */
  readonly resolvedAt: string;
}
