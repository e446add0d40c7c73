/**
 * The settings document's schemas. Built in `@__PURE__` calls so bundles
 * without settings drop them; loaded by the vault through the lazy schema
 * catalog, never statically from the root entry.
 *
 * @module
 */
import * as z from 'zod/mini';
import { providerIdSchema } from '../schemas.js';
import { poolsSectionSchema } from '../../pools/schemas.js';

/** The entitlement section: `{ byok, providers }`. */
export const entitlementSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Whether the tenant may bring its own keys at all. */
    byok: z.boolean(),
    /** Provider ids (`'custom'` for custom endpoints), or `null` for every provider. */
    providers: z._default(z.nullable(z.array(providerIdSchema).check(z.maxLength(64))), null),
  }))();

/**
 * The whole document: each section this version knows is checked, and
 * sections it does not know (written by a later byokit) are kept as they
 * are, so an older instance never drops a newer one's settings.
 */
export const tenantSettingsSchema = /* @__PURE__ */ (() =>
  z.looseObject({
    /** The platform's BYOK entitlement of the tenant. */
    entitlement: z.optional(entitlementSchema),
    /** Key pools' selection policies per scope and provider. */
    pools: z.optional(poolsSectionSchema),
  }))();
