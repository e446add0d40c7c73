/**
 * The facade hosts call: `createVault(...)`, then `vault.as(...)` for admin
 * work and `vault.resolve(...)` per request.
 *
 * @module
 */
import { KeyringError, StoreError, ValidationError, isByokitError } from '../errors.js';
import { KEK_ID_PATTERN, sealedKekId } from '../crypto/sealed-kek-id.js';
import { rewrapSealed } from '../crypto/envelope.js';
import { networkPolicy } from '../net/endpoint-policy.js';
import { builtinProviders } from '../providers/builtin.js';
import type { Resolution } from '../resolve/types.js';
import { STORAGE_ADAPTER_METHODS, type StorageAdapter } from '../store/types.js';
import { auditEvent, callStore, checkRecord, loadSealedConfig, sealContext, type VaultContext } from './context.js';
import { callDetached } from './hooks.js';
import type { VaultOptions } from './options.js';
import { defaultAuthorize } from './permissions.js';
import { resolveKey, type ResolveInput } from './resolve-key.js';
import { actorSchema, parseInput, tenantHandleInputSchema, tenantIdSchema } from './schemas.js';
import { TenantVault } from './tenant-vault.js';
import type { Actor } from '../store/types.js';

/** Outcome of {@link Vault.rewrapKeys}. */
export interface RewrapReport {
  /** Keys this pass re-wrapped under the primary KEK. */
  rewrapped: number;
  /** Keys that could not be opened (their KEK is gone or they are damaged): re-enter them. */
  failed: { configId: string; code: string }[];
  /**
   * Keys still wrapped by another KEK after this pass (the failed ones, and
   * any that kept changing under concurrent writes). Remove an old KEK from
   * the keyring only once every tenant reports `remaining: 0`.
   */
  remaining: number;
}

/** How often one key's rewrap is retried when concurrent writes keep changing its record. */
const REWRAP_ATTEMPTS = 5;

function invalidOption(path: string, message: string): ValidationError {
  return new ValidationError(`[byokit] [vault] invalid vault options: ${path === '(input)' ? '' : `${path}: `}${message}`, [{ path, message }]);
}

/** The optional options' types: a wrong one fails here, typed, not later inside a call. */
function checkOptions(options: VaultOptions): void {
  if (options.fallback !== undefined && options.fallback !== 'platform' && options.fallback !== 'none') {
    throw invalidOption('fallback', 'must be "platform" or "none"');
  }
  for (const name of ['authorize', 'onResolve', 'guard', 'auditSink', 'onNetworkIncident', 'endpointPolicy', 'onHookError', 'now'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalidOption(name, 'must be a function');
  }
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
    const { tenantId, actor } = parseInput(tenantHandleInputSchema, input, 'tenant handle');
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
  resolve(input: ResolveInput): Promise<Resolution> {
    return resolveKey(this.#ctx, input);
  }

  /**
   * After a rotation (a keyring whose new primary KEK comes first, old KEKs
   * after it), re-wraps every stored data key of `tenantId` that another
   * KEK wraps. Provider keys need not be re-entered. Safe to run again, and
   * concurrently with other writes (compare-and-swap per key).
   */
  async rewrapKeys(input: { tenantId: string; actor?: Actor }): Promise<RewrapReport> {
    const tenantId = parseInput(tenantIdSchema, input?.tenantId, 'tenant id');
    const actor = input?.actor === undefined ? null : parseInput(actorSchema, input.actor, 'actor');
    const ctx = this.#ctx;
    const primary = ctx.keyring.primaryKekId;
    const report: RewrapReport = { rewrapped: 0, failed: [], remaining: 0 };
    let cursor: string | undefined;
    do {
      const page = await callStore(ctx, 'listConfigs', () =>
        ctx.store.listConfigs(tenantId, { kekIdNot: primary, limit: 100, ...(cursor === undefined ? {} : { cursor }) }),
      );
      for (const record of page.items) {
        const outcome = record.tenantId === tenantId ? await this.#rewrapOne(tenantId, record.id, actor) : { code: 'RECORD_MISMATCH' };
        if (outcome === 'rewrapped') report.rewrapped += 1;
        else if (outcome !== 'current') {
          report.remaining += 1;
          if (outcome !== 'busy') report.failed.push({ configId: record.id, code: outcome.code });
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return report;
  }

  /**
   * Re-wraps one key with compare-and-swap, reading its one row again when
   * another write got in between (a rename or a default change bumps the
   * revision but leaves the key under the old KEK, so a conflict is no proof
   * the key moved). Which KEK wraps it is read from the sealed value itself,
   * never from what the row says.
   */
  async #rewrapOne(tenantId: string, id: string, actor: Actor | null): Promise<'rewrapped' | 'current' | 'busy' | { code: string }> {
    const ctx = this.#ctx;
    const primary = ctx.keyring.primaryKekId;
    for (let attempt = 0; attempt < REWRAP_ATTEMPTS; attempt++) {
      let row;
      try {
        row = await loadSealedConfig(ctx, tenantId, id);
      } catch (error) {
        if (isByokitError(error, 'RECORD_MISMATCH')) return { code: error.code };
        throw error;
      }
      const fromKekId = sealedKekId(row?.sealedKey);
      // Deleted, key removed, or already moved (by a new setKey) since the listing.
      if (!row || row.sealedKey === null || fromKekId === primary) return 'current';
      let sealed: string;
      try {
        sealed = await rewrapSealed(row.sealedKey, sealContext(tenantId, id, row), ctx.keyring);
      } catch (error) {
        return { code: isByokitError(error) ? error.code : 'DECRYPTION_FAILED' };
      }
      const at = ctx.now();
      const audit = auditEvent(
        { tenantId, configId: id, actor, type: 'key.rewrapped', changes: ['kekId'], keyHint: row.keyHint, detail: { fromKekId, toKekId: primary } },
        at,
      );
      try {
        const updated = await callStore(ctx, 'updateConfig', () =>
          ctx.store.updateConfig(tenantId, id, { sealedKey: sealed, updatedAt: at.toISOString() }, { audit, expectedRevision: row.revision }),
        );
        if (!updated) return 'current';
        checkRecord(ctx, updated, tenantId, id);
        callDetached(ctx.auditSink, audit, 'auditSink', ctx.onHookError);
        return 'rewrapped';
      } catch (error) {
        // The record moved on (scope change, rename, default ...): read it again.
        if (!isByokitError(error, 'CONCURRENT_UPDATE')) throw error;
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
  return new Vault({
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
    now: options.now ?? (() => new Date()),
  });
}
