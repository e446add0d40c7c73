export * from './options.js';
export {
  DEFAULT_ROLE_PERMISSIONS,
  PERMISSIONS,
  defaultAuthorize,
  type AuthorizeContext,
  type AuthorizeFn,
  type Permission,
} from './permissions.js';
export {
  TenantVault,
  type CreateConfigInput,
  type ListAccessKeysInput,
  type ListAccessKeyUsageInput,
  type ListAuditInput,
  type ListConfigsInput,
  type PoolPolicyInput,
  type SetKeyOptions,
  type UpdateConfigInput,
  type ValidateKeyResult,
} from './tenant-vault.js';
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
export { byokEntitlement, type EntitlementInput, type EntitlementOptions } from './settings/entitlement.js';
export type { AccessKeysFeature, EntitlementFeature, PoolsFeature, RoutesFeature } from './features.js';
export { workloadRoutes, type RouteView, type SetRouteOptions, type ListRoutesInput } from './settings/routes.js';
export {
  keyPools,
  type KeyPoolsOptions,
  type PoolMemberSetting,
  type PoolMemberView,
  type PoolPolicy,
  type PoolView,
  type WithKeyAttempt,
  type WithKeyOptions,
} from '../pools/index.js';
export { WITH_KEY_ON_FAILURE, type WithKeyOnFailure } from '../pools/on-failure.js';
export { choosePoolMember, poolOrder, type PoolChoice, type PoolChoiceInput, type PoolFacts } from '../resolve/pool.js';
export { Vault, createVault } from './vault.js';
export type {
  KekUsage,
  KeyringStatus,
  RewrapFailure,
  RewrapReport,
  RotateOptions,
  RotationProgress,
  RotationReport,
} from './rotation.js';
export type { ImportConfigInput, ImportConfigResult, ImportConfigsReport } from './import-configs.js';
export type { ResolveInput } from './resolve-key.js';
export type { ConfigView, KeyState } from './views.js';
export {
  OUTCOME_STATUSES,
  type KeyHealth,
  type KeyHealthEvent,
  type KeyMove,
  type Outcome,
  type OutcomeReport,
  type OutcomeStatus,
} from '../outcomes/types.js';
export type { RevalidateOptions, RevalidateProgress, RevalidateSummary } from '../outcomes/revalidate.js';
