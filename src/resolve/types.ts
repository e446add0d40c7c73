/**
 * What a resolution returns and how it explains itself.
 *
 * @module
 */
import type { Secret } from '../secret.js';
import type { KeySource, TraceEntry } from '../trace.js';
import type { ConfigOptions, ScopePath } from '../values.js';

export {
  POOL_POLICIES,
  type KeySource,
  type PoolPolicyKind,
  type SkipReason,
  type TraceEntry,
  type TraceStepKind,
} from '../trace.js';

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
