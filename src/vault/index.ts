export * from './options.js';
export { DEFAULT_ROLE_PERMISSIONS, PERMISSIONS, defaultAuthorize, type AuthorizeContext, type AuthorizeFn, type Permission } from './permissions.js';
export {
  actorSchema,
  baseUrlSchema,
  configIdSchema,
  configNameSchema,
  configOptionsSchema,
  createConfigInputSchema,
  importConfigInputSchema,
  importConfigsInputSchema,
  listAuditInputSchema,
  modelSchema,
  listConfigsInputSchema,
  outcomeReportSchema,
  providerIdSchema,
  providerKeySchema,
  resolveInputSchema,
  scopeSchema,
  setKeyOptionsSchema,
  tenantHandleInputSchema,
  tenantIdSchema,
  updateConfigInputSchema,
} from './schemas.js';
export {
  TenantVault,
  type CreateConfigInput,
  type ListAccessKeysInput,
  type ListAccessKeyUsageInput,
  type ListAuditInput,
  type ListConfigsInput,
  type SetKeyOptions,
  type UpdateConfigInput,
  type ValidateKeyResult,
} from './tenant-vault.js';
export {
  accessKeyIdSchema,
  accessKeyResolveInputSchema,
  createAccessKeyInputSchema,
  listAccessKeysInputSchema,
  listAccessKeyUsageInputSchema,
  recordUsageInputSchema,
} from './access-schemas.js';
export {
  accessKeys,
  type AccessKeyResolveInput,
  type AccessKeysOptions,
  type AccessKeyState,
  type AccessKeyView,
  type CreateAccessKeyInput,
  type CreatedAccessKey,
  type RecordUsageInput,
} from './access-keys.js';
export { entitlementSchema, routesSchema, tenantSettingsSchema } from './settings/document.js';
export { byokEntitlement, type EntitlementInput, type EntitlementOptions } from './settings/entitlement.js';
export type { AccessKeysFeature, EntitlementFeature, RoutesFeature } from './features.js';
export { workloadRoutes, type RouteView, type SetRouteOptions, type ListRoutesInput } from './settings/routes.js';
export { Vault, createVault, type RewrapReport } from './vault.js';
export type { ImportConfigInput, ImportConfigResult, ImportConfigsReport } from './import-configs.js';
export type { ResolveInput } from './resolve-key.js';
export type { ConfigView, KeyState } from './views.js';
export { OUTCOME_STATUSES, type KeyHealth, type KeyHealthEvent, type Outcome, type OutcomeReport, type OutcomeStatus } from '../outcomes/types.js';
export type { RevalidateOptions, RevalidateProgress, RevalidateSummary } from '../outcomes/revalidate.js';
