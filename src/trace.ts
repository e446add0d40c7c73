/**
 * How a resolution explains itself: the trace entries a `Resolution` and a
 * `NoKeyError` carry. On the bottom floor, beside `errors.ts`, which needs
 * them; it imports only the shared value types.
 *
 * @module
 */
import type { ScopePath } from './values.js';

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
