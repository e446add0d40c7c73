/**
 * BYOK entitlement (`byokEntitlement({ default })`): platform-controlled
 * tenant state, not a tenant permission. Stored as the `entitlement`
 * section of the tenant's settings document; with it off (or for a
 * provider it does not list), the tenant can't set keys and resolution
 * skips its stored ones (they stay stored, and are used again once it is
 * back on). Custom endpoints count as BYOK: they carry the tenant's own
 * key, and are entitled as provider `'custom'`.
 *
 * @module
 */
import { NotEntitledError, ValidationError } from '../../errors.js';
import type { EntitlementSettings, SettingsRecord } from '../../store/settings-storage.js';
import { callStore } from '../context.js';
import type { EntitlementFeature } from '../features.js';
import { parseWith } from '../lazy-schemas.js';
import { checkSettings, readSettings, updateSettingsSection } from './document.js';
import type { entitlementSchema } from './schemas.js';
import type { z } from 'zod';
import { byokitMessage } from '../../message.js';

/** Input of `vault.setEntitlement`: `{ byok, providers? }`. */
export type EntitlementInput = z.input<typeof entitlementSchema>;

/** Options of {@link byokEntitlement}. */
export interface EntitlementOptions {
  /** What a tenant without its own setting gets: `'enabled'` (BYOK for every provider) or `'disabled'`. */
  default: 'enabled' | 'disabled';
}

/** Whether `entitlement` lets the tenant bring a key for `provider`. */
function allows(entitlement: EntitlementSettings, provider: string): boolean {
  return entitlement.byok && (entitlement.providers === null || entitlement.providers.includes(provider));
}

/**
 * BYOK entitlement managed per tenant: pass the result as
 * `createVault({ entitlement })`, then switch tenants with
 * `vault.setEntitlement`. Resolutions then read the tenant's settings
 * document beside its candidates (same time, one more read); a vault
 * without this option lets every tenant bring keys and reads no settings.
 *
 * @example
 * ```ts
 * const vault = createVault({ store, keyring, entitlement: byokEntitlement({ default: 'disabled' }) });
 * await vault.setEntitlement('acme', { byok: true, providers: ['openai'] });
 * ```
 */
export function byokEntitlement(options: EntitlementOptions): EntitlementFeature {
  const fallback = options?.default;
  if (fallback !== 'enabled' && fallback !== 'disabled') {
    throw new ValidationError(byokitMessage('vault', 'byokEntitlement needs { default: "enabled" | "disabled" }'), [
      { path: 'default', message: 'must be "enabled" or "disabled"' },
    ]);
  }
  const effective = (settings: SettingsRecord | null): EntitlementSettings =>
    settings?.document.entitlement ?? { byok: fallback === 'enabled', providers: null };

  return {
    read: (ctx, tenantId) => callStore(ctx, 'getSettings', () => ctx.store.getSettings(tenantId)),

    async entitled(ctx, settings, tenantId) {
      const entitlement = effective(settings && (await checkSettings(ctx, settings, tenantId)));
      return (record) => allows(entitlement, record.provider);
    },

    async require(ctx, tenantId, provider) {
      if (!allows(effective(await readSettings(ctx, tenantId)), provider)) {
        throw new NotEntitledError(
          byokitMessage(
            'vault',
            `tenant "${tenantId}" is not entitled to bring its own ${provider} key (the platform sets this with setEntitlement)`,
          ),
        );
      }
    },

    async get(ctx, tenantId) {
      return effective(await readSettings(ctx, await parseWith('tenantIdSchema', tenantId, 'tenant id')));
    },

    async set(ctx, tenant, input, by) {
      const tenantId = await parseWith('tenantIdSchema', tenant, 'tenant id');
      const actor = by === undefined ? null : await parseWith('actorSchema', by, 'actor');
      const next = await parseWith('entitlementSchema', input, 'entitlement');
      const unknown = next.providers?.filter((p) => !Object.hasOwn(ctx.providers, p)) ?? [];
      if (unknown.length > 0) {
        throw new ValidationError(
          byokitMessage('vault', `invalid entitlement: providers: unknown provider(s) ${unknown.join(', ')}`),
          [{ path: 'providers', message: `unknown provider(s) ${unknown.join(', ')}` }],
        );
      }
      const settings = await updateSettingsSection(
        ctx,
        tenantId,
        actor,
        'entitlement',
        (current) =>
          current?.byok === next.byok && JSON.stringify(current.providers) === JSON.stringify(next.providers)
            ? null
            : next,
        {
          type: 'entitlement.changed',
          changes: ['entitlement'],
          detail: { byok: next.byok, providers: next.providers?.join(',') ?? null },
        },
      );
      return effective(settings);
    },
  };
}
