/**
 * What the vault's parts share: the store, the keyring, the registry, the
 * policy and hooks; plus the helpers every write uses (store-error
 * wrapping, audit events, compare-and-swap retries).
 *
 * @module
 */
import { StoreError, ValidationError, VaultClosedError, isByokitError } from '../errors.js';
import { newId } from '../ids.js';
import type { SealContext } from '../crypto/aad.js';
import type { KekProvider } from '../crypto/kek-provider.js';
import type { NetworkPolicy } from '../net/endpoint-policy.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { FallbackPolicy } from '../resolve/resolver.js';
import type {
  Actor,
  AuditEvent,
  AuditEventType,
  SealedConfigRecord,
  ConfigRecord,
  StorageAdapter,
} from '../store/types.js';
import type { AuthorizeFn } from './permissions.js';
import type { VaultOptions } from './options.js';
import type { OutcomeLoop } from '../outcomes/loop.js';
import { byokitMessage } from '../message.js';

/** @internal The resolved options every part of the vault reads. */
export interface VaultContext {
  store: StorageAdapter;
  keyring: KekProvider;
  providers: ProviderRegistry;
  authorize: AuthorizeFn;
  fallback: FallbackPolicy;
  platformKeys: VaultOptions['platformKeys'];
  onResolve: VaultOptions['onResolve'];
  guard: VaultOptions['guard'];
  auditSink: VaultOptions['auditSink'];
  onHookError: VaultOptions['onHookError'];
  /** Access keys (`accessKeys(...)`), when the host uses them. */
  accessKeys: VaultOptions['accessKeys'];
  /** BYOK entitlement managed per tenant (`byokEntitlement(...)`), when the host manages it. */
  entitlement: VaultOptions['entitlement'];
  /** Key pools (`keyPools(...)`), when the host uses them. */
  pools: VaultOptions['pools'];
  /** Workload routes (`workloadRoutes()`), when the host uses them. */
  routes: VaultOptions['routes'];
  onNetworkIncident: VaultOptions['onNetworkIncident'];
  /** The endpoint policy: `allowPrivateEndpoints` compiled, plus the host's `endpointPolicy`. */
  network: NetworkPolicy;
  now: () => Date;
  onUsage: VaultOptions['onUsage'];
  onKeyHealth: VaultOptions['onKeyHealth'];
  /** How long a promotion keeps the previous key for a rollback. */
  previousKeyGracePeriodMs: number;
  /** The outcome loop, when the vault has `onUsage` or key health on. */
  outcomes: OutcomeLoop | null;
  /** Shared by every handle of the vault (and its internal copies): set by `close()`. */
  state: { closed: boolean };
}

/** A sealed value (`byokit:1:<kekId>:...`), whole or cut short, in a store's error text. */
const SEALED_TEXT = /byokit:\d+:[\w:-]*/g;
/** What a store error keeps besides name, message and stack: what identifies the failure (Node, SQLSTATE), never its parameters. */
const STORE_ERROR_FIELDS = ['code', 'errno', 'sqlState', 'severity', 'constraint'] as const;

/**
 * A copy of a store's error for `cause`: name, message and stack with
 * sealed values removed, the identifying fields above, and its cause the
 * same way; nothing else. ORMs and drivers put a statement's parameters
 * (the sealed key the vault just passed) into messages and fields
 * (`params`, `detail: "Failing row contains (...)"`).
 */
export function storeErrorCause(error: unknown, depth = 0): Error {
  const source = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as Record<
    string,
    unknown
  >;
  const text = (value: unknown) =>
    typeof value === 'string' ? value.replace(SEALED_TEXT, '[sealed value]') : undefined;
  const copy = new Error(text(source.message) ?? '');
  copy.name = text(source.name) ?? 'Error';
  copy.stack = text(source.stack) ?? `${copy.name}: ${copy.message}`;
  for (const field of STORE_ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'number' || typeof value === 'string') Object.assign(copy, { [field]: text(value) ?? value });
  }
  if (source.cause !== undefined && depth < 4) copy.cause = storeErrorCause(source.cause, depth + 1);
  return copy;
}

/**
 * Runs a store call; anything it throws that is not already a byokit error
 * becomes `STORE_FAILED`, with a scrubbed copy of it as `cause`
 * ({@link storeErrorCause}). Every store call of the vault goes through
 * here, so a closed vault refuses all of them (`VAULT_CLOSED`).
 */
export async function callStore<T>(ctx: VaultContext, operation: string, run: () => Promise<T>): Promise<T> {
  if (ctx.state.closed) throw new VaultClosedError(operation);
  try {
    return await run();
  } catch (error) {
    if (isByokitError(error)) throw error;
    throw new StoreError('STORE_FAILED', byokitMessage('vault', `${ctx.store.name} store failed during ${operation}`), {
      cause: storeErrorCause(error),
    });
  }
}

/** Fields of an audit event the caller chooses. */
export interface AuditDraft {
  tenantId: string;
  configId?: string | null;
  actor: Actor | null;
  type: AuditEventType;
  changes?: string[];
  keyHint?: string | null;
  detail?: AuditEvent['detail'];
}

/** A complete audit event stamped with an id and the time. */
export function auditEvent(draft: AuditDraft, at: Date): AuditEvent {
  return {
    id: newId('evt', at.getTime()),
    at: at.toISOString(),
    tenantId: draft.tenantId,
    configId: draft.configId ?? null,
    // Only the documented fields: a host's user object may carry session data.
    actor: draft.actor
      ? { id: draft.actor.id, ...(draft.actor.role === undefined ? {} : { role: draft.actor.role }) }
      : null,
    type: draft.type,
    changes: draft.changes ?? [],
    keyHint: draft.keyHint ?? null,
    detail: draft.detail ?? {},
  };
}

/** How often a read-modify-write is tried when other writers keep getting in between. */
const CAS_ATTEMPTS = 8;

/**
 * Runs a read-modify-write that uses `expectedRevision`, again from the
 * read, when another writer changed the record in between. A short random
 * pause between tries spreads out writers that collided.
 */
export async function retryOnConcurrentUpdate<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isByokitError(error, 'CONCURRENT_UPDATE') || i >= CAS_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * i));
    }
  }
}

/**
 * What a config's sealed key is bound to: the tenant of the call and the
 * config id that was asked for (docs/architecture.md, rule 14: trust the request, never
 * the row), with the record's provider and endpoint.
 */
export function sealContext(
  tenantId: string,
  configId: string,
  record: Pick<ConfigRecord, 'provider' | 'baseUrl'>,
): SealContext {
  return { tenantId, configId, provider: record.provider, baseUrl: record.baseUrl };
}

/**
 * Refuses a record the store returned for another tenant (or, when `id` is
 * given, another config) than the call asked for: a row copied or moved
 * behind the adapter. The message names what was asked, never the
 * record's own values.
 */
export function checkRecord<R extends { tenantId: string; id?: string }>(
  ctx: VaultContext,
  record: R,
  tenantId: string,
  id?: string,
  what = 'config',
): R {
  const field = record.tenantId !== tenantId ? 'tenantId' : id !== undefined && record.id !== id ? 'id' : null;
  if (field !== null) {
    const asked = id === undefined ? `tenant "${tenantId}"` : `${what} ${id} of tenant "${tenantId}"`;
    throw new StoreError(
      'RECORD_MISMATCH',
      byokitMessage(
        'vault',
        `the ${ctx.store.name} store returned a record whose ${field} is not the one asked for (${asked}); refusing it (a row copied or moved behind the adapter)`,
      ),
    );
  }
  return record;
}

/** A tenant's config (no sealed key), checked against the request; `null` if it is not there. */
export async function loadConfig(ctx: VaultContext, tenantId: string, id: string): Promise<ConfigRecord | null> {
  const record = await callStore(ctx, 'getConfig', () => ctx.store.getConfig(tenantId, id));
  return record ? checkRecord(ctx, record, tenantId, id) : null;
}

/** One config with its sealed key (one row, one read), checked against the request; `null` if it is not there. */
export async function loadSealedConfig(
  ctx: VaultContext,
  tenantId: string,
  id: string,
): Promise<SealedConfigRecord | null> {
  const row = await callStore(ctx, 'loadSealedConfig', () => ctx.store.loadSealedConfig(tenantId, id));
  return row ? checkRecord(ctx, row, tenantId, id) : null;
}

/**
 * Whether a record holds a key: a hint or a sealed value (its KEK id). Both
 * count, so a row whose hint was removed behind the vault still counts as
 * keyed wherever that decides who may touch it.
 */
export function hasKey(record: Pick<ConfigRecord, 'keyHint' | 'kekId'>): boolean {
  return record.keyHint !== null || record.kekId !== null;
}

/**
 * The optional feature the call needs, or a typed error naming the
 * `createVault` option that turns it on.
 */
export function feature<F>(value: F | undefined, option: 'accessKeys' | 'entitlement' | 'pools' | 'routes'): F {
  if (value === undefined) {
    throw new ValidationError(byokitMessage('vault', `invalid vault options: ${option}: not set (see createVault)`), [
      { path: option, message: 'not set' },
    ]);
  }
  return value;
}
