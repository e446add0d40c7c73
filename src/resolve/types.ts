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
/** `route`: the config a workload route (`resolve({ route })`) named. */
export type TraceStepKind = 'explicit' | 'route' | 'custom' | 'byok' | 'default' | 'recent' | 'platform';

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
  | 'route_dangling';

/** One line of a resolution's explanation. Never holds key material. */
export interface TraceEntry {
  step: TraceStepKind;
  /** Scope searched, for config steps. */
  scope?: ScopePath;
  configId?: string;
  configName?: string;
  outcome: 'selected' | 'skipped' | 'none';
  reason?: SkipReason;
  /** The workload route, for `route` steps. */
  route?: string;
}

/**
 * An immutable snapshot of which key to use for one request. Later changes
 * to configs or keys never change a resolution already handed out.
 */
export interface Resolution {
  readonly source: KeySource;
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
  readonly model: string | null;
  readonly baseUrl: string | null;
  readonly options: Readonly<ConfigOptions>;
  readonly configId: string | null;
  readonly configName: string | null;
  readonly keyHint: string;
  readonly key: Secret;
  readonly trace: readonly TraceEntry[];
  readonly resolvedAt: string;
}
