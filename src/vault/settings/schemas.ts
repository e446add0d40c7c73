/**
 * The settings document's schemas. Built in `@__PURE__` calls so bundles
 * without settings drop them; loaded by the vault through the lazy schema
 * catalog, never statically from the root entry.
 *
 * @module
 */
import * as z from 'zod/mini';
import { configIdSchema, providerIdSchema, routeNameSchema, scopeSchema } from '../schemas.js';
import { MAX_ROUTED_SCOPES, MAX_ROUTES_PER_SCOPE } from './limits.js';
import { poolsSectionSchema } from '../../pools/schemas.js';

/** The entitlement section: `{ byok, providers }`. */
export const entitlementSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Whether the tenant may bring its own keys at all. */
    byok: z.boolean(),
    /** Provider ids (`'custom'` for custom endpoints), or `null` for every provider. */
    providers: z._default(z.nullable(z.array(providerIdSchema).check(z.maxLength(64))), null),
  }))();

/** The `routes` section: `{ [scope]: { [route]: configId } }`, scope `''` being the tenant. */
export const routesSchema = /* @__PURE__ */ (() =>
  z.record(scopeSchema, z.record(routeNameSchema, configIdSchema)).check(
    z.refine(
      (routes) => Object.keys(routes).length <= MAX_ROUTED_SCOPES,
      `at most ${MAX_ROUTED_SCOPES} scopes with routes`,
    ),
    z.refine(
      (routes) => Object.values(routes).every((inScope) => Object.keys(inScope).length <= MAX_ROUTES_PER_SCOPE),
      `at most ${MAX_ROUTES_PER_SCOPE} routes per scope`,
    ),
  ))();

/** The `routes` section as stored: scope to route to config id. */
export type RoutesSettings = z.output<typeof routesSchema>;

/** Options of `admin.setRoute` and `admin.removeRoute`. */
export const setRouteOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The scope the route is set in (default `''`: the tenant); its config must live in this scope or one above it. */
    scope: z._default(scopeSchema, ''),
  }))();
/** Input of `admin.listRoutes`. */
export const listRoutesInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Only the routes set in exactly this scope; absent, every scope's. */
    scope: z.optional(scopeSchema),
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
    /** Workload routes per scope. */
    routes: z.optional(routesSchema),
  }))();
