/**
 * `vault.resolve()`: one store read, the pure decision, the guard, then the
 * key opened (or the platform key looked up) into an immutable snapshot.
 *
 * @module
 */
import { DecryptionError, NoKeyError, NotFoundError, ProviderError, ResolutionDeniedError, VaultClosedError } from '../errors.js';
import { openSecret } from '../crypto/envelope.js';
import { decideResolution } from '../resolve/resolver.js';
import { bindClientContext, clientContextField, type ClientContext } from '../providers/client-context.js';
import { scopeChain } from '../resolve/scope.js';
import type { KeySource, Resolution, TraceEntry } from '../resolve/types.js';
import { Secret, keyHint } from '../secret.js';
import type { CandidateRecord, ConfigOptions } from '../store/types.js';
import type { AccessKeyResolveInput } from './access-keys.js';
import { callStore, checkRecord, feature, sealContext, type VaultContext } from './context.js';
import type { AccessKeyAuthentication } from './features.js';
import { callDetached } from './hooks.js';
import type { GuardRequest, PlatformKey } from './options.js';
import { parseInput, resolveInputSchema } from './schemas.js';
import type { z } from 'zod';

/** Input of `vault.resolve`. */
export type ResolveInput = z.input<typeof resolveInputSchema>;

type ResolveRequest = z.output<typeof resolveInputSchema> & { accessKeyId: string | null; model?: string };

function frozenTrace(trace: TraceEntry[]): readonly TraceEntry[] {
  return Object.freeze(trace.map((entry) => Object.freeze({ ...entry })));
}

function describe(request: ResolveRequest): string {
  const what = request.provider ? `provider "${request.provider}"` : request.config ? `config "${request.config}"` : 'any provider';
  return `tenant "${request.tenantId}", scope "${request.scope}", ${what}`;
}

async function checkGuard(ctx: VaultContext, request: GuardRequest): Promise<void> {
  if (!ctx.guard) return;
  const verdict = await ctx.guard(request);
  if (verdict && typeof verdict === 'object' && typeof verdict.deny === 'string') throw new ResolutionDeniedError(verdict.deny);
}

function prefixesOf(ctx: VaultContext, provider: string): readonly string[] {
  return Object.hasOwn(ctx.providers, provider) ? ctx.providers[provider]!.keyPrefixes : [];
}

async function lookupPlatformKey(ctx: VaultContext, request: ResolveRequest, provider: string): Promise<PlatformKey | null> {
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

function snapshot(request: ResolveRequest, parts: Snapshot, trace: TraceEntry[], at: Date, context: Omit<ClientContext, 'resolution'>): Resolution {
  return Object.freeze({
    ...parts,
    tenantId: request.tenantId,
    scope: request.scope,
    requestedProvider: request.provider ?? null,
    accessKeyId: request.accessKeyId,
    options: Object.freeze({ ...parts.options }),
    keyHint: parts.key.hint,
    trace: frozenTrace(trace),
    resolvedAt: at.toISOString(),
    // createClient builds this resolution's client under its vault's endpoint policy (a copy's too), reporting to it.
    ...clientContextField(context),
  });
}

async function fromConfig(ctx: VaultContext, request: ResolveRequest, record: CandidateRecord, source: KeySource, trace: TraceEntry[]): Promise<Snapshot> {
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
    // Fail closed (DESIGN rule 13): never fall back to another key.
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

function undecryptable(record: CandidateRecord, cause?: unknown): DecryptionError {
  return new DecryptionError(
    'KEY_UNDECRYPTABLE',
    `[byokit] [resolve] the key of config ${record.id} ("${record.name}") can't be opened; re-enter it`,
    cause === undefined ? undefined : { cause },
  );
}

async function fromPlatform(ctx: VaultContext, request: ResolveRequest, provider: string, trace: TraceEntry[]): Promise<Snapshot> {
  const platformKey = await lookupPlatformKey(ctx, request, provider);
  if (!platformKey) {
    trace.push({ step: 'platform', outcome: 'skipped', reason: 'no_platform_key' });
    throw new NoKeyError(`[byokit] [resolve] no key for ${describe(request)}: no usable config and no platform key`, frozenTrace(trace));
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

/** Resolves which key a request uses (DESIGN rules 6-8, 11, 13), by tenant or by access key. */
export async function resolveKey(ctx: VaultContext, input: ResolveInput | AccessKeyResolveInput): Promise<Resolution> {
  if (ctx.state.closed) throw new VaultClosedError('vault.resolve');
  let access: AccessKeyAuthentication | null = null;
  let request: ResolveRequest;
  if (typeof input === 'object' && input !== null && 'accessKey' in input) {
    access = await feature(ctx.accessKeys, 'accessKeys').authenticate(ctx, input);
    request = { ...access.request, accessKeyId: access.accessKey.id };
  } else {
    request = { ...parseInput(resolveInputSchema, input, 'resolve request'), accessKeyId: null };
  }
  const chain = scopeChain(request.scope);
  // Candidates, and the settings only when entitlement is managed, read alongside (the access-key read has both).
  const [candidates, settings] = access
    ? [access.candidates, access.settings]
    : await Promise.all([callStore(ctx, 'loadCandidates', () => ctx.store.loadCandidates(request.tenantId, chain)), ctx.entitlement?.read(ctx, request.tenantId)]);
  // A candidate of another tenant fails the whole resolution: skipping it could hand out a weaker key instead.
  for (const candidate of candidates) checkRecord(ctx, candidate, request.tenantId);
  let explicit: CandidateRecord | null = null;
  if (request.config !== undefined) {
    explicit = candidates.find((c) => c.id === request.config) ?? candidates.find((c) => c.name === request.config) ?? null;
    if (!explicit) throw new NotFoundError(`[byokit] [resolve] no config "${request.config}" visible from ${describe(request)}`);
  }
  const now = ctx.now();
  const decision = decideResolution({
    candidates,
    chain,
    provider: request.provider ?? null,
    explicit,
    fallback: ctx.fallback,
    now,
    entitled: ctx.entitlement?.entitled(ctx, settings ?? null, request.tenantId),
  });
  let parts: Snapshot;
  if (decision.kind === 'config') {
    parts = await fromConfig(ctx, request, decision.record, decision.source, decision.trace);
  } else if (decision.kind === 'undecryptable') {
    // The row says a key is stored but its sealed value is gone (or the reverse): a present key, never a fallback.
    throw undecryptable(decision.record);
  } else if (decision.kind === 'mismatch') {
    throw new ProviderError(
      'PROVIDER_MISMATCH',
      `[byokit] [resolve] config "${decision.record.name}" is a ${decision.record.provider} config and does not serve provider "${decision.provider}"`,
    );
  } else if (decision.kind === 'platform') {
    parts = await fromPlatform(ctx, request, decision.provider, decision.trace);
  } else {
    const why = decision.provider === null ? 'no usable config and no provider named for a platform key' : 'no usable config and the fallback policy is "none"';
    throw new NoKeyError(`[byokit] [resolve] no key for ${describe(request)}: ${why}`, frozenTrace(decision.trace));
  }
  // Allow-lists on what the resolution ended with, then the quota: only a resolution handed out counts.
  if (access) await ctx.accessKeys!.admit(ctx, access.accessKey, request.provider ?? parts.provider, request.model ?? parts.model, now);
  const resolution = snapshot(request, parts, decision.trace, now, {
    network: ctx.network,
    tenantId: request.tenantId,
    owner: ctx,
    outcomes: ctx.outcomes,
    keySetAt: decision.kind === 'config' ? decision.record.keySetAt : null,
  });
  bindClientContext(resolution);
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
  return resolution;
}
