import { ValidationError } from '../../src/errors.js';
import { byokitMessage } from '../../src/message.js';

/**
 * Key layout of the Redis adapter. Every key of one tenant starts with the
 * same base, `<keyPrefix>{<tenant>}:`, whose braces are a Redis Cluster hash
 * tag: all of a tenant's keys hash to one slot, so every script touches one
 * slot only and runs unchanged on a cluster.
 *
 * Below the base (see docs in `redis-store.ts` for what each holds):
 * `cfg:<id>` hash · `ids` zset · `scope:<scope>` zset · `names` hash ·
 * `defaults` hash · `audit` zset · `audit:data` hash · `audit:cfg:<id>` zset ·
 * `audit:type:<type>` zset.
 *
 * @module
 */

/** The default `keyPrefix` of {@link RedisStore}. */
export const DEFAULT_KEY_PREFIX = 'byokit:';

/**
 * Escapes a tenant id for use inside the hash tag. `{` and `}` would end or
 * move the tag (splitting a tenant over slots or merging two tenants), and
 * `%` is the escape character itself. An empty tenant id becomes `%`, which
 * no escaped id can be, because an empty tag `{}` would make Redis hash the
 * whole key and scatter that tenant over many slots.
 */
export function escapeTenant(tenantId: string): string {
  if (tenantId === '') return '%';
  return tenantId.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The base every key of the tenant starts with. Scripts receive it as their
 * only KEYS entry and derive the rest from it, so a client-side prefix (such
 * as ioredis `keyPrefix`) applied to KEYS applies to every derived key too.
 */
export function tenantBase(keyPrefix: string, tenantId: string): string {
  return `${keyPrefix}{${escapeTenant(tenantId)}}:`;
}

/**
 * Checks a `keyPrefix`: braces in it would make the prefix, not the tenant,
 * the hash tag (every tenant in one slot), so they are refused.
 */
export function assertKeyPrefix(keyPrefix: string): void {
  if (typeof keyPrefix !== 'string') {
    throw new ValidationError(byokitMessage('redis', 'keyPrefix must be a string'), [
      { path: 'keyPrefix', message: 'must be a string' },
    ]);
  }
  if (/[{}]/.test(keyPrefix)) {
    throw new ValidationError(
      byokitMessage('redis', 'keyPrefix must not contain "{" or "}": the tenant id is the hash tag'),
      [{ path: 'keyPrefix', message: 'must not contain "{" or "}"' }],
    );
  }
}

/**
 * The one key outside every tenant: which tenant access key `id` belongs
 * to (a token names its key, not its tenant). Its own cluster slot.
 */
export function locatorKey(keyPrefix: string, id: string): string {
  return `${keyPrefix}locate:${id}`;
}
