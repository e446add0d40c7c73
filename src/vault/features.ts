/**
 * Optional vault features, passed to `createVault` by factory
 * (`accessKeys(...)`, `byokEntitlement(...)`). A feature's code is only in
 * a host's bundle when the host imports its factory: the vault itself
 * holds a thin method per call and reaches the feature through these
 * interfaces (types only here, so importing this file costs nothing).
 *
 * @module
 */
import type { AccessKeyCandidates, AccessKeyRecord, AccessKeyUsageRecord } from '../store/access-key-storage.js';
import type { EntitlementSettings, SettingsRecord } from '../store/settings-storage.js';
import type { Actor, SealedConfigRecord, Page } from '../store/types.js';
import type { AccessKeyView, CreatedAccessKey } from './access-keys.js';
import type { Outcome } from '../outcomes/types.js';
import type { Resolution } from '../resolve/types.js';
import type { Decision } from '../resolve/resolver.js';
import type { ResolveRetry } from './resolve-key.js';
import type { ResolveRequest } from './schemas.js';
import type { VaultContext } from './context.js';
import type { AuthorizeContext, Permission } from './permissions.js';
import type { TraceEntry } from '../resolve/types.js';

/** @internal A tenant handle as a feature sees it: its tenant, its actor, and its permission check. */
export interface TenantActor {
  tenantId: string;
  actor: Actor;
  allow(action: string, permission: Permission, extra?: Partial<AuthorizeContext>): Promise<void>;
}

/** @internal An authenticated access-key resolution: the key, the one read's results, and the request it makes. */
export interface AccessKeyAuthentication extends AccessKeyCandidates {
  request: { tenantId: string; scope: string; provider?: string; model?: string; config?: string };
}

/**
 * Access keys, made by `accessKeys({ keyring })` and passed to
 * `createVault({ accessKeys })`. Its members are byokit's internals: use
 * the vault's methods (`admin.createAccessKey`, `vault.resolve({ accessKey })`, ...).
 */
export interface AccessKeysFeature {
  /** @internal */
  authenticate(ctx: VaultContext, input: unknown): Promise<AccessKeyAuthentication>;
  /** @internal The allow-lists on what the resolution ended with, then the quota count (`QUOTA_EXCEEDED`). */
  admit(
    ctx: VaultContext,
    accessKey: AccessKeyRecord,
    provider: string,
    model: string | null,
    now: Date,
  ): Promise<void>;
  /** @internal */
  create(ctx: VaultContext, as: TenantActor, input: unknown): Promise<CreatedAccessKey>;
  /** @internal */
  get(ctx: VaultContext, as: TenantActor, id: unknown): Promise<AccessKeyView>;
  /** @internal */
  list(ctx: VaultContext, as: TenantActor, query: unknown): Promise<Page<AccessKeyView>>;
  /** @internal */
  revoke(ctx: VaultContext, as: TenantActor, id: unknown): Promise<AccessKeyView>;
  /** @internal */
  usage(ctx: VaultContext, as: TenantActor, query: unknown): Promise<Page<AccessKeyUsageRecord>>;
  /** @internal */
  recordUsage(ctx: VaultContext, input: unknown): Promise<void>;
}

/**
 * BYOK entitlement managed per tenant, made by `byokEntitlement({ default })`
 * and passed to `createVault({ entitlement })`. Its members are byokit's
 * internals: use `vault.setEntitlement` / `vault.getEntitlement`.
 */
export interface EntitlementFeature {
  /** @internal The settings read a resolution makes beside its candidates. */
  read(ctx: VaultContext, tenantId: string): Promise<SettingsRecord | null>;
  /** @internal Which candidates the tenant may use, from its settings as read. */
  entitled(
    ctx: VaultContext,
    settings: SettingsRecord | null,
    tenantId: string,
  ): Promise<(record: SealedConfigRecord) => boolean>;
  /** @internal Throws `BYOK_NOT_ENTITLED` unless the tenant may bring a key for `provider`. */
  require(ctx: VaultContext, tenantId: string, provider: string): Promise<void>;
  /** @internal Validates its arguments itself. */
  get(ctx: VaultContext, tenantId: unknown): Promise<EntitlementSettings>;
  /** @internal Validates its arguments itself. */
  set(ctx: VaultContext, tenantId: unknown, input: unknown, actor: unknown): Promise<EntitlementSettings>;
}

/** @internal What the vault hands the pools feature after the resolution walk. */
export interface PoolDecisionRequest {
  request: ResolveRequest & { accessKeyId: string | null };
  decision: Decision;
  /** The candidates read (with the winner's pool). */
  candidates: readonly SealedConfigRecord[];
  entitled: ((record: SealedConfigRecord) => boolean) | undefined;
  now: Date;
  /** A `withKey` move: the configs already tried, the moves so far. */
  retry: ResolveRetry | undefined;
}

/**
 * Key pools, made by `keyPools(...)` and passed to `createVault({ pools })`.
 * Its members are byokit's internals: use `vault.withKey`,
 * `admin.setPoolPolicy`, `admin.listPools`, ...
 */
export interface PoolsFeature {
  /**
   * @internal The decision with the pool's say: the member its policy and
   * facts choose instead of the winner; for a `withKey` move, the next key
   * (else the platform key if allowed, else `NO_KEY`).
   */
  decide(ctx: VaultContext, input: PoolDecisionRequest): Promise<Decision>;
  /** @internal An outcome of a call with one of the vault's resolutions (cooldowns, failing keys, `withKey` attempts). */
  observe(ctx: VaultContext, resolution: Resolution, outcome: Outcome): void;
  /** @internal Validates its arguments itself. */
  withKey(ctx: VaultContext, request: unknown, fn: unknown, options: unknown): Promise<unknown>;
  /** @internal */
  setPolicy(ctx: VaultContext, as: TenantActor, input: unknown): Promise<unknown>;
  /** @internal */
  removePolicy(ctx: VaultContext, as: TenantActor, input: unknown): Promise<boolean>;
  /** @internal */
  getPolicies(ctx: VaultContext, as: TenantActor): Promise<unknown>;
  /** @internal */
  listPools(ctx: VaultContext, as: TenantActor, query: unknown): Promise<unknown>;
}

/** @internal Where a request's workload route leads, as one settings read found it. */
export interface RoutePick {
  /** The settings record read (raw, as the store returned it), for the entitlement check to reuse. */
  settings: SettingsRecord | null;
  /** The routed config id and the scope whose route named it; `null`: no route in the chain. */
  target: { configId: string; scope: string } | null;
  /** The trace entry of no route found (`target` null). */
  none?: TraceEntry;
}

/**
 * Workload routes, made by `workloadRoutes()` and passed to
 * `createVault({ routes })`. Its members are byokit's internals: use
 * `admin.setRoute`, `admin.listRoutes` and `vault.resolve({ route })`.
 */
export interface RoutesFeature {
  /** @internal The route of `route` nearest to the asked scope, from one settings read. */
  pick(
    ctx: VaultContext,
    request: { tenantId: string; route?: string; config?: string },
    chain: readonly string[],
  ): Promise<RoutePick>;
  /**
   * @internal The trace entry that passes a routed config over, or `null` to use it: gone or out of the
   * chain (`route_dangling`), or not serving the provider the request names (`provider_mismatch`).
   */
  passOver(
    route: string,
    target: { configId: string; scope: string },
    config: SealedConfigRecord | null,
    provider: string | null,
  ): TraceEntry | null;
  /** @internal Validates its arguments itself. */
  set(ctx: VaultContext, as: TenantActor, route: unknown, configId: unknown, options: unknown): Promise<unknown>;
  /** @internal Validates its arguments itself. */
  list(ctx: VaultContext, as: TenantActor, query: unknown): Promise<unknown>;
}
