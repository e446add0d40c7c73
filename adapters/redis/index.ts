/**
 * `byokit/adapters/redis`: the Redis storage adapter. Needs a Redis client
 * such as ioredis (an optional peer dependency, never imported here).
 *
 * @module byokit/adapters/redis
 */
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export type { RedisClientLike } from './client.js';
