/**
 * `vault.resolve()`: one store read, the pure decision, the guard, then the
 * key opened (or the platform key looked up) into an immutable snapshot.
 *
 * @module
 */
import {
  DecryptionError,
  NoKeyError,
  NotFoundError,
  ProviderError,
  ResolutionDeniedError,
  VaultClosedError,
} from '../errors.js';
import { openSecret } from '../crypto/envelope.js';
import { decideResolution, unusableReason } from '../resolve/resolver.js';
import { bindClientContext, clientContextField, type ClientContext } from '../providers/client-context.js';
import { scopeChain } from '../resolve/scope.js';
import type { KeySource, Resolution, TraceEntry } from '../resolve/types.js';
import { Secret, keyHint } from '../secret.js';
import type { CandidateFilter, SealedConfigRecord, ConfigOptions } from '../store/types.js';
import type { AccessKeyResolveInput } from './access-keys.js';
import type { KeyMove } from '../outcomes/types.js';
import { callStore, checkRecord, feature, sealContext, type VaultContext } from './context.js';
import type { AccessKeyAuthentication } from './features.js';
import { callDetached } from './hooks.js';
import type { GuardRequest, PlatformKey } from './options.js';
import type { resolveInputSchema, ResolveRequest } from './schemas.js';
import { parseWith } from './lazy-schemas.js';
import { plainResolveRequest } from './plain-input.js';
import type { z } from 'zod';
import { byokitMessage } from '../message.js';

/** Input of `vault.resolve`. */
export type ResolveInput = z.input<typeof resolveInputSchema>;

/**
 * @internal What `withKey` adds to a resolution after a failed call: the
 * configs already tried (never chosen again), the trace entries of its
 * moves (first in the new trace), the move for the new key's outcomes,
 * and whether an exhausted pool may end on the platform key.
 */
export interface ResolveRetry {
  exclude: ReadonlySet<string>;
  moves: readonly TraceEntry[];
  move: KeyMove;
  onExhausted: 'platform' | 'fail';
}

/**
 * A resolve request, by tenant or by access key (whose key names the tenant
 * and scope); `routed` when a workload route named its config.
 */
type Request = ResolveRequest & {
  accessKeyId: string | null;
  model?: string;
  routed?: { configId: string; scope: string };
};

/** @internal */
export function frozenTrace(trace: TraceEntry[]): readonly TraceEntry[] {
  // The decision's own entries, frozen in place: nothing else holds them.
  for (const entry of trace) Object.freeze(entry);
  return Object.freeze(trace);
}

/** @internal How a request is named in messages. */
export function describe(request: ResolveRequest): string {
  const what = request.provider
    ? `provider "${request.provider}"`
    : request.config
      ? `config "${request.config}"`
      : 'any provider';
  return `tenant "${request.tenantId}", scope "${request.scope}", ${what}`;
}

async function checkGuard(ctx: VaultContext, request: GuardRequest): Promise<void> {
  if (!ctx.guard) return;
  const verdict = await ctx.guard(request);
  if (verdict && typeof verdict === 'object' && typeof verdict.deny === 'string')
    throw new ResolutionDeniedError(verdict.deny);
}

function prefixesOf(ctx: VaultContext, provider: string): readonly string[] {
  return Object.hasOwn(ctx.providers, provider) ? ctx.providers[provider]!.keyPrefixes : [];
}

async function lookupPlatformKey(
  ctx: VaultContext,
  request: ResolveRequest,
  provider: string,
): Promise<PlatformKey | null> {
  const source = ctx.platformKeys;
  if (!source) return null;
  const value =
    typeof source === 'function'
      ? await source({ tenantId: request.tenantId, scope: request.scope, provider })
      : Object.hasOwn(source, provider)
        ? source[provider]
        : undefined;
  const key = typeof value === 'string' ? { apiKey: value } : value;
  // An empty key is "no key": an SDK given one might read the environment instead.
  return key && typeof key.apiKey === 'string' && key.apiKey.length > 0 ? key : null;
}

interface Snapshot {
  source: KeySource;
  provider: string;
  configScope: string | null;
  model: string | null;
  baseUrl: string | null;
  options: ConfigOptions;
  configId: string | null;
  configName: string | null;
  key: Secret;
}

/**
 * The frozen `Resolution`, written out field by field in one fixed order
 * (one object shape for every resolution: no spread, no second copy).
 * Options already frozen (a frozen candidate's) are taken as they are.
 */
function snapshot(
  request: Request,
  parts: Snapshot,
  trace: TraceEntry[],
  at: string,
  context: Omit<ClientContext, 'resolution'>,
): Resolution {
  const resolution: Resolution = {
    source: parts.source,
    provider: parts.provider,
    configScope: parts.configScope,
    model: parts.model,
    baseUrl: parts.baseUrl,
    options: Object.isFrozen(parts.options) ? parts.options : Object.freeze({ ...parts.options }),
    configId: parts.configId,
    configName: parts.configName,
    key: parts.key,
    tenantId: request.tenantId,
    scope: request.scope,
    requestedProvider: request.provider ?? null,
    accessKeyId: request.accessKeyId,
    keyHint: parts.key.hint,
    trace: frozenTrace(trace),
    resolvedAt: at,
    // createClient builds this resolution's client under its vault's endpoint policy (a copy's too), reporting to it.
    ...clientContextField(context),
  };
  return Object.freeze(resolution);
}

async function fromConfig(
  ctx: VaultContext,
  request: Request,
  record: SealedConfigRecord,
  source: KeySource,
): Promise<Snapshot> {
  await checkGuard(ctx, {
    tenantId: request.tenantId,
    scope: request.scope,
    provider: record.provider,
    requestedProvider: request.provider ?? null,
    configId: record.id,
    model: record.model,
    source,
    accessKeyId: request.accessKeyId,
  });
  let plaintext: string;
  try {
    plaintext = await openSecret(record.sealedKey!, sealContext(request.tenantId, record.id, record), ctx.keyring);
  } catch (error) {
    // Fail closed (docs/architecture.md, rule 13): never fall back to another key.
    throw undecryptable(record, error);
  }
  return {
    source,
    provider: record.provider,
    configScope: record.scope,
    model: record.model,
    baseUrl: record.baseUrl,
    options: record.options,
    configId: record.id,
    configName: record.name,
    key: new Secret(plaintext, record.keyHint ?? keyHint(plaintext, prefixesOf(ctx, record.provider))),
  };
}

function undecryptable(record: SealedConfigRecord, cause?: unknown): DecryptionError {
  return new DecryptionError(
    'KEY_UNDECRYPTABLE',
    byokitMessage('resolve', `the key of config ${record.id} ("${record.name}") can't be opened; re-enter it`),
    cause === undefined ? undefined : { cause },
  );
}

async function fromPlatform(
  ctx: VaultContext,
  request: Request,
  provider: string,
  trace: TraceEntry[],
): Promise<Snapshot> {
  const platformKey = await lookupPlatformKey(ctx, request, provider);
  if (!platformKey) {
    trace.push({ step: 'platform', outcome: 'skipped', reason: 'no_platform_key' });
    throw new NoKeyError(
      byokitMessage('resolve', `no key for ${describe(request)}: no usable config and no platform key`),
      frozenTrace(trace),
    );
  }
  await checkGuard(ctx, {
    tenantId: request.tenantId,
    scope: request.scope,
    provider,
    requestedProvider: request.provider ?? null,
    configId: null,
    model: platformKey.model ?? null,
    source: 'platform',
    accessKeyId: request.accessKeyId,
  });
  trace.push({ step: 'platform', outcome: 'selected' });
  return {
    source: 'platform',
    provider,
    configScope: null,
    model: platformKey.model ?? null,
    baseUrl: platformKey.baseUrl ?? null,
    options: platformKey.options ?? {},
    configId: null,
    configName: null,
    key: new Secret(platformKey.apiKey, keyHint(platformKey.apiKey, prefixesOf(ctx, provider))),
  };
}

/** The filtered resolution read (docs/architecture.md, rule 16), every row checked against the request's tenant. */
async function readCandidates(
  ctx: VaultContext,
  tenantId: string,
  chain: readonly string[],
  filter: CandidateFilter | undefined,
): Promise<SealedConfigRecord[]> {
  const candidates = await callStore(ctx, 'loadCandidates', () =>
    filter === undefined
      ? ctx.store.loadCandidates(tenantId, chain)
      : ctx.store.loadCandidates(tenantId, chain, filter),
  );
  // A candidate of another tenant fails the whole resolution: skipping it could hand out a weaker key instead.
  for (const candidate of candidates) checkRecord(ctx, candidate, tenantId);
  return candidates;
}

/**
 * The config a request names (by id, else by name) among its candidates, or
 * `NOT_FOUND`; a config a workload route named (`routed`) is looked up by id
 * and may be missing (a dangling route: `null`).
 */
function namedConfig(request: Request, candidates: readonly SealedConfigRecord[]): SealedConfigRecord | null {
  const config = request.config ?? null;
  if (config === null) return null;
  if (request.routed) return candidates.find((c) => c.id === config) ?? null;
  const explicit = candidates.find((c) => c.id === config) ?? candidates.find((c) => c.name === config) ?? null;
  if (!explicit)
    throw new NotFoundError(byokitMessage('resolve', `no config "${config}" visible from ${describe(request)}`));
  return explicit;
}

/** The routed config for the decision: `explicit`, or `null` (with the reason traced) when the route is passed over. */
function routedConfig(
  ctx: VaultContext,
  request: Request,
  explicit: SealedConfigRecord | null,
  routeTrace: TraceEntry[],
): SealedConfigRecord | null {
  if (!request.routed) return explicit;
  const skipped = ctx.routes!.passOver(request.route!, request.routed, explicit, request.provider ?? null);
  if (skipped === null) return explicit;
  routeTrace.push(skipped);
  return null;
}

/**
 * The candidates of a request: one filtered read for the rows that can win
 * it (every row of the chain with `explain`). A named config that can't be
 * used with no provider named makes the walk fall through to that config's
 * provider, whose rows the first read did not ask for: a second read gets
 * them (only then).
 */
async function loadRequestCandidates(
  ctx: VaultContext,
  request: Request,
  chain: readonly string[],
  now: string,
): Promise<{ candidates: SealedConfigRecord[]; explicit: SealedConfigRecord | null }> {
  const provider = request.provider ?? null;
  const config = request.config ?? null;
  // With pools on, the read brings the winner's whole pool (the same one read: one statement, script or walk).
  const filter: CandidateFilter =
    ctx.pools && provider !== null && config === null
      ? { provider, config, now, pool: true }
      : { provider, config, now };
  let candidates = await readCandidates(ctx, request.tenantId, chain, request.explain === true ? undefined : filter);
  const explicit = namedConfig(request, candidates);
  if (explicit !== null && provider === null && request.explain !== true && unusableReason(explicit, now) !== null) {
    const more = await readCandidates(ctx, request.tenantId, chain, { provider: explicit.provider, config: null, now });
    const seen = new Set(candidates.map((c) => c.id));
    candidates = [...candidates, ...more.filter((c) => !seen.has(c.id))];
  }
  return { candidates, explicit };
}

/** Resolves which key a request uses (docs/architecture.md, rules 6-8, 11, 13, 16), by tenant or by access key. */
export async function resolveKey(
  ctx: VaultContext,
  input: ResolveInput | AccessKeyResolveInput,
  retry?: ResolveRetry,
): Promise<Resolution> {
  if (ctx.state.closed) throw new VaultClosedError('vault.resolve');
  let access: AccessKeyAuthentication | null = null;
  let request: Request;
  if (typeof input === 'object' && input !== null && 'accessKey' in input) {
    access = await feature(ctx.accessKeys, 'accessKeys').authenticate(ctx, input);
    request = { ...access.request, accessKeyId: access.accessKey.id };
  } else {
    const parsed = plainResolveRequest(input) ?? (await parseWith('resolveInputSchema', input, 'resolve request'));
    request = { ...parsed, accessKeyId: null };
  }
  const chain = scopeChain(request.scope);
  // A workload route names a config for the request: one settings read first, reused for the entitlement check.
  const routeTrace: TraceEntry[] = [];
  let routeSettings: Awaited<ReturnType<NonNullable<VaultContext['routes']>['pick']>>['settings'] | undefined;
  if (request.route !== undefined) {
    const pick = await feature(ctx.routes, 'routes').pick(ctx, request, chain);
    routeSettings = pick.settings;
    if (pick.target) request = { ...request, config: pick.target.configId, routed: pick.target };
    else routeTrace.push(pick.none!);
  }
  const now = ctx.now();
  const nowIso = now.toISOString();
  // The access-key read brought the chain's candidates and the settings; else the filtered read, and the
  // settings only when entitlement is managed, read alongside.
  let candidates: SealedConfigRecord[];
  let explicit: SealedConfigRecord | null;
  let settings: Awaited<ReturnType<NonNullable<VaultContext['entitlement']>['read']>> | undefined;
  if (access) {
    ({ candidates, settings } = access);
    explicit = namedConfig(request, candidates);
  } else {
    [{ candidates, explicit }, settings] = await Promise.all([
      loadRequestCandidates(ctx, request, chain, nowIso),
      routeSettings !== undefined ? routeSettings : ctx.entitlement?.read(ctx, request.tenantId),
    ]);
  }
  explicit = routedConfig(ctx, request, explicit, routeTrace);
  const explicitStep = request.routed ? ('route' as const) : ('explicit' as const);
  const entitled = await ctx.entitlement?.entitled(ctx, settings ?? null, request.tenantId);
  const decide = () => {
    const decision = decideResolution({
      candidates,
      chain,
      provider: request.provider ?? null,
      explicit,
      fallback: ctx.fallback,
      now,
      entitled,
      explicitStep,
    });
    if (routeTrace.length > 0) decision.trace.unshift(...routeTrace);
    if (request.routed) for (const entry of decision.trace) if (entry.step === 'route') entry.route ??= request.route!;
    return decision;
  };
  let decision = decide();
  // The filtered read returned the first usable row of the walk; one the tenant is not entitled to use hides
  // the rows behind it, so read the whole chain and decide again (only then).
  if (!access && request.explain !== true && decision.trace.some((entry) => entry.reason === 'not_entitled')) {
    candidates = await readCandidates(ctx, request.tenantId, chain, undefined);
    if (request.routed) routeTrace.length = 0;
    explicit = routedConfig(ctx, request, namedConfig(request, candidates), routeTrace);
    decision = decide();
  }
  // Key pools (an option): the pool's member instead of the winner, and withKey's moves.
  if (ctx.pools) decision = await ctx.pools.decide(ctx, { request, decision, candidates, entitled, now, retry });
  let parts: Snapshot;
  if (decision.kind === 'config') {
    parts = await fromConfig(ctx, request, decision.record, decision.source);
  } else if (decision.kind === 'undecryptable') {
    // The row says a key is stored but its sealed value is gone (or the reverse): a present key, never a fallback.
    throw undecryptable(decision.record);
  } else if (decision.kind === 'mismatch') {
    throw new ProviderError(
      'PROVIDER_MISMATCH',
      byokitMessage(
        'resolve',
        `config "${decision.record.name}" is a ${decision.record.provider} config and does not serve provider "${decision.provider}"`,
      ),
    );
  } else if (decision.kind === 'platform') {
    parts = await fromPlatform(ctx, request, decision.provider, decision.trace);
  } else {
    const why =
      decision.provider === null
        ? 'no usable config and no provider named for a platform key'
        : 'no usable config and the fallback policy is "none"';
    throw new NoKeyError(
      byokitMessage('resolve', `no key for ${describe(request)}: ${why}`),
      frozenTrace(decision.trace),
    );
  }
  // Allow-lists on what the resolution ended with, then the quota: only a resolution handed out counts.
  if (access)
    await ctx.accessKeys!.admit(
      ctx,
      access.accessKey,
      request.provider ?? parts.provider,
      request.model ?? parts.model,
      now,
    );
  const resolution = snapshot(request, parts, decision.trace, nowIso, {
    network: ctx.network,
    tenantId: request.tenantId,
    owner: ctx,
    outcomes: ctx.outcomes,
    keySetAt: decision.kind === 'config' ? decision.record.keySetAt : null,
    ...(retry ? { move: retry.move } : {}),
  });
  bindClientContext(resolution);
  if (ctx.onResolve) {
    callDetached(
      ctx.onResolve,
      {
        tenantId: resolution.tenantId,
        accessKeyId: resolution.accessKeyId,
        scope: resolution.scope,
        provider: resolution.provider,
        requestedProvider: resolution.requestedProvider,
        configId: resolution.configId,
        configName: resolution.configName,
        model: resolution.model,
        source: resolution.source,
        at: resolution.resolvedAt,
      },
      'onResolve',
      ctx.onHookError,
    );
  }
  return resolution;
}
