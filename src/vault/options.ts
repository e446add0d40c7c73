/**
 * Options of {@link createVault} and the hook types hosts implement.
 *
 * @module
 */
import type { KekProvider } from '../crypto/kek-provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { FallbackPolicy } from '../resolve/resolver.js';
import type { KeySource } from '../resolve/types.js';
import type { AuditEvent, ConfigOptions, ScopePath, StorageAdapter } from '../store/types.js';
import type { AuthorizeFn } from './permissions.js';

/** A platform key with optional endpoint settings. */
export interface PlatformKey {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  options?: ConfigOptions;
}

/** What a platform-key lookup is asked. */
export interface PlatformKeyRequest {
  tenantId: string;
  scope: ScopePath;
  provider: string;
}

/**
 * The platform's own keys: a map from provider id to key, or a function
 * (sync or async) for hosts that pick keys per tenant, plan or region.
 * An empty or missing key means "none" (never an SDK's own environment lookup).
 */
export type PlatformKeySource =
  | Readonly<Record<string, string | PlatformKey | undefined>>
  | ((request: PlatformKeyRequest) => string | PlatformKey | undefined | null | Promise<string | PlatformKey | undefined | null>);

/** One resolution, reported to the host for metering and attribution (DESIGN rule 11). */
export interface UsageEvent {
  tenantId: string;
  scope: ScopePath;
  provider: string;
  requestedProvider: string | null;
  configId: string | null;
  configName: string | null;
  model: string | null;
  source: KeySource;
  at: string;
}

/** What the guard hook sees before a resolution is returned. No key material. */
export interface GuardRequest {
  tenantId: string;
  scope: ScopePath;
  provider: string;
  requestedProvider: string | null;
  configId: string | null;
  model: string | null;
  source: KeySource;
}

/** A guard's refusal; the reason is shown to the caller in a `RESOLUTION_DENIED` error. */
export interface GuardDenial {
  deny: string;
}

/**
 * Consulted before a resolution is returned: quota, plan, provider or model
 * allow-lists. Return (or resolve to) `{ deny: 'reason' }` to refuse;
 * anything else allows. A throw propagates to the caller unchanged.
 */
export type ResolutionGuard = (request: GuardRequest) => void | GuardDenial | undefined | Promise<void | GuardDenial | undefined>;

/** What an endpoint policy is asked about. */
export interface EndpointRequest {
  tenantId: string;
  provider: string;
  /** `createConfig` / `updateConfig` (the URL is about to be stored) or `validateKey` (about to be called). */
  action: 'createConfig' | 'updateConfig' | 'validateKey';
}

/**
 * Decides which base URLs tenants may use. byokit itself accepts any
 * http(s) URL without credentials, query or fragment; a host whose servers
 * can reach internal services should refuse private, loopback and metadata
 * addresses here (`validateKey` makes a server-side request to the URL).
 * Return `true` to allow.
 */
export type EndpointPolicy = (url: URL, request: EndpointRequest) => boolean | Promise<boolean>;

/** Which optional hook failed, for {@link VaultOptions.onHookError}. */
export type HookName = 'onResolve' | 'auditSink';

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
  /** Which base URLs tenants may store and byokit may call; default: any http(s) URL. */
  endpointPolicy?: EndpointPolicy;
  /** Where failures of `onResolve` and `auditSink` go (default: ignored). */
  onHookError?: (error: unknown, hook: HookName) => void;
  /** Clock, for tests. */
  now?: () => Date;
}
