/**
 * The facade hosts call: `createVault(...)`, then `vault.as(...)` for admin
 * work and `vault.resolve(...)` per request.
 *
 * @module
 */
import { KeyringError, StoreError, ValidationError, VaultClosedError } from '../errors.js';
import { KEK_ID_PATTERN } from '../crypto/sealed-kek-id.js';
import { networkPolicy } from '../net/endpoint-policy.js';
import { builtinProviders } from '../providers/builtin.js';
import { clientContextOf } from '../providers/client-context.js';
import { OutcomeLoop } from '../outcomes/loop.js';
import { revalidateKeys, type RevalidateOptions, type RevalidateSummary } from '../outcomes/revalidate.js';
import type { OutcomeReport } from '../outcomes/types.js';
import type { Resolution } from '../resolve/types.js';
import { STORAGE_ADAPTER_METHODS, type StorageAdapter } from '../store/types.js';
import { feature, type VaultContext } from './context.js';
import {
  keyringStatus,
  rewrapTenant,
  rotateStore,
  type KeyringStatus,
  type RewrapReport,
  type RotateOptions,
  type RotationProgress,
  type RotationReport,
} from './rotation.js';
import type { VaultOptions } from './options.js';
import { defaultAuthorize } from './permissions.js';
import type { AccessKeyResolveInput, RecordUsageInput } from './access-keys.js';
import { resolveKey, type ResolveInput } from './resolve-key.js';
import type { EntitlementInput } from './settings/entitlement.js';
import type { EntitlementSettings } from '../store/settings-storage.js';
import { parseWith } from './lazy-schemas.js';
import { checkTenantHandle } from './plain-input.js';
import { checkOutcomeReport } from '../outcomes/report-input.js';
import { TenantVault } from './tenant-vault.js';
import type { WithKeyAttempt, WithKeyOptions } from '../pools/with-key.js';
import type { Actor } from '../store/types.js';
import { byokitMessage } from '../message.js';

/** The longest grace period a previous key may be kept for. */
const MAX_GRACE_MS = 366 * 24 * 3600_000;

/** The default grace period of a previous key. */
const DEFAULT_GRACE_MS = 24 * 3600_000;

function invalidOption(path: string, message: string): ValidationError {
  return new ValidationError(
    byokitMessage('vault', `invalid vault options: ${path === '(input)' ? '' : `${path}: `}${message}`),
    [{ path, message }],
  );
}

/** The optional options' types: a wrong one fails here, typed, not later inside a call. */
function checkOptions(options: VaultOptions): void {
  if (options.fallback !== undefined && options.fallback !== 'platform' && options.fallback !== 'none') {
    throw invalidOption('fallback', 'must be "platform" or "none"');
  }
  for (const name of [
    'authorize',
    'onResolve',
    'guard',
    'auditSink',
    'onNetworkIncident',
    'endpointPolicy',
    'onHookError',
    'now',
    'onUsage',
    'onKeyHealth',
  ] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw invalidOption(name, 'must be a function');
  }
  const grace = options.previousKeyGracePeriodMs;
  if (grace !== undefined && !(Number.isSafeInteger(grace) && grace >= 0 && grace <= MAX_GRACE_MS)) {
    throw invalidOption('previousKeyGracePeriodMs', 'must be an integer from 0 to 366 days in milliseconds');
  }
  const health = options.keyHealth;
  if (health !== undefined && typeof health !== 'boolean') {
    if (typeof health !== 'object' || health === null)
      throw invalidOption('keyHealth', 'must be a boolean or an object');
    for (const name of ['flushIntervalMs', 'maxPendingKeys'] as const) {
      const value = health[name];
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1))
        throw invalidOption(`keyHealth.${name}`, 'must be a positive integer');
    }
  }
  for (const name of ['accessKeys', 'entitlement'] as const) {
    if (options[name] !== undefined && typeof options[name]?.get !== 'function')
      throw invalidOption(name, 'must be made by its factory');
  }
  if (options.pools !== undefined && typeof options.pools?.decide !== 'function')
    throw invalidOption('pools', 'must be made by its factory (keyPools)');
  if (options.routes !== undefined && typeof options.routes?.pick !== 'function')
    throw invalidOption('routes', 'must be made by its factory (workloadRoutes())');
  const { platformKeys, providers } = options;
  if (
    platformKeys !== undefined &&
    typeof platformKeys !== 'function' &&
    (typeof platformKeys !== 'object' || platformKeys === null)
  ) {
    throw invalidOption('platformKeys', 'must be an object of keys or a function');
  }
  if (providers !== undefined && (typeof providers !== 'object' || providers === null || Array.isArray(providers))) {
    throw invalidOption('providers', 'must be an object of provider descriptors');
  }
}

function checkAdapter(store: unknown): asserts store is StorageAdapter {
  const missing = STORAGE_ADAPTER_METHODS.filter(
    (m) => typeof (store as Record<string, unknown> | null)?.[m] !== 'function',
  );
  if (missing.length > 0) {
    throw new StoreError(
      'ADAPTER_INVALID',
      byokitMessage('vault', `the store is missing method(s): ${missing.join(', ')}`),
    );
  }
}

function checkKeyring(keyring: unknown): void {
  const k = keyring as Record<string, unknown> | null;
  const ok =
    typeof k === 'object' &&
    k !== null &&
    typeof k.primaryKekId === 'string' &&
    ['hasKek', 'wrapDek', 'unwrapDek'].every((m) => typeof k[m] === 'function');
  if (!ok)
    throw new KeyringError(
      'KEYRING_INVALID',
      byokitMessage('vault', '`keyring` must be a Keyring or another KekProvider'),
    );
  if (!KEK_ID_PATTERN.test(k.primaryKekId as string)) {
    throw new KeyringError(
      'KEYRING_INVALID',
      byokitMessage(
        'vault',
        'the primary KEK id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-" (map KMS key names to short ids)',
      ),
    );
  }
}

/**
 * A vault: stores, resolves and governs one platform's BYOK keys.
 * Create it with {@link createVault}.
 */
export class Vault {
  readonly #ctx: VaultContext;

  /** @internal Use {@link createVault}. */
  constructor(ctx: VaultContext) {
    this.#ctx = ctx;
  }

  /**
   * A handle for admin work in one tenant, as one actor. Every call on it
   * is permission-checked and audited with this actor.
   */
  as(input: { tenantId: string; actor: Actor }): TenantVault {
    this.#open('vault.as');
    const { tenantId, actor } = checkTenantHandle(input);
    return new TenantVault(this.#ctx, tenantId, actor);
  }

  /**
   * Which key a request should use: one store read, then per scope from the
   * asked one up to the tenant: explicit config > custom endpoint > BYOK
   * (default, else most recent) > parent scope > platform key. A service
   * call: it takes no actor.
   *
   * @throws `NO_KEY` when nothing applies, `KEY_UNDECRYPTABLE` when the
   * chosen key can't be opened (never a silent fallback), `RESOLUTION_DENIED`
   * when the guard refuses, `NOT_FOUND` for an unknown explicit config.
   *
   * @example
   * ```ts
   * const r = await vault.resolve({ tenantId: 'acme', scope: 'ws1/proj7', provider: 'openai' });
   * r.source; // 'byok' | 'custom' | 'platform'
   * ```
   */
  resolve(input: ResolveInput | AccessKeyResolveInput): Promise<Resolution> {
    return resolveKey(this.#ctx, input);
  }

  /**
   * Runs a provider call with a resolved key, moving to the pool's next key
   * when it fails: resolves `request`, builds the client (the SDK's own
   * retries off), and calls `fn(client, resolution, attempt)`. When the
   * call fails with a 429 (`rate_limited`), an auth failure or a 5xx, it
   * runs `fn` again with the next key of the pool (the failed one cooling
   * down or marked failing), at most `maxAttempts` calls within
   * `timeoutMs`, none after `signal` aborts. When no key is left, the last
   * error is thrown as the SDK threw it, unless `onFailure: 'platform'`
   * (per call, or on `keyPools`) allows one more call with the platform
   * key. Each move is in the next resolution's trace (`step: 'retry'`) and
   * on its outcomes (`outcome.move`). Needs `createVault({ pools: keyPools() })`.
   *
   * @throws the provider SDK's own error of the last call; `NO_KEY`,
   * `RESOLUTION_DENIED`, ... from the first resolution; `VALIDATION_FAILED`
   * for bad options or without `pools`.
   *
   * @example
   * ```ts
   * const completion = await vault.withKey({ tenantId: 'acme', provider: 'openai' }, (openai: OpenAI, r, { signal }) =>
   *   openai.chat.completions.create({ model: r.model ?? 'gpt-4o-mini', messages }, { signal }),
   * );
   * ```
   */
  // biome-ignore lint/suspicious/noExplicitAny: the client's type is the caller's to name; untyped, it is the SDK's own.
  async withKey<T, C = any>(
    request: ResolveInput | AccessKeyResolveInput,
    fn: (client: C, resolution: Resolution, attempt: WithKeyAttempt) => T | Promise<T>,
    options?: WithKeyOptions,
  ): Promise<T> {
    this.#open('vault.withKey');
    return (await feature(this.#ctx.pools, 'pools').withKey(this.#ctx, request, fn, options)) as T;
  }

  /**
   * Reports what a call made with one of this vault's resolutions came to,
   * for a host that calls the provider without a client from
   * `createClient` (or with `@google/generative-ai`, which can't be
   * observed). Feeds the same pipeline as instrumented clients: `onUsage`,
   * and with key health on, the key's health and last use. Never send
   * prompts or completions: the report has no field for them.
   *
   * @throws `VALIDATION_FAILED` for a malformed report, or a resolution that
   * is not one this vault handed out (another vault's, a hand-built object;
   * a copy such as `{ ...r, model }` counts as the resolution it was copied
   * from, and is attributed by that original's fields); `VAULT_CLOSED`
   * after `close()`.
   *
   * @example
   * ```ts
   * const started = Date.now();
   * const res = await fetch(url, { headers: { authorization: `Bearer ${r.key.reveal()}` } });
   * vault.report(r, { status: res.ok ? 'ok' : res.status === 401 ? 'auth_failed' : 'server_error', httpStatus: res.status, latencyMs: Date.now() - started });
   * ```
   */
  report(resolution: Resolution, report: OutcomeReport): void {
    this.#open('vault.report');
    if (typeof resolution !== 'object' || resolution === null || clientContextOf(resolution)?.owner !== this.#ctx) {
      throw new ValidationError(
        byokitMessage('vault', 'invalid report: resolution: must be a resolution this vault returned'),
        [{ path: 'resolution', message: 'must be a resolution this vault returned' }],
      );
    }
    const parsed = checkOutcomeReport(report);
    this.#ctx.outcomes?.observe(resolution, parsed, 'report');
  }

  /**
   * Re-validates stored keys whose last validation attempt is older than
   * `olderThan` milliseconds (or that were never validated), across the
   * given tenants, `concurrency` at a time: for a host's scheduler. Each
   * check is a `validateKey` (recorded as its attempt, with the key's health:
   * a valid key recovers, a refused one starts failing). Disabled, expired
   * and undecryptable keys are skipped.
   *
   * @example
   * ```ts
   * const summary = await vault.revalidate({ tenantIds: await listMyTenants(), olderThan: 24 * 3600_000, concurrency: 4 });
   * summary.byStatus.invalid_key; // keys that stopped working
   * ```
   */
  async revalidate(options: RevalidateOptions): Promise<RevalidateSummary> {
    this.#open('vault.revalidate');
    const parsed = await parseWith('revalidateOptionsSchema', options, 'revalidate options');
    return revalidateKeys(this.#ctx, parsed as RevalidateOptions & { concurrency: number });
  }

  /**
   * Closes the vault: writes the key health news it holds (last use written
   * behind), stops its timers, and from then on refuses every call, through
   * tenant handles made before too, with `VAULT_CLOSED`. Outcomes clients
   * observe after it are dropped. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#ctx.state.closed = true;
    await this.#ctx.outcomes?.close();
  }

  #open(operation: string): void {
    if (this.#ctx.state.closed) throw new VaultClosedError(operation);
  }

  /**
   * Charges tokens a call used to the access key its resolution came from
   * (`resolution.accessKeyId`): they add to the key's usage record of the
   * day and to its token budget, which the next resolutions check. A
   * service call: it takes no actor.
   *
   * @example
   * ```ts
   * const r = await vault.resolve({ accessKey: bearer, provider: 'openai' });
   * // ... the call, then with the provider's usage report:
   * if (r.accessKeyId) await vault.recordUsage({ tenantId: r.tenantId, accessKeyId: r.accessKeyId, tokens: 14 });
   * ```
   */
  async recordUsage(input: RecordUsageInput): Promise<void> {
    return feature(this.#ctx.accessKeys, 'accessKeys').recordUsage(this.#ctx, input);
  }

  /**
   * Sets whether a tenant may bring its own keys, and optionally for which
   * providers (`'custom'` for custom endpoints). A platform call, not a
   * tenant permission: no policy is asked; the audit event names `actor`
   * (your platform admin) or none. With `byok: false` the tenant can't set
   * keys (`BYOK_NOT_ENTITLED`) and resolution skips its stored keys (kept,
   * and used again once it is switched back on). Needs the vault option
   * `entitlement: byokEntitlement({ default })`.
   *
   * @example
   * ```ts
   * await vault.setEntitlement('acme', { byok: true, providers: ['openai', 'anthropic'] }, { actor: { id: 'platform-admin-7' } });
   * ```
   */
  async setEntitlement(
    tenantId: string,
    input: EntitlementInput,
    options: { actor?: Actor } = {},
  ): Promise<EntitlementSettings> {
    return feature(this.#ctx.entitlement, 'entitlement').set(this.#ctx, tenantId, input, options?.actor);
  }

  /** A tenant's effective entitlement: its own setting, else the default of `byokEntitlement({ default })`. */
  async getEntitlement(tenantId: string): Promise<EntitlementSettings> {
    return feature(this.#ctx.entitlement, 'entitlement').get(this.#ctx, tenantId);
  }

  /**
   * After a rotation (a keyring whose new primary KEK comes first, old KEKs
   * after it), re-wraps every stored data key of `tenantId` that another
   * KEK wraps, the pending and previous keys of a staged rotation included.
   * Provider keys need not be re-entered. Safe to run again, and
   * concurrently with other writes. For the whole store, use
   * {@link Vault.rotate}.
   *
   * Works in batches: one read of up to 500 sealed keys, the re-wraps,
   * then one write that swaps each key only if it is still the one read
   * (compare-and-swap on the sealed value, so a rename or a new default
   * meanwhile does not make a key miss its rewrap). A key replaced or
   * removed meanwhile is read again on its own.
   */
  async rewrapKeys(input: { tenantId: string; actor?: Actor }): Promise<RewrapReport> {
    this.#open('vault.rewrapKeys');
    const tenantId = await parseWith('tenantIdSchema', input?.tenantId, 'tenant id');
    const actor = input?.actor === undefined ? null : await parseWith('actorSchema', input.actor, 'actor');
    return rewrapTenant(this.#ctx, tenantId, actor);
  }

  /**
   * Re-wraps every stored key of every tenant that the primary KEK does
   * not wrap (active keys, and the pending and previous keys of staged
   * rotations), for an operator rotating the master key: put the new KEK
   * first in the keyring, keep the old ones after it, run this, check
   * {@link Vault.keyringStatus}, then drop the old KEKs.
   *
   * Resumable: stop it anywhere (the `signal`, a killed process, a lost
   * connection) and run it again; it finds the keys still to do. Each key
   * is swapped only if it is still the one read, so a key replaced during
   * the run keeps its new value, and resolutions keep working throughout
   * (a reader sees the key under the old KEK or the new one). Keys that
   * can't be opened are listed in `failed` and left as they are.
   *
   * @throws `VALIDATION_FAILED` for bad options; `STORE_FAILED` when the
   * store fails (what was done stays done: run again).
   *
   * @example
   * ```ts
   * const report = await vault.rotate({ onProgress: (p) => console.log(`${p.done}/${p.total} keys, ${p.rate}/s`) });
   * if (report.remaining === 0) console.log('old KEKs unused: remove them from BYOKIT_MASTER_KEYS');
   * ```
   */
  async rotate(options: RotateOptions = {}): Promise<RotationReport> {
    this.#open('vault.rotate');
    const parsed = await parseWith('rotateOptionsSchema', options, 'rotate options');
    return rotateStore(this.#ctx, {
      batchSize: parsed.batchSize,
      actor: parsed.actor ?? null,
      ...(parsed.signal === undefined ? {} : { signal: parsed.signal }),
      ...(parsed.onProgress === undefined ? {} : { onProgress: parsed.onProgress as (p: RotationProgress) => void }),
    });
  }

  /**
   * How many keys the store holds per KEK id and per state (`active`,
   * `disabled`, `expired`, and the `pending` and `previous` keys of staged
   * rotations), across every tenant: the keyring's KEKs first (a KEK with
   * 0 keys is unused and can leave the keyring), then KEK ids the store
   * names but the keyring lacks (`inKeyring: false`: those keys can't be
   * opened). One store read.
   *
   * @example
   * ```ts
   * const status = await vault.keyringStatus();
   * for (const kek of status.keks) console.log(kek.kekId, kek.keys, kek.primary ? '(primary)' : '');
   * ```
   */
  async keyringStatus(): Promise<KeyringStatus> {
    this.#open('vault.keyringStatus');
    return keyringStatus(this.#ctx);
  }
}

/**
 * Creates a vault.
 *
 * @example
 * ```ts
 * const vault = createVault({
 *   store: new MemoryStore(),
 *   keyring: Keyring.fromEnv(),                       // BYOKIT_MASTER_KEYS
 *   platformKeys: { openai: process.env.OPENAI_API_KEY },
 * });
 * ```
 */
export function createVault(options: VaultOptions): Vault {
  if (!options || typeof options !== 'object') throw invalidOption('(input)', 'createVault needs an options object');
  checkAdapter(options.store);
  checkKeyring(options.keyring);
  checkOptions(options);
  const health = options.keyHealth ?? options.onKeyHealth !== undefined;
  const ctx: VaultContext = {
    store: options.store,
    keyring: options.keyring,
    providers: Object.freeze({ ...builtinProviders, ...options.providers }),
    authorize: options.authorize ?? defaultAuthorize,
    fallback: options.fallback ?? 'platform',
    platformKeys: options.platformKeys,
    onResolve: options.onResolve,
    guard: options.guard,
    auditSink: options.auditSink,
    onHookError: options.onHookError,
    onNetworkIncident: options.onNetworkIncident,
    network: networkPolicy({
      allowPrivateEndpoints: options.allowPrivateEndpoints,
      endpointPolicy: options.endpointPolicy,
    }),
    accessKeys: options.accessKeys,
    entitlement: options.entitlement,
    pools: options.pools,
    routes: options.routes,
    now: options.now ?? (() => new Date()),
    onUsage: options.onUsage,
    onKeyHealth: options.onKeyHealth,
    previousKeyGracePeriodMs: options.previousKeyGracePeriodMs ?? DEFAULT_GRACE_MS,
    outcomes: null,
    state: { closed: false },
  };
  // Access keys need the loop too (tokens observed on their calls are charged to their budgets), and pools (429s become cooldowns).
  if (options.onUsage || health || options.accessKeys || options.pools) {
    const settings = typeof health === 'object' ? health : {};
    ctx.outcomes = new OutcomeLoop(
      ctx,
      health ? (settings.flushIntervalMs ?? 60_000) : 0,
      settings.maxPendingKeys ?? 10_000,
    );
  }
  return new Vault(ctx);
}
