/**
 * The tenant-bound admin handle: config CRUD and key management for one
 * tenant, as one actor. Every method checks permissions first, validates
 * its input, and writes nothing when either fails.
 *
 * @module
 */
import { DecryptionError, NotFoundError, ProviderError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { openSecret, sealSecret } from '../crypto/envelope.js';
import { getProvider } from '../providers/registry.js';
import type { ProviderDescriptor, KeyValidationResult } from '../providers/types.js';
import { runKeyValidation } from '../providers/validate.js';
import { keyHint } from '../secret.js';
import type { Actor, AuditEvent, CandidateRecord, ConfigPatch, ConfigRecord, Page } from '../store/types.js';
import { auditEvent, callStore, loadSealedRow, retryOnConcurrentUpdate, sealContext, type AuditDraft, type VaultContext } from './context.js';
import { callDetached } from './hooks.js';
import { requirePermissions, type AuthorizeContext, type Permission } from './permissions.js';
import type { EndpointRequest } from './options.js';
import {
  configIdSchema,
  createConfigInputSchema,
  listAuditInputSchema,
  listConfigsInputSchema,
  parseInput,
  providerKeySchema,
  setKeyOptionsSchema,
  updateConfigInputSchema,
} from './schemas.js';
import { toView, type ConfigView } from './views.js';
import type { z } from 'zod';

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

/** Result of {@link TenantVault.validateKey}: the outcome plus the updated view. */
export interface ValidateKeyResult extends KeyValidationResult {
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

  async #allow(action: string, permissions: readonly Permission[], configId?: string, extra: Partial<AuthorizeContext> = {}): Promise<void> {
    await requirePermissions(this.#ctx.authorize, this.actor, permissions, {
      ...extra,
      tenantId: this.tenantId,
      action,
      ...(configId === undefined ? {} : { configId }),
    });
  }

  #view(record: ConfigRecord): ConfigView {
    return toView(record, this.#ctx.keyring, this.#ctx.now());
  }

  #event(draft: Omit<AuditDraft, 'tenantId' | 'actor'>, at: Date): AuditEvent {
    return auditEvent({ ...draft, tenantId: this.tenantId, actor: this.actor }, at);
  }

  #published(event: AuditEvent): void {
    callDetached(this.#ctx.auditSink, event, 'auditSink', this.#ctx.onHookError);
  }

  async #load(id: unknown): Promise<ConfigRecord> {
    const configId = parseInput(configIdSchema, id, 'config id');
    const record = await callStore(this.#ctx, 'getConfig', () => this.#ctx.store.getConfig(this.tenantId, configId));
    if (!record) throw new NotFoundError(`[byokit] [vault] no config ${configId} in tenant "${this.tenantId}"`);
    return record;
  }

  async #loadSealed(record: ConfigRecord): Promise<CandidateRecord> {
    const row = await loadSealedRow(this.#ctx, this.tenantId, record.scope, record.id);
    if (!row) throw new NotFoundError(`[byokit] [vault] no config ${record.id} in tenant "${this.tenantId}"`);
    return row;
  }

  async #open(row: CandidateRecord): Promise<string> {
    if (row.sealedKey === null) throw new NotFoundError(`[byokit] [vault] config ${row.id} has no key`);
    try {
      return await openSecret(row.sealedKey, sealContext(row), this.#ctx.keyring);
    } catch (error) {
      throw new DecryptionError('KEY_UNDECRYPTABLE', `[byokit] [vault] the key of config ${row.id} can't be opened; re-enter it`, { cause: error });
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
    build: (current: ConfigRecord, at: Date) => Promise<{ patch: ConfigPatch; audit: Omit<AuditDraft, 'tenantId' | 'actor'> } | null>,
    { cas }: { cas: boolean },
  ): Promise<ConfigView> {
    return retryOnConcurrentUpdate(async () => {
      const current = await this.#load(id);
      const at = this.#ctx.now();
      const change = await build(current, at);
      if (!change) return this.#view(current);
      const audit = this.#event(change.audit, at);
      const updated = await callStore(this.#ctx, 'updateConfig', () =>
        this.#ctx.store.updateConfig(this.tenantId, current.id, { ...change.patch, updatedAt: at.toISOString() }, {
          audit,
          ...(cas ? { expectedRevision: current.revision } : {}),
        }),
      );
      if (!updated) throw new NotFoundError(`[byokit] [vault] no config ${current.id} in tenant "${this.tenantId}"`);
      this.#published(audit);
      return this.#view(updated);
    });
  }

  #descriptor(provider: string): ProviderDescriptor {
    try {
      return getProvider(this.#ctx.providers, provider);
    } catch {
      throw new ValidationError(`[byokit] [vault] invalid config: provider: unknown provider "${provider}"`, [
        { path: 'provider', message: `unknown provider "${provider}"` },
      ]);
    }
  }

  /** Asks the host's endpoint policy, if any, whether `baseUrl` may be stored or called. */
  async #checkEndpointPolicy(baseUrl: string | null, provider: string, action: EndpointRequest['action']): Promise<void> {
    const policy = this.#ctx.endpointPolicy;
    if (!policy || baseUrl === null) return;
    if ((await policy(new URL(baseUrl), { tenantId: this.tenantId, provider, action })) !== true) {
      throw new ValidationError(`[byokit] [vault] invalid config: baseUrl: not allowed by the endpoint policy`, [
        { path: 'baseUrl', message: 'not allowed by the endpoint policy' },
      ]);
    }
  }

  #checkEndpoint(record: Pick<ConfigRecord, 'provider' | 'baseUrl' | 'routes' | 'options'>): void {
    const descriptor = this.#descriptor(record.provider);
    const issues: { path: string; message: string }[] = [];
    if (descriptor.requiresBaseUrl && record.baseUrl === null) issues.push({ path: 'baseUrl', message: `required for provider "${record.provider}"` });
    if (record.provider !== 'custom' && record.routes.length > 0) issues.push({ path: 'routes', message: 'only custom endpoints route other providers' });
    for (const route of record.routes) {
      if (!Object.hasOwn(this.#ctx.providers, route)) issues.push({ path: 'routes', message: `unknown provider "${route}"` });
    }
    for (const message of descriptor.checkOptions?.(record.options, record.baseUrl) ?? []) issues.push({ path: 'options', message });
    if (issues.length > 0) {
      throw new ValidationError(`[byokit] [vault] invalid config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
  }

  /** Creates a config (no key yet: set one with {@link TenantVault.setKey}). Needs `config:write`. */
  async createConfig(input: CreateConfigInput): Promise<ConfigView> {
    const data = parseInput(createConfigInputSchema, input, 'config');
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
      createdAt: iso,
      updatedAt: iso,
      revision: 1,
    };
    const audit = this.#event({ configId: record.id, type: 'config.created', changes: Object.keys(data).sort(), detail: { name: record.name, provider: record.provider } }, at);
    const created = await callStore(this.#ctx, 'createConfig', () => this.#ctx.store.createConfig(record, { audit }));
    this.#published(audit);
    return this.#view(created);
  }

  /** One config, or a `NOT_FOUND` error. Needs `config:read`. */
  async getConfig(id: string): Promise<ConfigView> {
    await this.#allow('getConfig', ['config:read'], id);
    return this.#view(await this.#load(id));
  }

  /** The tenant's configs in creation order, a page at a time. Needs `config:read`. */
  async listConfigs(query: ListConfigsInput = {}): Promise<Page<ConfigView>> {
    await this.#allow('listConfigs', ['config:read']);
    const q = parseInput(listConfigsInputSchema, query, 'config query');
    const page = await callStore(this.#ctx, 'listConfigs', () => this.#ctx.store.listConfigs(this.tenantId, q));
    return { items: page.items.map((r) => this.#view(r)), nextCursor: page.nextCursor };
  }

  /**
   * Changes non-secret fields. Needs `config:write`. Changing `provider` or
   * `baseUrl` decides where the key is sent, and moving a config that has a
   * key to another scope decides who uses it, so those also need
   * `key:manage`. A new base URL re-seals the stored key for it; a new
   * provider removes the stored key (a key belongs to one provider). Moving
   * a config to another scope clears its default flag. A field given as
   * `undefined` is left as it is (`null` clears `model` or `baseUrl`).
   */
  async updateConfig(id: string, input: UpdateConfigInput): Promise<ConfigView> {
    await this.#allow('updateConfig', ['config:write'], id);
    const parsed = parseInput(updateConfigInputSchema, input, 'config update');
    // `{ baseUrl: undefined }` means "not given", never "clear it" (that is `null`).
    const data = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as typeof parsed;
    return this.#write(id, async (current) => {
      const changed = (Object.keys(data) as (keyof typeof data)[]).filter(
        (field) => JSON.stringify(data[field]) !== JSON.stringify(current[field]),
      );
      if (changed.length === 0) return null;
      // Where the key is sent (provider, endpoint) and who uses it (scope) are key decisions.
      const movesKey = changed.includes('provider') || changed.includes('baseUrl') || (changed.includes('scope') && current.keyHint !== null);
      if (movesKey) await this.#allow('updateConfig', ['key:manage'], id, { scope: current.scope, provider: current.provider, fields: changed });
      const next = { ...current, ...data };
      this.#checkEndpoint(next);
      if (changed.includes('baseUrl') || changed.includes('provider')) await this.#checkEndpointPolicy(next.baseUrl, next.provider, 'updateConfig');
      const patch: ConfigPatch = {};
      for (const field of changed) Object.assign(patch, { [field]: data[field] });
      const changes: string[] = [...changed];
      if (changed.includes('scope') && current.isDefault) {
        patch.isDefault = false;
        changes.push('isDefault');
      }
      const detail: AuditEvent['detail'] = {};
      if (changed.includes('baseUrl')) Object.assign(detail, { fromBaseUrl: current.baseUrl, toBaseUrl: next.baseUrl });
      if (changed.includes('provider')) Object.assign(detail, { fromProvider: current.provider, toProvider: next.provider });
      if (changed.includes('scope')) Object.assign(detail, { fromScope: current.scope, toScope: next.scope });
      if (current.keyHint !== null && changed.includes('provider')) {
        Object.assign(patch, { sealedKey: null, keyHint: null, kekId: null, keySetAt: null, keyExpiresAt: null, lastValidatedAt: null, lastValidationStatus: null });
        changes.push('key');
      } else if (current.keyHint !== null && changed.includes('baseUrl')) {
        const row = await this.#loadSealed(current);
        const plaintext = await this.#open(row);
        patch.sealedKey = await sealSecret(plaintext, sealContext(next), this.#ctx.keyring);
        patch.kekId = this.#ctx.keyring.primaryKekId;
        changes.push('key');
        patch.lastValidatedAt = null;
        patch.lastValidationStatus = null;
      }
      return { patch, audit: { configId: current.id, type: 'config.updated', changes, keyHint: current.keyHint, detail } };
    }, { cas: true });
  }

  /** Deletes a config and its key. Needs `config:delete` (owners by default). */
  async deleteConfig(id: string): Promise<void> {
    await this.#allow('deleteConfig', ['config:delete'], id);
    const current = await this.#load(id);
    const at = this.#ctx.now();
    const audit = this.#event({ configId: current.id, type: 'config.deleted', keyHint: current.keyHint, detail: { name: current.name, provider: current.provider } }, at);
    const deleted = await callStore(this.#ctx, 'deleteConfig', () => this.#ctx.store.deleteConfig(this.tenantId, current.id, { audit }));
    if (!deleted) throw new NotFoundError(`[byokit] [vault] no config ${current.id} in tenant "${this.tenantId}"`);
    this.#published(audit);
  }

  /**
   * Stores (or replaces) the config's key, sealed for this tenant, config,
   * provider and endpoint. Checks the key's format first; the key is never
   * echoed in any error. Needs `key:manage`.
   */
  async setKey(id: string, key: string, options: SetKeyOptions = {}): Promise<ConfigView> {
    await this.#allow('setKey', ['key:manage'], id);
    const plaintext = parseInput(providerKeySchema, key, 'key');
    const { expiresAt } = parseInput(setKeyOptionsSchema, options, 'key options');
    if (expiresAt !== null && new Date(expiresAt).getTime() <= this.#ctx.now().getTime()) {
      throw new ValidationError('[byokit] [vault] invalid key options: expiresAt: must be in the future', [{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    return this.#write(id, async (current, at) => {
      const descriptor = this.#descriptor(current.provider);
      const problem = descriptor.checkKeyFormat(plaintext);
      if (problem !== null) {
        throw new ProviderError('KEY_FORMAT_INVALID', `[byokit] [vault] the key does not look like a key for ${descriptor.label}: ${problem}`);
      }
      const hint = keyHint(plaintext, descriptor.keyPrefixes);
      const replacing = current.keyHint !== null;
      return {
        patch: {
          sealedKey: await sealSecret(plaintext, sealContext(current), this.#ctx.keyring),
          keyHint: hint,
          kekId: this.#ctx.keyring.primaryKekId,
          keySetAt: at.toISOString(),
          keyExpiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
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
    }, { cas: true });
  }

  /** Removes the stored key, keeping the config. Needs `key:manage`. */
  async removeKey(id: string): Promise<ConfigView> {
    await this.#allow('removeKey', ['key:manage'], id);
    return this.#write(id, async (current) => {
      if (current.keyHint === null) return null;
      return {
        patch: { sealedKey: null, keyHint: null, kekId: null, keySetAt: null, keyExpiresAt: null, lastValidatedAt: null, lastValidationStatus: null },
        audit: { configId: current.id, type: 'key.removed', changes: ['key'], keyHint: current.keyHint },
      };
    }, { cas: true });
  }

  /** Enables or disables a config and its key; a disabled one falls through at resolution. Needs `key:manage`. */
  async setEnabled(id: string, enabled: boolean): Promise<ConfigView> {
    await this.#allow('setEnabled', ['key:manage'], id);
    if (typeof enabled !== 'boolean') throw new ValidationError('[byokit] [vault] invalid enabled: must be a boolean', [{ path: 'enabled', message: 'must be a boolean' }]);
    return this.#write(id, async (current) => {
      if (current.enabled === enabled) return null;
      return {
        patch: { enabled },
        audit: { configId: current.id, type: enabled ? 'key.enabled' : 'key.disabled', changes: ['enabled'], keyHint: current.keyHint },
      };
    }, { cas: false });
  }

  /**
   * Makes the config its scope's default (clearing any other, atomically),
   * or with `false` clears its default flag. Needs `config:write`.
   */
  async setDefault(id: string, isDefault = true): Promise<ConfigView> {
    await this.#allow('setDefault', ['config:write'], id);
    if (typeof isDefault !== 'boolean') throw new ValidationError('[byokit] [vault] invalid isDefault: must be a boolean', [{ path: 'isDefault', message: 'must be a boolean' }]);
    return this.#write(id, async (current) => {
      if (current.isDefault === isDefault) return null;
      return {
        patch: { isDefault },
        audit: { configId: current.id, type: 'config.default_changed', changes: ['isDefault'], detail: { isDefault, scope: current.scope } },
      };
    }, { cas: false });
  }

  /**
   * Makes the provider's cheapest live call with the stored key and records
   * when and with what outcome. Needs `key:manage`.
   */
  async validateKey(id: string, options: { clientOptions?: Record<string, unknown> } = {}): Promise<ValidateKeyResult> {
    await this.#allow('validateKey', ['key:manage'], id);
    const record = await this.#load(id);
    const row = await this.#loadSealed(record);
    await this.#checkEndpointPolicy(row.baseUrl, row.provider, 'validateKey');
    const plaintext = await this.#open(row);
    const descriptor = this.#descriptor(row.provider);
    const result = await runKeyValidation(descriptor, {
      apiKey: plaintext,
      baseUrl: row.baseUrl,
      model: row.model,
      options: row.options,
      ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
    });
    const config = await this.#write(id, async (current, at) => {
      // Record the outcome only for the key that was checked, not one set meanwhile.
      if (current.keySetAt !== row.keySetAt || current.keyHint !== row.keyHint || current.baseUrl !== row.baseUrl) return null;
      return {
        patch: { lastValidatedAt: at.toISOString(), lastValidationStatus: result.status },
        audit: {
          configId: current.id,
          type: 'key.validated',
          changes: ['lastValidatedAt', 'lastValidationStatus'],
          keyHint: current.keyHint,
          detail: { status: result.status, ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }) },
        },
      };
    }, { cas: true });
    return { ...result, config };
  }

  /** The tenant's audit trail, newest first; filter by config or type. Needs `config:read`. */
  async listAudit(query: ListAuditInput = {}): Promise<Page<AuditEvent>> {
    await this.#allow('listAudit', ['config:read']);
    const q = parseInput(listAuditInputSchema, query, 'audit query');
    return callStore(this.#ctx, 'listAudit', () => this.#ctx.store.listAudit(this.tenantId, q));
  }
}
