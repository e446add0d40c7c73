export * from './options.js';
export * from './permissions.js';
export * from './schemas.js';
export { TenantVault, type CreateConfigInput, type ListAuditInput, type ListConfigsInput, type SetKeyOptions, type UpdateConfigInput, type ValidateKeyResult } from './tenant-vault.js';
export { Vault, createVault, type RewrapReport } from './vault.js';
export type { ResolveInput } from './resolve-key.js';
export { keyStateOf, type ConfigView, type KeyState } from './views.js';
