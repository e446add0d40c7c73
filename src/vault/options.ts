/**
 * Options of {@link createVault} and the hook types hosts implement.
 *
 * @module
 */
import type { KekProvider } from '../crypto/kek-provider.js';
import type { NetworkError } from '../errors.js';
import type { PrivateEndpoints } from '../net/address-rule.js';
import type { EndpointPolicy } from '../net/endpoint-policy.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { FallbackPolicy } from '../resolve/resolver.js';
import type { KeySource } from '../resolve/types.js';
import type { KeyHealthEvent, Outcome } from '../outcomes/types.js';
import type { AuditEvent, ConfigOptions, ScopePath, StorageAdapter } from '../store/types.js';
import type { AccessKeysFeature, EntitlementFeature, PoolsFeature, RoutesFeature } from './features.js';
import type { AuthorizeFn } from './permissions.js';

/** A platform key with optional endpoint settings. */
export interface PlatformKey {
  /** The platform's key for this provider. */
  apiKey: string;
  /** Where it is sent; default: the provider's endpoint. */
  baseUrl?: string;
  /** The model platform-key resolutions carry. */
  model?: string;
  /** Non-secret provider options, as a config's. */
  options?: ConfigOptions;
}

/** What a platform-key lookup is asked. */
export interface PlatformKeyRequest {
  /** The tenant the resolution is for. */
  tenantId: string;
  /** The scope asked for. */
  scope: ScopePath;
  /** The provider a platform key is needed for. */
  provider: string;
}

/**
 * The platform's own keys: a map from provider id to key, or a function
 * (sync or async) for hosts that pick keys per tenant, plan or region.
 * An empty or missing key means "none" (never an SDK's own environment lookup).
 */
export type PlatformKeySource =
  | Readonly<Record<string, string | PlatformKey | undefined>>
  | ((
      request: PlatformKeyRequest,
    ) => string | PlatformKey | undefined | null | Promise<string | PlatformKey | undefined | null>);

/** One resolution, reported to the host for metering and attribution (docs/architecture.md, rule 11). */
export interface UsageEvent {
  /** The tenant resolved for. */
  tenantId: string;
  /** The access key the resolution was made with (`resolve({ accessKey })`), else `null`. */
  accessKeyId: string | null;
  /** The scope asked for. */
  scope: ScopePath;
  /** The provider of the resolution (`custom` for a custom endpoint). */
  provider: string;
  /** The provider asked for, if any. */
  requestedProvider: string | null;
  /** The chosen config; `null` for a platform key. */
  configId: string | null;
  /** Its name; `null` for a platform key. */
  configName: string | null;
  /** The resolution's model, if any. */
  model: string | null;
  /** Whose key: `byok`, `custom` or `platform` (what to meter and charge by). */
  source: KeySource;
  /** When it was resolved (ISO date-time). */
  at: string;
}

/**
 * A refusal or bound byokit's transport enforced during a key validation,
 * reported to the host (`onNetworkIncident`) with its full reason. The
 * tenant's result carries a fixed wording only: the class of address an
 * internal name resolves to is for the host's eyes.
 */
export interface NetworkIncident {
  /** The tenant whose key was involved. */
  tenantId: string;
  /** The config whose endpoint was refused. */
  configId: string;
  /** Its provider. */
  provider: string;
  /** `ENDPOINT_REFUSED`, `REDIRECT_REFUSED`, `RESPONSE_TOO_LARGE` or `RESPONSE_TIMEOUT`; the message says why. No key. */
  error: NetworkError;
}

/** What the guard hook sees before a resolution is returned. No key material. */
export interface GuardRequest {
  /** The tenant resolved for. */
  tenantId: string;
  /** The access key the resolution is made with, else `null`. */
  accessKeyId: string | null;
  /** The scope asked for. */
  scope: ScopePath;
  /** The provider of the resolution about to be returned. */
  provider: string;
  /** The provider asked for, if any. */
  requestedProvider: string | null;
  /** The chosen config; `null` for a platform key. */
  configId: string | null;
  /** The resolution's model, if any. */
  model: string | null;
  /** Whose key: `byok`, `custom` or `platform`. */
  source: KeySource;
}

/** A guard's refusal; the reason is shown to the caller in a `RESOLUTION_DENIED` error. */
export interface GuardDenial {
  /** Why, for the `RESOLUTION_DENIED` error (shown to the caller: no secrets). */
  deny: string;
}

/**
 * Consulted before a resolution is returned: quota, plan, provider or model
 * allow-lists. Return (or resolve to) `{ deny: 'reason' }` to refuse;
 * anything else allows. A throw propagates to the caller unchanged.
 */
export type ResolutionGuard = (
  request: GuardRequest,
  // biome-ignore lint/suspicious/noConfusingVoidType: an async guard that allows may resolve to nothing, as hooks usually do.
) => void | GuardDenial | undefined | Promise<void | GuardDenial | undefined>;

export type { EndpointAction, EndpointPolicy, EndpointRequest } from '../net/endpoint-policy.js';
export type { PrivateEndpoints } from '../net/address-rule.js';

/**
 * Which optional hook (or background step) failed, for
 * {@link VaultOptions.onHookError}: a hook that threw, `observer` (the
 * response observer of an instrumented client; the call itself went on),
 * `keyHealth` (a key health write in the background), `accessKeyUsage`
 * (charging an access key the tokens a call used), `keyCooldown` (sharing
 * a key pool's cooldown through the store), `onNetworkIncident`.
 */
export type HookName =
  | 'onResolve'
  | 'auditSink'
  | 'onUsage'
  | 'onKeyHealth'
  | 'observer'
  | 'keyHealth'
  | 'accessKeyUsage'
  | 'keyCooldown'
  | 'onNetworkIncident'
  | 'onProgress';

/** Settings of the traffic side of key health ({@link VaultOptions.keyHealth}). */
export interface KeyHealthOptions {
  /**
   * Milliseconds between writes of one key's last use (write-behind): at
   * most one such write per key per interval. Default 60 000.
   */
  flushIntervalMs?: number;
  /**
   * Most keys with news waiting for the next write (default 10 000): news
   * about further keys is dropped until the next write, so memory stays bounded.
   */
  maxPendingKeys?: number;
}

/** Options of {@link createVault}. */
export interface VaultOptions {
  /** Where configs, sealed keys and audit events live. */
  store: StorageAdapter;
  /** Key-encryption keys: a {@link Keyring} or any {@link KekProvider} (KMS). */
  keyring: KekProvider;
  /** The platform's shared keys, used after a tenant's own configs when `fallback` allows. */
  platformKeys?: PlatformKeySource;
  /** `'platform'` (default) falls back to `platformKeys`; `'none'` is pure BYOK. */
  fallback?: FallbackPolicy;
  /** Extra or replacement provider descriptors, merged over the built-in ones. */
  providers?: ProviderRegistry;
  /** Permission policy; defaults to the owner/admin/member roles. */
  authorize?: AuthorizeFn;
  /** Called after every successful resolution (metering). Errors are reported to `onHookError`, never thrown. */
  onResolve?: (event: UsageEvent) => void | Promise<void>;
  /** Consulted before a resolution is returned; can deny it. */
  guard?: ResolutionGuard;
  /** Also receives every audit event after it is stored. Errors never break the change. */
  auditSink?: (event: AuditEvent) => void | Promise<void>;
  /**
   * Hears each refusal and bound of a `validateKey` with its full reason
   * (e.g. "the host name resolves to a loopback address"), which the
   * tenant's result does not carry. Errors go to `onHookError`.
   */
  onNetworkIncident?: (incident: NetworkIncident) => void | Promise<void>;
  /**
   * The host's own check of every URL a key travels to (base URLs before
   * they are stored, and each request of a validation or of a client built
   * from this vault's resolutions). It runs after the built-in address
   * rule and can only narrow it.
   */
  endpointPolicy?: EndpointPolicy;
  /**
   * The opt-in for self-hosted endpoints. By default a key only travels to
   * public addresses: loopback, private, link-local and cloud metadata
   * addresses (in any spelling, and whatever a host name resolves to) are
   * refused, for stored base URLs, provider defaults (Ollama's
   * `http://127.0.0.1:11434`), platform keys, validation and clients.
   * `true` allows loopback, private and link-local addresses; a list allows
   * exactly the host names (`'ollama.internal'`, `'*.svc.cluster.local'`),
   * IPs and CIDR ranges (`'10.0.0.0/8'`) it names.
   *
   * @example
   * ```ts
   * createVault({ store, keyring, allowPrivateEndpoints: ['ollama.internal', '10.20.0.0/16'] });
   * ```
   */
  allowPrivateEndpoints?: PrivateEndpoints;
  /**
   * Called with every outcome of a call made with a key this vault resolved:
   * each HTTP response a client from `createClient` observes (status,
   * latency, token usage, retry-after), and each `vault.report`. For
   * metering and credits. Errors go to `onHookError`, never to the call.
   *
   * @example
   * ```ts
   * createVault({ store, keyring, onUsage: (o) => o.source === 'platform' && charge(o.tenantId, o.inputTokens, o.outputTokens) });
   * ```
   */
  onUsage?: (outcome: Outcome) => void | Promise<void>;
  /**
   * Key health from traffic: an auth failure (401) of a stored key marks it
   * `failing` (views, an audit event, `onKeyHealth`), a later success clears
   * it, and its last use is written behind (not per call). `true` or
   * settings; default on when `onKeyHealth` is given. Validations update
   * key health whatever this says. Resolution never changes because of it.
   */
  keyHealth?: boolean | KeyHealthOptions;
  /**
   * How long `promoteKey` keeps the replaced key for `rollbackKey`, in
   * milliseconds, unless the call says otherwise; default 24 hours. After
   * it, the previous key can't be rolled back to (`expirePrevious` drops it).
   */
  previousKeyGracePeriodMs?: number;
  /** Called when a stored key starts failing or recovers (for an email or a webhook). Errors go to `onHookError`. */
  onKeyHealth?: (event: KeyHealthEvent) => void | Promise<void>;
  /**
   * Access keys: `accessKeys({ keyring })`, with the keyring that keys
   * access-key hashes (not your KEK keyring). Without it, access-key calls
   * fail with `VALIDATION_FAILED` naming this option.
   *
   * @example
   * ```ts
   * createVault({ store, keyring, accessKeys: accessKeys({ keyring: Keyring.fromEnv(process.env, 'BYOKIT_ACCESS_KEY_SECRETS') }) });
   * ```
   */
  accessKeys?: AccessKeysFeature;
  /**
   * BYOK entitlement managed per tenant: `byokEntitlement({ default })`.
   * Without it every tenant may bring keys, resolution reads no settings
   * document, and `setEntitlement` fails with `VALIDATION_FAILED`.
   */
  entitlement?: EntitlementFeature;
  /**
   * Key pools: `keyPools({ ... })`. With it, a resolution chooses among
   * every eligible config of the provider in the winning scope (failover
   * in resolution order unless the tenant set a policy with
   * `admin.setPoolPolicy`), passes over keys cooling down after a 429 or
   * failing, and `vault.withKey` retries a call with the pool's next key.
   * Without it, resolution picks the one winner as before, and pool calls
   * fail with `VALIDATION_FAILED` naming this option. See docs/pools.md.
   */
  pools?: PoolsFeature;
  /**
   * Workload routes: `workloadRoutes()`. Without it `setRoute`,
   * `listRoutes` and `resolve({ route })` fail with `VALIDATION_FAILED`
   * naming this option.
   */
  routes?: RoutesFeature;
  /** Where failures of the hooks and background steps go (default: ignored); see {@link HookName}. */
  onHookError?: (error: unknown, hook: HookName) => void;
  /** Clock, for tests. */
  now?: () => Date;
}
