/**
 * `byokit/schemas`: the zod schemas of every public input, for hosts that
 * validate requests at their own HTTP edge with exactly the rules the vault
 * applies (`schema.safeParse(body)`, `z.infer<typeof schema>`).
 *
 * They live in their own entry so that the root entry never loads zod
 * eagerly: the vault imports its schemas on the first admin call, and a
 * host that only resolves never loads them at all.
 *
 * Written with `zod/mini`: to derive a schema, use its functions
 * (`z.extend(createConfigInputSchema, { ... })`, `z.pick(...)`).
 *
 * @module byokit/schemas
 */
export {
  MAX_IMPORT_ITEMS,
  actorSchema,
  baseUrlSchema,
  configIdSchema,
  configNameSchema,
  configOptionsSchema,
  createConfigInputSchema,
  importConfigInputSchema,
  importConfigsInputSchema,
  listAuditInputSchema,
  listConfigsInputSchema,
  modelSchema,
  outcomeReportSchema,
  parseInput,
  providerIdSchema,
  providerKeySchema,
  resolveInputSchema,
  revalidateOptionsSchema,
  scopeSchema,
  setKeyOptionsSchema,
  tenantHandleInputSchema,
  tenantIdSchema,
  updateConfigInputSchema,
  validateKeyOptionsSchema,
} from './vault/schema-catalog.js';
export {
  accessKeyIdSchema,
  accessKeyResolveInputSchema,
  createAccessKeyInputSchema,
  listAccessKeysInputSchema,
  listAccessKeyUsageInputSchema,
  recordUsageInputSchema,
} from './vault/schema-catalog.js';
export {
  entitlementSchema,
  listRoutesInputSchema,
  routesSchema,
  routeNameSchema,
  setRouteOptionsSchema,
  tenantSettingsSchema,
} from './vault/schema-catalog.js';
export {
  keyPoolsOptionsSchema,
  listPoolsInputSchema,
  poolKeyInputSchema,
  poolPolicyInputSchema,
  poolsSectionSchema,
  withKeyOptionsSchema,
} from './pools/schemas.js';
// The policy kinds `poolPolicyInputSchema` takes. Here rather than in the root entry: exported
// there, the array would join the core bundle's eager chunk for no resolution's sake.
export { POOL_POLICIES } from './resolve/types.js';
