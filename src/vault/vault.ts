/**
 * The facade hosts call: `createVault(...)`, then `vault.as(...)` for admin
 * work and `vault.resolve(...)` per request.
 *
 * @module
 */
import { KeyringError, StoreError, ValidationError, VaultClosedError, isByokitError } from '../errors.js';
import { KEK_ID_PATTERN, sealedKekId } from '../crypto/sealed-kek-id.js';
import { rewrapSealed } from '../crypto/envelope.js';
import { networkPolicy } from '../net/endpoint-policy.js';
import { builtinProviders } from '../providers/builtin.js';
import { clientContextOf } from '../providers/client-context.js';
import { OutcomeLoop } from '../outcomes/loop.js';
import { revalidateKeys, type RevalidateOptions, type RevalidateSummary } from '../outcomes/revalidate.js';
import type { OutcomeReport } from '../outcomes/types.js';
import type { Resolution } from '../resolve/types.js';
import { STORAGE_ADAPTER_METHODS, type StorageAdapter } from '../store/types.js';
import { auditEvent, callStore, checkRecord, feature, loadSealedConfig, sealContext, type VaultContext } from './context.js';
import { callDetached } from './hooks.js';
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
import type { Actor, CandidateRecord, SealedKeySwap } from '../store/types.js';

/** Outcome of {@link Vault.rewrapKeys}. */
export interface RewrapReport {
  /** Keys this pass re-wrapped under the primary KEK. */
  rewrapped: number;
  /** Keys that could not be opened (their KEK is gone or they are damaged): re-enter them. */
  failed: {
    /** The config whose key could not be opened. */
    configId: string;
    /** The byokit error code (`KEY_UNDECRYPTABLE`, ...). */
    code: string;
  }[];
  /**
   * Keys still wrapped by another KEK after this pass (the failed ones, and
   * any that kept changing under concurrent writes). Remove an old KEK from
   * the keyring only once every tenant reports `remaining: 0`.
   */
  remaining: number;
}

/** How often one key's rewrap is retried when concurrent writes keep replacing its key. */
const REWRAP_ATTEMPTS = 5;

/** Sealed keys read, re-wrapped and swapped per store round trip by {@link Vault.rewrapKeys}. */
const REWRAP_BATCH = 500;

/** What became of one key in a rewrap. */
type RewrapOutcome = 'rewrapped' | 'current' | 'busy' | { code: string };

function isSwap(value: SealedKeySwap | 'current' | { code: string }): value is SealedKeySwap {
  return typeof value === 'object' && 'to' in value;
}

function invalidOption(path: string, message: string): ValidationError {
  return new ValidationError(`[byokit] [vault] invalid vault options: ${path === '(input)' ? '' : `${path}: `}${message}`, [{ path, message }]);
}

/** The optional options' types: a wrong one fails here, typed, not later inside a call. */
function checkOptions(options: VaultOptions): void {
  if (options.fallback !== undefined && options.fallback !== 'platform' && options.fallback !== 'none') {
    throw invalidOption('fallback', 'must be "platform" or "none"');
  }
  for (const name of ['authorize', 'onResolve', 'guard', 'auditSink', 'onNetworkIncident', 'endpointPolicy', 'onHookError', 'now', 'onUsage', 'onKeyHealth'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalidOption(name, 'must be a function');
  }
  const health = options.keyHealth;
  if (health !== undefined && typeof health !== 'boolean') {
    if (typeof health !== 'object' || health === null) throw invalidOption('keyHealth', 'must be a boolean or an object');
    for (const name of ['flushIntervalMs', 'maxPendingKeys'] as const) {
      const value = health[name];
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) throw invalidOption(`keyHealth.${name}`, 'must be a positive integer');
    }
  }
  for (const name of ['accessKeys', 'entitlement'] as const) {
    if (options[name] !== undefined && typeof options[name]?.get !== 'function') throw invalidOption(name, 'must be made by its factory');
  }
  if (options.pools !== undefined && typeof options.pools?.decide !== 'function') throw invalidOption('pools', 'must be made by its factory (keyPools)');
  const { platformKeys, providers } = options;
  if (platformKeys !== undefined && typeof platformKeys !== 'function' && (typeof platformKeys !== 'object' || platformKeys === null)) {
    throw invalidOption('platformKeys', 'must be an object of keys or a function');
  }
  if (providers !== undefined && (typeof providers !== 'object' || providers === null || Array.isArray(providers))) {
    throw invalidOption('providers', 'must be an object of provider descriptors');
  }
}

function checkAdapter(store: unknown): asserts store is StorageAdapter {
  const missing = STORAGE_ADAPTER_METHODS.filter((m) => typeof (store as Record<string, unknown> | null)?.[m] !== 'function');
  if (missing.length > 0) {
    throw new StoreError('ADAPTER_INVALID', `[byokit] [vault] the store is missing method(s): ${missing.join(', ')}`);
  }
}

function checkKeyring(keyring: unknown): void {
  const k = keyring as Record<string, unknown> | null;
  const ok = typeof k === 'object' && k !== null && typeof k.primaryKekId === 'string' && ['hasKek', 'wrapDek', 'unwrapDek'].every((m) => typeof k[m] === 'function');
  if (!ok) throw new KeyringError('KEYRING_INVALID', '[byokit] [vault] `keyring` must be a Keyring or another KekProvider');
  if (!KEK_ID_PATTERN.test(k.primaryKekId as string)) {
    throw new KeyringError('KEYRING_INVALID', '[byokit] [vault] the primary KEK id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-" (map KMS key names to short ids)');
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
      throw new ValidationError('[byokit] [vault] invalid report: resolution: must be a resolution this vault returned', [
        { path: 'resolution', message: 'must be a resolution this vault returned' },
      ]);
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
  async setEntitlement(tenantId: string, input: EntitlementInput, options: { actor?: Actor } = {}): Promise<EntitlementSettings> {
    return feature(this.#ctx.entitlement, 'entitlement').set(this.#ctx, tenantId, input, options?.actor);
  }

  /** A tenant's effective entitlement: its own setting, else the default of `byokEntitlement({ default })`. */
  async getEntitlement(tenantId: string): Promise<EntitlementSettings> {
    return feature(this.#ctx.entitlement, 'entitlement').get(this.#ctx, tenantId);
  }

  /**
   * After a rotation (a keyring whose new primary KEK comes first, old KEKs
   * after it), re-wraps every stored data key of `tenantId` that another
   * KEK wraps. Provider keys need not be re-entered. Safe to run again, and
   * concurrently with other writes.
   *
   * Works in batches: one read of up to `REWRAP_BATCH` (500) sealed keys,
   * the re-wraps, then one write that swaps each key only if it is still
   * the one read (compare-and-swap on the sealed value, so a rename or a
   * new default meanwhile does not make a key miss its rewrap). A key
   * replaced or removed meanwhile is read again on its own.
   */
  async rewrapKeys(input: { tenantId: string; actor?: Actor }): Promise<RewrapReport> {
    const tenantId = await parseWith('tenantIdSchema', input?.tenantId, 'tenant id');
    const actor = input?.actor === undefined ? null : await parseWith('actorSchema', input.actor, 'actor');
    const ctx = this.#ctx;
    const primary = ctx.keyring.primaryKekId;
    const report: RewrapReport = { rewrapped: 0, failed: [], remaining: 0 };
    const count = (id: string, outcome: RewrapOutcome) => {
      if (outcome === 'rewrapped') report.rewrapped += 1;
      else if (outcome !== 'current') {
        report.remaining += 1;
        if (outcome !== 'busy') report.failed.push({ configId: id, code: outcome.code });
      }
    };
    let cursor: string | undefined;
    do {
      const page = await callStore(ctx, 'listSealedConfigs', () =>
        ctx.store.listSealedConfigs(tenantId, { kekIdNot: primary, limit: REWRAP_BATCH, ...(cursor === undefined ? {} : { cursor }) }),
      );
      const swaps: SealedKeySwap[] = [];
      for (const row of page.items) {
        const prepared = row.tenantId === tenantId ? await this.#prepareSwap(tenantId, row.id, row, actor) : { code: 'RECORD_MISMATCH' };
        if (isSwap(prepared)) swaps.push(prepared);
        else count(row.id, prepared);
      }
      const applied = swaps.length === 0 ? [] : await callStore(ctx, 'swapSealedKeys', () => ctx.store.swapSealedKeys(tenantId, swaps));
      for (const [i, swap] of swaps.entries()) {
        if (applied[i] === true) {
          report.rewrapped += 1;
          callDetached(ctx.auditSink, swap.audit, 'auditSink', ctx.onHookError);
        } else {
          // The key changed since the page was read: read its one row again.
          count(swap.id, await this.#rewrapOne(tenantId, swap.id, actor));
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return report;
  }

  /**
   * The swap that moves one stored key to the primary KEK, or why there is
   * none: `'current'` when it has no key or the primary already wraps it
   * (which KEK wraps it is read from the sealed value itself, never from
   * what the row says), a failure code when it can't be opened.
   */
  async #prepareSwap(tenantId: string, id: string, row: CandidateRecord | null, actor: Actor | null): Promise<SealedKeySwap | 'current' | { code: string }> {
    const ctx = this.#ctx;
    const primary = ctx.keyring.primaryKekId;
    const fromKekId = sealedKekId(row?.sealedKey);
    if (!row || row.sealedKey === null || fromKekId === primary) return 'current';
    let to: string;
    try {
      to = await rewrapSealed(row.sealedKey, sealContext(tenantId, id, row), ctx.keyring);
    } catch (error) {
      return { code: isByokitError(error) ? error.code : 'DECRYPTION_FAILED' };
    }
    const at = ctx.now();
    const audit = auditEvent(
      { tenantId, configId: id, actor, type: 'key.rewrapped', changes: ['kekId'], keyHint: row.keyHint, detail: { fromKekId, toKekId: primary } },
      at,
    );
    return { id, from: row.sealedKey, to, updatedAt: at.toISOString(), audit };
  }

  /**
   * Re-wraps one key on its own, reading its one row again each time its
   * swap misses (another write replaced the key in between).
   */
  async #rewrapOne(tenantId: string, id: string, actor: Actor | null): Promise<RewrapOutcome> {
    const ctx = this.#ctx;
    for (let attempt = 0; attempt < REWRAP_ATTEMPTS; attempt++) {
      let row;
      try {
        row = await loadSealedConfig(ctx, tenantId, id);
      } catch (error) {
        if (isByokitError(error, 'RECORD_MISMATCH')) return { code: error.code };
        throw error;
      }
      const swap = await this.#prepareSwap(tenantId, id, row, actor);
      if (!isSwap(swap)) return swap;
      const [applied] = await callStore(ctx, 'swapSealedKeys', () => ctx.store.swapSealedKeys(tenantId, [swap]));
      if (applied === true) {
        callDetached(ctx.auditSink, swap.audit, 'auditSink', ctx.onHookError);
        return 'rewrapped';
      }
    }
    return 'busy';
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
    network: networkPolicy({ allowPrivateEndpoints: options.allowPrivateEndpoints, endpointPolicy: options.endpointPolicy }),
    accessKeys: options.accessKeys,
    entitlement: options.entitlement,
    pools: options.pools,
    now: options.now ?? (() => new Date()),
    onUsage: options.onUsage,
    onKeyHealth: options.onKeyHealth,
    outcomes: null,
    state: { closed: false },
  };
  // Access keys need the loop too (tokens observed on their calls are charged to their budgets), and pools (429s become cooldowns).
  if (options.onUsage || health || options.accessKeys || options.pools) {
    const settings = typeof health === 'object' ? health : {};
    ctx.outcomes = new OutcomeLoop(ctx, health ? (settings.flushIntervalMs ?? 60_000) : 0, settings.maxPendingKeys ?? 10_000);
  }
  return new Vault(ctx);
}
