/**
 * byokit: bring-your-own-key for LLM platforms.
 *
 * - {@link createVault} / {@link Vault}: store, resolve and govern tenants' provider keys.
 * - {@link Keyring}: the key-encryption keys (`BYOKIT_MASTER_KEYS`).
 * - {@link MemoryStore}: the embedded default store; adapters live under `byokit/adapters/*`.
 * - {@link createClient}: a ready provider SDK client for a {@link Resolution}.
 *
 * @module byokit
 */
export * from './errors.js';
export { Secret, keyHint } from './secret.js';
export { Keyring, type KekEntry, type KekProvider, type SealContext } from './crypto/index.js';
export * from './store/index.js';
export type { FallbackPolicy } from './resolve/resolver.js';
export type { KeySource, PoolPolicyKind, Resolution, SkipReason, TraceEntry, TraceStepKind } from './resolve/types.js';
export * from './vault/index.js';
export { ACCESS_KEY_PREFIX } from './access/token.js';
export { scopeChain } from './resolve/scope.js';
export { createClient } from './providers/create-client.js';
export { provideSdk } from './providers/load-sdk.js';
export { VALIDATION_FAILURE_REASONS } from './providers/types.js';
export type {
  ProviderDescriptor,
  ProviderCallInput,
  ProviderTransport,
  KeyValidationResult,
  ValidationFailureReason,
} from './providers/types.js';
export type { ProviderRegistry } from './providers/registry.js';
