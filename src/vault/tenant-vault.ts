/**
 * The tenant-bound admin handle: config CRUD and key management for one
 * tenant, as one actor. Every method checks permissions first, validates
 * its input, and writes nothing when either fails.
 *
 * @module
 */
import { ConflictError, DecryptionError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { openSecret, sealSecret } from '../crypto/envelope.js';
import type { ProviderDescriptor, KeyValidationResult } from '../providers/types.js';
import { runValidationWith } from '../providers/validate.js';
import { noStagedKeys } from '../store/patch.js';
import { keyExpired } from '../store/candidates.js';
import { hasStagedKey, NO_KEYS, NO_PREVIOUS_SLOT } from './key-slots.js';
import { planConfigUpdate } from './plan-config-update.js';

import type { AccessKeyUsageRecord } from '../store/access-key-storage.js';
import type { Actor, AuditEvent, SealedConfigRecord, ConfigPatch, ConfigRecord, Page } from '../store/types.js';
import type { AccessKeyView, CreateAccessKeyInput, CreatedAccessKey } from './access-keys.js';
import type { listAccessKeysInputSchema, listAccessKeyUsageInputSchema } from './access-schemas.js';
import type { AccessKeysFeature, PoolsFeature, TenantActor } from './features.js';
import type { PoolPolicy } from '../resolve/pool.js';
import type { PoolView } from '../pools/hub.js';
import type { poolPolicyInputSchema } from '../pools/schemas.js';
import type { ListRoutesInput, RouteView, SetRouteOptions } from './settings/routes.js';
import {
  auditEvent,
  callStore,
  checkRecord,
  feature,
  hasKey,
  loadConfig,
  loadSealedConfig,
  retryOnConcurrentUpdate,
  sealContext,
  type AuditDraft,
  type VaultContext,
} from './context.js';
import { configIssues, endpointIssue, keyExpiry, providerDescriptor } from './config-rules.js';
import { callDetached, reportHookError } from './hooks.js';
import { importConfigs, type ImportConfigInput, type ImportConfigsReport } from './import-configs.js';
import { requirePermissions, type AuthorizeContext, type Permission } from './permissions.js';
import type { EndpointRequest } from './options.js';
import type {
  createConfigInputSchema,
  listAuditInputSchema,
  listConfigsInputSchema,
  setKeyOptionsSchema,
  updateConfigInputSchema,
} from './schemas.js';
import { parseWith } from './lazy-schemas.js';
import { toView, type ConfigView } from './views.js';
import { definedOnly, writeKeyHealth } from '../outcomes/key-health-writer.js';
import type { z } from 'zod';
import { byokitMessage } from '../message.js';

/** Input of {@link TenantVault.createConfig}. */
export type CreateConfigInput = z.input<typeof createConfigInputSchema>;
/** Input of {@link TenantVault.updateConfig}. */
export type UpdateConfigInput = z.input<typeof updateConfigInputSchema>;
/** Options of {@link TenantVault.setKey}. */
export type SetKeyOptions = z.input<typeof setKeyOptionsSchema>;
/** Query of {@link TenantVault.listConfigs}. */
export type ListConfigsInput = z.input<typeof listConfigsInputSchema>;
/** Query of {@link TenantVault.listAudit}. */
export type ListAuditInput = z.input<typeof listAuditInputSchema>;

/** Input of {@link TenantVault.setPoolPolicy}. */
export type PoolPolicyInput = z.input<typeof poolPolicyInputSchema>;

/** Query of {@link TenantVault.listAccessKeys}. */
export type ListAccessKeysInput = z.input<typeof listAccessKeysInputSchema>;
/** Query of {@link TenantVault.listAccessKeyUsage}. */
export type ListAccessKeyUsageInput = z.input<typeof listAccessKeyUsageInputSchema>;

/** Result of {@link TenantVault.validateKey}: the outcome plus the updated view. */
export interface ValidateKeyResult extends KeyValidationResult {
  /** The config's view after the validation (its `lastValidatedAt` and status updated). */
  config: ConfigView;
}

/**
 * Config and key management for one tenant, acting as one actor. Get one
 * with `vault.as({ tenantId, actor })`.
 *
 * @example
 * ```ts
 * const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
 * const cfg = await admin.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o' });
 * const view = await admin.setKey(cfg.id, 'sk-...'); // view.keyHint === 'sk-...7xQ2'
 * ```
 */
export class TenantVault {
  readonly #ctx: VaultContext;
  /** The tenant every call of this handle is bound to. */
  readonly tenantId: string;
  /** Who the calls are made as; recorded in audit events. */
  readonly actor: Actor;

  /** @internal Use `vault.as(...)`. */
  constructor(ctx: VaultContext, tenantId: string, actor: Actor) {
    this.#ctx = ctx;
    this.tenantId = tenantId;
    this.actor = Object.freeze({ ...actor });
    // A handle stays bound to its tenant: no reassigning `tenantId` at run time.
    Object.freeze(this);
  }

  async #allow(
    action: string,
    permissions: readonly Permission[],
    configId?: string,
    extra: Partial<AuthorizeContext> = {},
  ): Promise<void> {
    await requirePermissions(this.#ctx.authorize, this.actor, permissions, {
      ...extra,
      tenantId: this.tenantId,
      action,
      ...(configId === undefined ? {} : { configId }),
    });
  }

  /** Asks the policy about an action on an existing config, naming the config's scope and provider. */
  async #allowOn(
    record: ConfigRecord,
    action: string,
    permissions: readonly Permission[],
    extra: Partial<AuthorizeContext> = {},
  ): Promise<void> {
    await this.#allow(action, permissions, record.id, { scope: record.scope, provider: record.provider, ...extra });
  }

  /** Views of `records` with their keys' health: one health read for all of them. */
  async #views(records: ConfigRecord[]): Promise<ConfigView[]> {
    const ids = records.map((r) => r.id);
    const found =
      ids.length === 0
        ? []
        : await callStore(this.#ctx, 'loadKeyHealth', () => this.#ctx.store.loadKeyHealth(this.tenantId, ids));
    // Only this tenant's records, whatever the store returned.
    const health = new Map(found.filter((h) => h.tenantId === this.tenantId).map((h) => [h.configId, h]));
    const now = this.#ctx.now();
    return records.map((r) => toView(r, this.#ctx.keyring, now, health.get(r.id) ?? null));
  }

  async #view(record: ConfigRecord): Promise<ConfigView> {
    return (await this.#views([record]))[0]!;
  }

  #event(draft: Omit<AuditDraft, 'tenantId' | 'actor'>, at: Date): AuditEvent {
    return auditEvent({ ...draft, tenantId: this.tenantId, actor: this.actor }, at);
  }

  #published(event: AuditEvent): void {
    callDetached(this.#ctx.auditSink, event, 'auditSink', this.#ctx.onHookError);
  }

  async #load(id: unknown): Promise<ConfigRecord> {
    const configId = await parseWith('configIdSchema', id, 'config id');
    const record = await loadConfig(this.#ctx, this.tenantId, configId);
    if (!record) throw new NotFoundError(byokitMessage('vault', `no config ${configId} in tenant "${this.tenantId}"`));
    return record;
  }

  /** The config with its sealed key: one row, one read (never its whole scope). */
  async #loadSealed(id: unknown): Promise<SealedConfigRecord> {
    const configId = await parseWith('configIdSchema', id, 'config id');
    const row = await loadSealedConfig(this.#ctx, this.tenantId, configId);
    if (!row) throw new NotFoundError(byokitMessage('vault', `no config ${configId} in tenant "${this.tenantId}"`));
    return row;
  }

  /**
   * Opens a config's stored key for this tenant and the id asked for. A key
   * whose row and sealed value disagree (a hint without a sealed value, or
   * the reverse) is a present key that can't be opened: `KEY_UNDECRYPTABLE`.
   */
  async #open(row: SealedConfigRecord): Promise<string> {
    if (row.sealedKey === null && row.keyHint === null)
      throw new NotFoundError(byokitMessage('vault', `config ${row.id} has no key`));
    try {
      if (row.sealedKey === null || row.keyHint === null)
        throw new Error('the stored row and its sealed value disagree');
      return await openSecret(row.sealedKey, sealContext(this.tenantId, row.id, row), this.#ctx.keyring);
    } catch (error) {
      throw new DecryptionError(
        'KEY_UNDECRYPTABLE',
        byokitMessage('vault', `the key of config ${row.id} can't be opened; re-enter it`),
        { cause: error },
      );
    }
  }

  /**
   * Applies a patch with its audit event. With `cas` (for patches derived
   * from what was read, such as a key sealed for the endpoint read), the
   * write applies only to the revision read, retried from a fresh read if
   * another writer got in first; flag writes need no such guard.
   */
  async #write(
    id: string,
    build: (
      current: ConfigRecord,
      at: Date,
    ) => Promise<{ patch: ConfigPatch; audit: Omit<AuditDraft, 'tenantId' | 'actor'> } | null>,
    { cas }: { cas: boolean },
  ): Promise<ConfigView> {
    return retryOnConcurrentUpdate(async () => {
      const current = await this.#load(id);
      const at = this.#ctx.now();
      const change = await build(current, at);
      if (!change) return this.#view(current);
      const audit = this.#event(change.audit, at);
      const updated = await callStore(this.#ctx, 'updateConfig', () =>
        this.#ctx.store.updateConfig(
          this.tenantId,
          current.id,
          { ...change.patch, updatedAt: at.toISOString() },
          {
            audit,
            ...(cas ? { expectedRevision: current.revision } : {}),
          },
        ),
      );
      if (!updated)
        throw new NotFoundError(byokitMessage('vault', `no config ${current.id} in tenant "${this.tenantId}"`));
      checkRecord(this.#ctx, updated, this.tenantId, current.id);
      this.#published(audit);
      return this.#view(updated);
    });
  }

  #descriptor(provider: string): ProviderDescriptor {
    return providerDescriptor(this.#ctx, provider);
  }

  /**
   * Checks the URL the key would go to (the base URL, else the provider's
   * default) against the endpoint policy: the address rule, then the host's
   * `endpointPolicy`.
   */
  async #checkEndpointPolicy(
    baseUrl: string | null,
    provider: string,
    action: EndpointRequest['action'],
  ): Promise<void> {
    const issue = await endpointIssue(this.#ctx, this.tenantId, baseUrl, provider, action);
    if (issue !== null)
      throw new ValidationError(byokitMessage('vault', `invalid config: ${issue.what}: ${issue.message}`), [
        { path: issue.path, message: issue.message },
      ]);
  }

  #checkEndpoint(record: Pick<ConfigRecord, 'provider' | 'baseUrl' | 'routes' | 'options'>): void {
    const issues = configIssues(this.#ctx, record);
    if (issues.length > 0) {
      throw new ValidationError(
        byokitMessage('vault', `invalid config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`),
        issues,
      );
    }
  }

  /** Creates a config (no key yet: set one with {@link TenantVault.setKey}). Needs `config:write`. */
  async createConfig(input: CreateConfigInput): Promise<ConfigView> {
    const data = await parseWith('createConfigInputSchema', input, 'config');
    await this.#allow('createConfig', ['config:write'], undefined, { scope: data.scope, provider: data.provider });
    this.#checkEndpoint(data);
    await this.#checkEndpointPolicy(data.baseUrl, data.provider, 'createConfig');
    const at = this.#ctx.now();
    const iso = at.toISOString();
    const record: ConfigRecord = {
      id: newId('cfg', at.getTime()),
      tenantId: this.tenantId,
      ...data,
      keyHint: null,
      kekId: null,
      keySetAt: null,
      keyExpiresAt: null,
      lastValidatedAt: null,
      lastValidationStatus: null,
      ...noStagedKeys(),
      createdAt: iso,
      updatedAt: iso,
      revision: 1,
    };
    const audit = this.#event(
      {
        configId: record.id,
        type: 'config.created',
        changes: Object.keys(data).sort(),
        detail: { name: record.name, provider: record.provider },
      },
      at,
    );
    const created = checkRecord(
      this.#ctx,
      await callStore(this.#ctx, 'createConfig', () => this.#ctx.store.createConfig(record, { audit })),
      this.tenantId,
      record.id,
    );
    this.#published(audit);
    // A new config has no health yet: no read needed.
    return toView(created, this.#ctx.keyring, this.#ctx.now());
  }

  /** One config, or a `NOT_FOUND` error. Needs `config:read` in the config's scope. */
  async getConfig(id: string): Promise<ConfigView> {
    const record = await this.#load(id);
    await this.#allowOn(record, 'getConfig', ['config:read']);
    return this.#view(record);
  }

  /** The tenant's configs in creation order, a page at a time. Needs `config:read` (in `scope`, when the query names one). */
  async listConfigs(query: ListConfigsInput = {}): Promise<Page<ConfigView>> {
    const q = await parseWith('listConfigsInputSchema', query, 'config query');
    await this.#allow('listConfigs', ['config:read'], undefined, q.scope === undefined ? {} : { scope: q.scope });
    const page = await callStore(this.#ctx, 'listConfigs', () => this.#ctx.store.listConfigs(this.tenantId, q));
    return {
      items: await this.#views(page.items.map((r) => checkRecord(this.#ctx, r, this.tenantId))),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Every sealed key of `current` (active and staged) sealed again for the
   * endpoint of `next`: the endpoint is bound into each. The keys must be the
   * ones the write's revision holds; else the write reads again and retries.
   */
  async #resealFor(current: ConfigRecord, next: ConfigRecord): Promise<ConfigPatch> {
    const row = await this.#loadSealed(current.id);
    if (row.revision !== current.revision)
      throw new ConflictError(
        'CONCURRENT_UPDATE',
        byokitMessage('vault', `config ${current.id} changed since it was read`),
      );
    const context = sealContext(this.tenantId, current.id, next);
    const patch: ConfigPatch = {};
    if (hasKey(current)) patch.sealedKey = await sealSecret(await this.#open(row), context, this.#ctx.keyring);
    for (const slot of ['pendingSealedKey', 'previousSealedKey'] as const) {
      if (row[slot] !== null)
        patch[slot] = await sealSecret(await this.#openSlot(row, slot), context, this.#ctx.keyring);
    }
    return patch;
  }

  /**
   * Changes non-secret fields. Needs `config:write` in the config's scope,
   * and for a move to another scope in the new scope too. Changing
   * `provider` or `baseUrl` decides where the key is sent, and on a config
   * that has a key, changing `routes` decides which traffic reaches it and
   * moving it decides who uses it: those also need `key:manage` (in both
   * scopes for a move). A new base URL re-seals the stored key for it; a new
   * provider removes the stored key (a key belongs to one provider). Moving
   * a config to another scope clears its default flag. A field given as
   * `undefined` is left as it is (`null` clears `model` or `baseUrl`).
   */
  async updateConfig(id: string, input: UpdateConfigInput): Promise<ConfigView> {
    // The plan reads `{ baseUrl: undefined }` as "not given", never "clear it" (that is `null`).
    const parsed = await parseWith('updateConfigInputSchema', input, 'config update');
    return this.#write(
      id,
      async (current) => {
        const plan = planConfigUpdate(current, parsed);
        for (const { permission, context } of plan.authorizations)
          await this.#allow('updateConfig', [permission], current.id, context);
        if (plan.changed.length === 0) return null;
        this.#checkEndpoint(plan.next);
        if (plan.checkEndpointPolicy)
          await this.#checkEndpointPolicy(plan.next.baseUrl, plan.next.provider, 'updateConfig');
        const patch =
          plan.keys === 'reseal' ? { ...plan.patch, ...(await this.#resealFor(current, plan.next)) } : plan.patch;
        return {
          patch,
          audit: {
            configId: current.id,
            type: 'config.updated',
            changes: plan.changes,
            keyHint: current.keyHint,
            detail: plan.detail,
          },
        };
      },
      { cas: true },
    );
  }

  /** Deletes a config and its key. Needs `config:delete` (owners by default) in the config's scope. */
  async deleteConfig(id: string): Promise<void> {
    const current = await this.#load(id);
    await this.#allowOn(current, 'deleteConfig', ['config:delete']);
    const at = this.#ctx.now();
    const audit = this.#event(
      {
        configId: current.id,
        type: 'config.deleted',
        keyHint: current.keyHint,
        detail: { name: current.name, provider: current.provider },
      },
      at,
    );
    const deleted = await callStore(this.#ctx, 'deleteConfig', () =>
      this.#ctx.store.deleteConfig(this.tenantId, current.id, { audit }),
    );
    if (!deleted)
      throw new NotFoundError(byokitMessage('vault', `no config ${current.id} in tenant "${this.tenantId}"`));
    this.#published(audit);
  }

  /**
   * Stores (or replaces) the config's key, sealed for this tenant, config,
   * provider and endpoint. Checks the key's format first; the key is never
   * echoed in any error. Needs `key:manage` in the config's scope.
   *
   * A provider with a structured credential (`bedrock`, `vertex`, Entra ID
   * for `azure-openai`) takes an object (or its JSON text): it is checked
   * against the provider's schema (a `CredentialInvalidError`,
   * `KEY_FORMAT_INVALID`, names each bad field, never its value), sealed
   * whole as one secret and hinted by its non-secret id (`AKIA...WXYZ`).
   *
   * @example
   * ```ts
   * await admin.setKey(bedrock.id, { accessKeyId: 'AKIA...', secretAccessKey: '...', region: 'us-east-1' });
   * ```
   */
  async setKey(
    id: string,
    key: string | Readonly<Record<string, unknown>>,
    options: SetKeyOptions = {},
  ): Promise<ConfigView> {
    const given =
      typeof key === 'object' && key !== null && !Array.isArray(key)
        ? key
        : await parseWith('providerKeySchema', key, 'key');
    const keyOptions = await parseWith('setKeyOptionsSchema', options, 'key options');
    const expiry = keyExpiry(keyOptions.expiresAt, this.#ctx.now());
    if ('issue' in expiry) {
      throw new ValidationError(byokitMessage('vault', `invalid key options: expiresAt: ${expiry.issue}`), [
        { path: 'expiresAt', message: expiry.issue },
      ]);
    }
    return this.#write(
      id,
      async (current, at) => {
        await this.#allowOn(current, 'setKey', ['key:manage']);
        await this.#ctx.entitlement?.require(this.#ctx, this.tenantId, current.provider);
        // Key preparation (format checks, credential schemas) loads with the first key set.
        const { prepareKey } = await import('./prepare-key.js');
        const { plaintext, hint } = await prepareKey(this.#descriptor(current.provider), given);
        const sealed = await sealSecret(plaintext, sealContext(this.tenantId, current.id, current), this.#ctx.keyring);
        if (keyOptions.stage) {
          return {
            patch: {
              pendingSealedKey: sealed,
              pendingKeyHint: hint,
              pendingKeySetAt: at.toISOString(),
              pendingKeyExpiresAt: expiry.iso,
            },
            audit: {
              configId: current.id,
              type: 'key.staged',
              changes: ['pendingKey'],
              keyHint: hint,
              detail: {
                activeKeyHint: current.keyHint,
                ...(current.pendingKeyHint === null ? {} : { replacedPendingKeyHint: current.pendingKeyHint }),
              },
            },
          };
        }
        const replacing = hasKey(current);
        return {
          patch: {
            sealedKey: sealed,
            keyHint: hint,
            keySetAt: at.toISOString(),
            keyExpiresAt: expiry.iso,
            lastValidatedAt: null,
            lastValidationStatus: null,
          },
          audit: {
            configId: current.id,
            type: replacing ? 'key.replaced' : 'key.set',
            changes: ['key'],
            keyHint: hint,
            detail: replacing ? { previousKeyHint: current.keyHint } : ({} as AuditEvent['detail']),
          },
        };
      },
      { cas: true },
    );
  }

  /** Removes the stored key, keeping the config. Needs `key:manage` in the config's scope. */
  async removeKey(id: string): Promise<ConfigView> {
    return this.#write(
      id,
      async (current) => {
        await this.#allowOn(current, 'removeKey', ['key:manage']);
        if (!hasKey(current) && !hasStagedKey(current)) return null;
        return {
          // No key material stays behind: the staged keys of a rotation go too.
          patch: { ...NO_KEYS },
          audit: { configId: current.id, type: 'key.removed', changes: ['key'], keyHint: current.keyHint },
        };
      },
      { cas: true },
    );
  }

  /** Enables or disables a config and its key; a disabled one falls through at resolution. Needs `key:manage` in the config's scope. */
  async setEnabled(id: string, enabled: boolean): Promise<ConfigView> {
    if (typeof enabled !== 'boolean')
      throw new ValidationError(byokitMessage('vault', 'invalid enabled: must be a boolean'), [
        { path: 'enabled', message: 'must be a boolean' },
      ]);
    return this.#write(
      id,
      async (current) => {
        await this.#allowOn(current, 'setEnabled', ['key:manage']);
        if (current.enabled === enabled) return null;
        return {
          patch: { enabled },
          audit: {
            configId: current.id,
            type: enabled ? 'key.enabled' : 'key.disabled',
            changes: ['enabled'],
            keyHint: current.keyHint,
          },
        };
      },
      { cas: false },
    );
  }

  /**
   * Makes the config its scope's default (clearing any other, atomically),
   * or with `false` clears its default flag. Needs `config:write` in the config's scope.
   */
  async setDefault(id: string, isDefault = true): Promise<ConfigView> {
    if (typeof isDefault !== 'boolean')
      throw new ValidationError(byokitMessage('vault', 'invalid isDefault: must be a boolean'), [
        { path: 'isDefault', message: 'must be a boolean' },
      ]);
    return this.#write(
      id,
      async (current) => {
        await this.#allowOn(current, 'setDefault', ['config:write']);
        if (current.isDefault === isDefault) return null;
        return {
          patch: { isDefault },
          audit: {
            configId: current.id,
            type: 'config.default_changed',
            changes: ['isDefault'],
            detail: { isDefault, scope: current.scope },
          },
        };
      },
      { cas: false },
    );
  }

  /**
   * Makes the provider's cheapest live call with the stored key and records
   * when and with what outcome. Needs `key:manage` in the config's scope.
   * The call goes through byokit's guarded transport: every URL passes the
   * endpoint policy, no redirect is followed, and the whole check is bounded
   * (`timeoutMs`, default 10 s for headers and bodies together; 64 KiB per
   * answer). A refusal or a bound is a result with a `reason`, not a throw;
   * `detail` is byokit's own wording, never the provider's text. With
   * `pending: true` it checks the pending key of a staged rotation instead:
   * the check is audited (`detail.slot: 'pending'`), and the active key's
   * validation fields and health stay as they are.
   */
  async validateKey(
    id: string,
    options: { clientOptions?: Record<string, unknown>; timeoutMs?: number; pending?: boolean } = {},
  ): Promise<ValidateKeyResult> {
    const { clientOptions, timeoutMs, pending } = await parseWith(
      'validateKeyOptionsSchema',
      options,
      'validation options',
    );
    const row = await this.#loadSealed(id);
    await this.#allowOn(row, 'validateKey', ['key:manage']);
    await this.#checkEndpointPolicy(row.baseUrl, row.provider, 'validateKey');
    const plaintext = pending ? await this.#openSlot(row, 'pendingSealedKey') : await this.#open(row);
    const descriptor = this.#descriptor(row.provider);
    const result = await runValidationWith(
      descriptor,
      {
        apiKey: plaintext,
        baseUrl: row.baseUrl,
        model: row.model,
        options: row.options,
        ...(clientOptions ? { clientOptions } : {}),
      },
      this.#ctx.network,
      {
        tenantId: this.tenantId,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        onIncident: (error) =>
          callDetached(
            this.#ctx.onNetworkIncident,
            { tenantId: this.tenantId, configId: id, provider: row.provider, error },
            'onNetworkIncident',
            this.#ctx.onHookError,
          ),
      },
    );
    if (pending) return { ...result, config: await this.#recordPendingValidation(id, row, result) };
    await this.#recordValidationHealth(row, result);
    const config = await this.#write(
      id,
      async (current, at) => {
        // Record the outcome only for the key that was checked, not one set meanwhile.
        if (current.keySetAt !== row.keySetAt || current.keyHint !== row.keyHint || current.baseUrl !== row.baseUrl)
          return null;
        return {
          patch: { lastValidatedAt: at.toISOString(), lastValidationStatus: result.status },
          audit: {
            configId: current.id,
            type: 'key.validated',
            changes: ['lastValidatedAt', 'lastValidationStatus'],
            keyHint: current.keyHint,
            detail: {
              status: result.status,
              ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
              ...(result.reason === undefined ? {} : { reason: result.reason }),
            },
          },
        };
      },
      { cas: true },
    );
    return { ...result, config };
  }

  /**
   * Audits the check of a pending key. The active key's validation fields
   * and health stay as they are: they are about the key in use.
   */
  async #recordPendingValidation(
    id: string,
    row: SealedConfigRecord,
    result: KeyValidationResult,
  ): Promise<ConfigView> {
    return this.#write(
      id,
      async (current) => {
        // Only for the pending key that was checked, not one staged meanwhile.
        if (current.pendingKeySetAt !== row.pendingKeySetAt || current.pendingKeyHint !== row.pendingKeyHint)
          return null;
        return {
          patch: {},
          audit: {
            configId: current.id,
            type: 'key.validated',
            changes: [],
            keyHint: current.pendingKeyHint,
            detail: {
              slot: 'pending',
              status: result.status,
              ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
              ...(result.reason === undefined ? {} : { reason: result.reason }),
            },
          },
        };
      },
      { cas: true },
    );
  }

  /**
   * Opens a staged key of a config (pending or previous) for this tenant
   * and the id asked for; `NOT_FOUND` when the slot is empty.
   */
  async #openSlot(row: SealedConfigRecord, slot: 'pendingSealedKey' | 'previousSealedKey'): Promise<string> {
    const sealed = row[slot];
    if (sealed === null)
      throw new NotFoundError(
        byokitMessage('vault', `config ${row.id} has no ${slot === 'pendingSealedKey' ? 'pending' : 'previous'} key`),
      );
    try {
      return await openSecret(sealed, sealContext(this.tenantId, row.id, row), this.#ctx.keyring);
    } catch (error) {
      throw new DecryptionError(
        'KEY_UNDECRYPTABLE',
        byokitMessage('vault', `a staged key of config ${row.id} can't be opened; stage it again`),
        { cause: error },
      );
    }
  }

  /**
   * Applies a change built from the config's sealed read, by revision
   * (read again and retried when another writer got in between): the
   * staged-rotation steps, which move sealed keys between slots.
   */
  async #moveKeys(
    id: unknown,
    action: string,
    build: (
      row: SealedConfigRecord,
      at: Date,
    ) => { patch: ConfigPatch; audit: Omit<AuditDraft, 'tenantId' | 'actor'> } | null,
  ): Promise<ConfigView> {
    return retryOnConcurrentUpdate(async () => {
      const row = await this.#loadSealed(id);
      await this.#allowOn(row, action, ['key:manage']);
      const at = this.#ctx.now();
      const change = build(row, at);
      if (!change) return this.#view(row);
      const audit = this.#event(change.audit, at);
      const updated = await callStore(this.#ctx, 'updateConfig', () =>
        this.#ctx.store.updateConfig(
          this.tenantId,
          row.id,
          { ...change.patch, updatedAt: at.toISOString() },
          { audit, expectedRevision: row.revision },
        ),
      );
      if (!updated) throw new NotFoundError(byokitMessage('vault', `no config ${row.id} in tenant "${this.tenantId}"`));
      checkRecord(this.#ctx, updated, this.tenantId, row.id);
      this.#published(audit);
      return this.#view(updated);
    });
  }

  /**
   * Makes the pending key (staged with `setKey(id, key, { stage: true })`)
   * the active one, in one atomic write: a resolution sees the old key or
   * the new one, never neither. The replaced key is kept as the previous
   * key for `rollbackKey` until the grace period ends (`gracePeriodMs`,
   * default the vault's `previousKeyGracePeriodMs`, 24 hours). Needs
   * `key:manage` in the config's scope; `NOT_FOUND` without a pending key.
   *
   * @example
   * ```ts
   * await admin.setKey(cfg.id, newKey, { stage: true });
   * const check = await admin.validateKey(cfg.id, { pending: true });
   * if (check.status === 'valid') await admin.promoteKey(cfg.id);
   * ```
   */
  async promoteKey(id: string, options: { gracePeriodMs?: number } = {}): Promise<ConfigView> {
    const { gracePeriodMs } = await parseWith('promoteKeyOptionsSchema', options, 'promote options');
    const grace = gracePeriodMs ?? this.#ctx.previousKeyGracePeriodMs;
    return this.#moveKeys(id, 'promoteKey', (row, at) => {
      if (row.pendingSealedKey === null)
        throw new NotFoundError(byokitMessage('vault', `config ${row.id} has no pending key to promote`));
      const keptUntil = new Date(at.getTime() + grace).toISOString();
      const hasActive = row.sealedKey !== null;
      return {
        patch: {
          sealedKey: row.pendingSealedKey,
          keyHint: row.pendingKeyHint,
          keySetAt: row.pendingKeySetAt,
          keyExpiresAt: row.pendingKeyExpiresAt,
          lastValidatedAt: null,
          lastValidationStatus: null,
          pendingSealedKey: null,
          pendingKeyHint: null,
          pendingKeySetAt: null,
          pendingKeyExpiresAt: null,
          previousSealedKey: row.sealedKey,
          previousKeyHint: hasActive ? row.keyHint : null,
          previousKeySetAt: hasActive ? row.keySetAt : null,
          previousKeyExpiresAt: hasActive ? row.keyExpiresAt : null,
          previousKeyKeptUntil: hasActive ? keptUntil : null,
        },
        audit: {
          configId: row.id,
          type: 'key.promoted',
          changes: ['key', 'pendingKey', 'previousKey'],
          keyHint: row.pendingKeyHint,
          detail: { previousKeyHint: row.keyHint, ...(hasActive ? { previousKeptUntil: keptUntil } : {}) },
        },
      };
    });
  }

  /**
   * Brings the previous key back as the active one, in one atomic write,
   * while its grace period lasts; the key it replaces (the promoted one)
   * becomes the pending key again, to fix and promote later or to replace.
   * Needs `key:manage` in the config's scope; `NOT_FOUND` when there is no
   * previous key or its grace period has ended.
   */
  async rollbackKey(id: string): Promise<ConfigView> {
    return this.#moveKeys(id, 'rollbackKey', (row, at) => {
      if (row.previousSealedKey === null || keyExpired(row.previousKeyKeptUntil, at.toISOString())) {
        throw new NotFoundError(
          byokitMessage(
            'vault',
            `config ${row.id} has no previous key to roll back to (none kept, or its grace period ended)`,
          ),
        );
      }
      return {
        patch: {
          sealedKey: row.previousSealedKey,
          keyHint: row.previousKeyHint,
          keySetAt: row.previousKeySetAt,
          keyExpiresAt: row.previousKeyExpiresAt,
          lastValidatedAt: null,
          lastValidationStatus: null,
          pendingSealedKey: row.sealedKey,
          pendingKeyHint: row.sealedKey === null ? null : row.keyHint,
          pendingKeySetAt: row.sealedKey === null ? null : row.keySetAt,
          pendingKeyExpiresAt: row.sealedKey === null ? null : row.keyExpiresAt,
          ...NO_PREVIOUS_SLOT,
        },
        audit: {
          configId: row.id,
          type: 'key.rolled_back',
          changes: ['key', 'pendingKey', 'previousKey'],
          keyHint: row.previousKeyHint,
          detail: { replacedKeyHint: row.keyHint },
        },
      };
    });
  }

  /**
   * Drops the previous key of a staged rotation now (before its grace
   * period ends, or once it has): it can no longer be rolled back to, and
   * its sealed value is gone from the store. Does nothing without one.
   * Needs `key:manage` in the config's scope.
   */
  async expirePrevious(id: string): Promise<ConfigView> {
    return this.#moveKeys(id, 'expirePrevious', (row, at) => {
      if (row.previousSealedKey === null && row.previousKeyHint === null) return null;
      return {
        patch: NO_PREVIOUS_SLOT,
        audit: {
          configId: row.id,
          type: 'key.previous_expired',
          changes: ['previousKey'],
          keyHint: row.previousKeyHint,
          detail: { graceEnded: keyExpired(row.previousKeyKeptUntil, at.toISOString()) },
        },
      };
    });
  }

  /**
   * What a validation says about the key's health: `valid` clears a failing
   * key and is kept as `lastValidAt`; `invalid_key` is an auth failure.
   * Other outcomes (rate limits, an unreachable endpoint) say nothing about
   * the key. A failed health write never fails the validation (`onHookError`).
   */
  async #recordValidationHealth(row: SealedConfigRecord, result: KeyValidationResult): Promise<void> {
    if (row.keySetAt === null || (result.status !== 'valid' && result.status !== 'invalid_key')) return;
    const at = this.#ctx.now().toISOString();
    const change =
      result.status === 'valid'
        ? { keySetAt: row.keySetAt, validAt: at }
        : { keySetAt: row.keySetAt, failures: { count: 1, firstAt: at, lastAt: at } };
    const target = { tenantId: this.tenantId, configId: row.id, provider: row.provider, keyHint: row.keyHint };
    const cause = definedOnly({ via: 'validation' as const, status: result.status, httpStatus: result.httpStatus });
    try {
      await writeKeyHealth(this.#ctx, target, change, cause);
    } catch (error) {
      reportHookError(this.#ctx.onHookError, error, 'keyHealth');
    }
  }

  /**
   * Issues an access key: one bearer token (`byk_live_...`) that resolves
   * this tenant's keys from `scope`, within its provider and model
   * allow-lists and quotas. The token is returned once, as a `Secret`; only
   * its keyed hash is stored. Needs `access:manage` in `scope`, and the
   * vault option `accessKeys: accessKeys({ keyring })`.
   *
   * @example
   * ```ts
   * const { accessKey, secret } = await admin.createAccessKey({
   *   name: 'mobile app', scope: 'ws1', providers: ['openai'], quota: { requests: { limit: 600, per: 'minute' } },
   * });
   * send(secret.reveal()); // shown once; accessKey.hint ('byk_live_...x7Q2') is what lists show
   * ```
   */
  async createAccessKey(input: CreateAccessKeyInput): Promise<CreatedAccessKey> {
    return this.#accessKeys('create', input);
  }

  /** Runs an access-key call of the `accessKeys` feature as this handle. */
  #accessKeys<K extends 'create' | 'get' | 'list' | 'revoke' | 'usage'>(
    call: K,
    arg: unknown,
  ): ReturnType<AccessKeysFeature[K]> {
    const as: TenantActor = {
      tenantId: this.tenantId,
      actor: this.actor,
      allow: (action, permission, extra) => this.#allow(action, [permission], undefined, extra),
    };
    return feature(this.#ctx.accessKeys, 'accessKeys')[call](this.#ctx, as, arg) as ReturnType<AccessKeysFeature[K]>;
  }

  /** One access key (hint, grants, state), or `NOT_FOUND`. Needs `access:manage` in its scope. */
  async getAccessKey(id: string): Promise<AccessKeyView> {
    return this.#accessKeys('get', id);
  }

  /** The tenant's access keys in creation order, revoked and expired ones included. Needs `access:manage`. */
  async listAccessKeys(query: ListAccessKeysInput = {}): Promise<Page<AccessKeyView>> {
    return this.#accessKeys('list', query);
  }

  /** Revokes an access key at once (its next use is refused); it stays listed. Needs `access:manage` in its scope. */
  async revokeAccessKey(id: string): Promise<AccessKeyView> {
    return this.#accessKeys('revoke', id);
  }

  /**
   * Usage records of the tenant's access keys: resolutions and reported
   * tokens per key and UTC day, oldest first; filter by key and by an
   * inclusive range of days. Needs `access:manage`.
   */
  async listAccessKeyUsage(query: ListAccessKeyUsageInput = {}): Promise<Page<AccessKeyUsageRecord>> {
    return this.#accessKeys('usage', query);
  }

  /**
   * Creates many configs, each with its key if one is given, in batches:
   * thousands per second where one `createConfig` and one `setKey` each
   * cost a round trip. Checks every item first (input, permissions as
   * `createConfig` and `setKey` would, provider rules, endpoint policy, key
   * formats): any problem rejects the whole call with `VALIDATION_FAILED`
   * naming each one as `<index>.<field>`, and nothing is written. Then each
   * config is written with its `config.created` (and `key.set`) event. A
   * name taken by a config the tenant already has fails that item only
   * (`NAME_TAKEN` in its result); a default replaces its scope's old default,
   * as `createConfig` does. Up to 10,000 items per call; results come in
   * input order. A store failure ends the call: configs of earlier batches
   * stay written (running the import again reports them as `NAME_TAKEN`).
   *
   * @example
   * ```ts
   * const report = await admin.importConfigs([
   *   { name: 'prod', provider: 'openai', key: 'sk-...', isDefault: true },
   *   { name: 'claude', provider: 'anthropic', scope: 'ws1', key: 'sk-ant-...', keyExpiresAt: '2027-01-01T00:00:00Z' },
   * ]);
   * report.created; // 2
   * for (const r of report.results) if (!r.ok) console.warn(r.code, r.message);
   * ```
   */
  async importConfigs(items: readonly ImportConfigInput[]): Promise<ImportConfigsReport> {
    return importConfigs(
      this.#ctx,
      { tenantId: this.tenantId, actor: this.actor, allow: (...args) => this.#allow(...args) },
      items,
    );
  }

  #pools(): { feature: PoolsFeature; as: TenantActor } {
    const as: TenantActor = {
      tenantId: this.tenantId,
      actor: this.actor,
      allow: (action, permission, extra) => this.#allow(action, [permission], undefined, extra),
    };
    return { feature: feature(this.#ctx.pools, 'pools'), as };
  }

  /**
   * Sets the key pool policy of one provider in one scope (default scope:
   * the tenant), replacing the one it had: `default` (no pool: the
   * resolution rule alone), `failover` (by `members[].priority`, lower
   * first; the rest in resolution order), `round-robin` or `weighted`
   * (by `members[].weight`, default 1). Listed members must be configs of
   * that provider and scope; unlisted ones stay in the pool. Audited as
   * `pool.changed`. Needs `key:manage` in the scope (it decides which key
   * traffic reaches) and `createVault({ pools: keyPools() })`.
   *
   * @example
   * ```ts
   * await admin.setPoolPolicy({ provider: 'openai', policy: 'weighted', members: [{ configId: a.id, weight: 3 }, { configId: b.id, weight: 1 }] });
   * ```
   */
  async setPoolPolicy(input: PoolPolicyInput): Promise<PoolPolicy> {
    const { feature: pools, as } = this.#pools();
    return pools.setPolicy(this.#ctx, as, input) as Promise<PoolPolicy>;
  }

  /** Removes the pool policy of one provider in one scope: failover in resolution order again. `false` if none was set. Needs `key:manage`. */
  async removePoolPolicy(input: { scope?: string; provider: string }): Promise<boolean> {
    const { feature: pools, as } = this.#pools();
    return pools.removePolicy(this.#ctx, as, input);
  }

  /** The tenant's pool policies. Needs `config:read`. */
  async getPoolPolicies(): Promise<PoolPolicy[]> {
    const { feature: pools, as } = this.#pools();
    return pools.getPolicies(this.#ctx, as) as Promise<PoolPolicy[]>;
  }

  /**
   * The tenant's key pools for a Provider Hub: per scope and provider, the
   * policy in force and each config with its key state, place in the
   * failover order, priority and weight, health, cooldown and whether the
   * pool may choose it now. Custom endpoints are not pooled. Needs `config:read`.
   */
  async listPools(query: { scope?: string; provider?: string } = {}): Promise<PoolView[]> {
    const { feature: pools, as } = this.#pools();
    return pools.listPools(this.#ctx, as, query) as Promise<PoolView[]>;
  }

  /** This handle as a feature sees it. */
  #as(): TenantActor {
    return {
      tenantId: this.tenantId,
      actor: this.actor,
      allow: (action, permission, extra) => this.#allow(action, [permission], undefined, extra),
    };
  }

  /**
   * Routes a named workload (`chat`, `embeddings`, `vision`, `batch`, or
   * your own name) to a config in `scope` (default: the tenant):
   * `vault.resolve({ tenantId, scope, route })` then uses that config for
   * requests in the scope and below, unless a scope nearer the request
   * routes it elsewhere. The config must exist and be visible from `scope`
   * (in it or an ancestor). Returns the route's view. Audited
   * (`route.changed`). Needs `config:write` in `scope`, and the vault
   * option `routes: workloadRoutes()`.
   *
   * @example
   * ```ts
   * await admin.setRoute('embeddings', cheap.id);
   * await admin.setRoute('chat', claude.id, { scope: 'ws1' });
   * ```
   */
  async setRoute(route: string, configId: string, options: SetRouteOptions = {}): Promise<RouteView> {
    return (await feature(this.#ctx.routes, 'routes').set(
      this.#ctx,
      this.#as(),
      route,
      configId,
      options,
    )) as RouteView;
  }

  /** Removes a workload route from `scope` (default: the tenant); the workload then resolves as without it. Needs `config:write` in `scope`. */
  async removeRoute(route: string, options: SetRouteOptions = {}): Promise<void> {
    await feature(this.#ctx.routes, 'routes').set(this.#ctx, this.#as(), route, null, options);
  }

  /**
   * The tenant's workload routes (or one scope's), by scope then name, each
   * with its config's name and provider, and `state: 'dangling'` where the
   * config is gone or out of the route's scope chain. Needs `config:read`.
   */
  async listRoutes(query: ListRoutesInput = {}): Promise<RouteView[]> {
    return (await feature(this.#ctx.routes, 'routes').list(this.#ctx, this.#as(), query)) as RouteView[];
  }

  /** The tenant's audit trail, newest first; filter by config or type. Needs `config:read`. */
  async listAudit(query: ListAuditInput = {}): Promise<Page<AuditEvent>> {
    await this.#allow('listAudit', ['config:read']);
    const q = await parseWith('listAuditInputSchema', query, 'audit query');
    return callStore(this.#ctx, 'listAudit', () => this.#ctx.store.listAudit(this.tenantId, q));
  }
}
