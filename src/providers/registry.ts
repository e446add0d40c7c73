/**
 * The provider registry: a plain object of descriptors keyed by id.
 *
 * @module
 */
import { ProviderError } from '../errors.js';
import type { ProviderDescriptor } from './types.js';

/** Descriptors keyed by provider id. */
export type ProviderRegistry = Readonly<Record<string, ProviderDescriptor>>;

/** The descriptor of `id`, or a typed `PROVIDER_UNKNOWN` error. */
export function getProvider(registry: ProviderRegistry, id: string): ProviderDescriptor {
  const descriptor = Object.hasOwn(registry, id) ? registry[id] : undefined;
  if (!descriptor) {
    throw new ProviderError('PROVIDER_UNKNOWN', `[byokit] [providers] unknown provider "${id}"; register a descriptor for it`);
  }
  return descriptor;
}
