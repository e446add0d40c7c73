/**
 * The provider registry: a plain object of descriptors keyed by id.
 *
 * @module
 */
import { ProviderError, ValidationError } from '../errors.js';
import type { ProviderDescriptor } from './types.js';
import { byokitMessage } from '../message.js';

/** Descriptors keyed by provider id. */
export type ProviderRegistry = Readonly<Record<string, ProviderDescriptor>>;

/** The descriptor of `id`, or a typed `PROVIDER_UNKNOWN` error. */
export function getProvider(registry: ProviderRegistry, id: string): ProviderDescriptor {
  if (typeof registry !== 'object' || registry === null || typeof id !== 'string') {
    throw new ValidationError(
      byokitMessage('providers', 'getProvider(registry, id) takes a registry object of descriptors and a provider id'),
      [
        {
          path: typeof id === 'string' ? 'registry' : 'id',
          message: typeof id === 'string' ? 'must be an object' : 'must be a string',
        },
      ],
    );
  }
  const descriptor = Object.hasOwn(registry, id) ? registry[id] : undefined;
  if (!descriptor) {
    throw new ProviderError(
      'PROVIDER_UNKNOWN',
      byokitMessage('providers', `unknown provider "${id}"; register a descriptor for it`),
    );
  }
  return descriptor;
}
