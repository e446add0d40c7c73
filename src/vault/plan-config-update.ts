/**
 * What a config update means, decided without I/O: which fields change,
 * who must allow it, what the store's patch holds, what happens to the key
 * and what the audit event says. `TenantVault.updateConfig` asks the policy,
 * checks the endpoint, re-seals and writes; this module only decides, the
 * way `src/resolve/resolver.ts` decides a resolution for the vault's I/O.
 *
 * @module
 */
import type { AuditEvent, ConfigPatch, ConfigRecord } from '../store/types.js';
import { hasKey } from './context.js';
import { hasStagedKey, NO_KEYS } from './key-slots.js';
import type { AuthorizeContext, Permission } from './permissions.js';

/** The fields `updateConfig` may change (its parsed input, `undefined` meaning "not given"). */
export interface ConfigUpdateInput {
  name?: string;
  provider?: string;
  scope?: string;
  model?: string | null;
  baseUrl?: string | null;
  routes?: string[];
  options?: ConfigRecord['options'];
}

/** A field of {@link ConfigUpdateInput}. */
export type UpdatableField = keyof ConfigUpdateInput;

/** One question for the permission policy, asked in order. */
export interface PlannedAuthorization {
  /** The permission asked for. */
  permission: Permission;
  /** What the policy is told besides tenant, action and config id. */
  context: Partial<AuthorizeContext>;
}

/**
 * What happens to the config's sealed keys: `keep` them; `drop` them all
 * (a key belongs to one provider); `reseal` each for the new endpoint (the
 * endpoint is bound into every sealed key).
 */
export type KeyAction = 'keep' | 'drop' | 'reseal';

/** The decision for one update; `changed` empty means nothing is written. */
export interface ConfigUpdatePlan {
  /** Fields whose value differs from the stored one, in input order. */
  changed: UpdatableField[];
  /** The record as it will be (before re-sealing), for the endpoint checks. */
  next: ConfigRecord;
  /** Every permission to ask for, in order; all are asked before anything else happens. */
  authorizations: PlannedAuthorization[];
  /** Whether the endpoint policy must see the new endpoint (base URL or provider changed). */
  checkEndpointPolicy: boolean;
  /** The store patch, without the re-sealed keys (`reseal`: the handle adds them). */
  patch: ConfigPatch;
  /** What happens to the sealed keys. */
  keys: KeyAction;
  /** The audit event's `changes`. */
  changes: string[];
  /** The audit event's `detail`: from/to of the endpoint, provider and scope. */
  detail: NonNullable<AuditEvent['detail']>;
}

const KEY_FIELDS: readonly UpdatableField[] = ['provider', 'baseUrl'];

/**
 * Plans an update of `current` with `input` (parsed; `undefined` fields are
 * "not given", `null` clears). A field counts as changed when its JSON
 * differs from the stored value.
 *
 * - Every update asks `config:write`; a move asks it of both scopes, each
 *   time with `toScope` set to where the config goes.
 * - Changing where the key is sent (provider, base URL), or, for a config
 *   with a key, who uses it (scope) or which traffic reaches it (routes),
 *   asks `key:manage` too, in the same scopes.
 * - A move clears the default flag (a default belongs to its scope).
 * - A provider change drops every key (active and staged) and its
 *   validation; a base-URL change re-seals every key for the new endpoint
 *   and forgets the active key's validation.
 */
export function planConfigUpdate(current: ConfigRecord, input: ConfigUpdateInput): ConfigUpdatePlan {
  const given = (Object.keys(input) as UpdatableField[]).filter((field) => input[field] !== undefined);
  const changed = given.filter((field) => JSON.stringify(input[field]) !== JSON.stringify(current[field]));
  const updates = Object.fromEntries(changed.map((field) => [field, input[field]])) as Partial<ConfigRecord>;
  const next: ConfigRecord = { ...current, ...updates };
  const moves = changed.includes('scope');
  const scopes = moves ? [current.scope, next.scope] : [current.scope];
  const context = (scope: string): Partial<AuthorizeContext> => ({
    scope,
    provider: current.provider,
    fields: changed,
    ...(moves ? { toScope: next.scope } : {}),
  });
  const ask = (permission: Permission) => scopes.map((scope) => ({ permission, context: context(scope) }));
  const keyed = hasKey(current);
  const decidesKey =
    changed.some((field) => KEY_FIELDS.includes(field)) || (keyed && (moves || changed.includes('routes')));
  const authorizations = [...ask('config:write'), ...(changed.length > 0 && decidesKey ? ask('key:manage') : [])];

  const patch: ConfigPatch = { ...updates };
  const changes: string[] = [...changed];
  if (moves && current.isDefault) {
    patch.isDefault = false;
    changes.push('isDefault');
  }
  const detail: NonNullable<AuditEvent['detail']> = {};
  if (changed.includes('baseUrl')) Object.assign(detail, { fromBaseUrl: current.baseUrl, toBaseUrl: next.baseUrl });
  if (changed.includes('provider'))
    Object.assign(detail, { fromProvider: current.provider, toProvider: next.provider });
  if (moves) Object.assign(detail, { fromScope: current.scope, toScope: next.scope });

  const anyKey = keyed || hasStagedKey(current);
  let keys: KeyAction = 'keep';
  if (changed.includes('provider') && anyKey) {
    keys = 'drop';
    Object.assign(patch, NO_KEYS);
    changes.push('key');
  } else if (changed.includes('baseUrl') && anyKey) {
    keys = 'reseal';
    if (keyed) Object.assign(patch, { lastValidatedAt: null, lastValidationStatus: null });
    changes.push('key');
  }
  return {
    changed,
    next,
    authorizations,
    checkEndpointPolicy: changed.includes('baseUrl') || changed.includes('provider'),
    patch,
    keys,
    changes,
    detail,
  };
}
