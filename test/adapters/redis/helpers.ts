/**
 * Shared setup of the Redis adapter tests: the server address, a probe,
 * per-test key prefixes, cleanup by SCAN+DEL (never FLUSHALL/FLUSHDB: other
 * test files share the server) and a raw text dump of a prefix's keys.
 */
import { isCI } from '../../in-ci.js';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../../../adapters/redis/index.js';
import { tenantBase } from '../../../adapters/redis/keys.js';

/** Address of the test server. */
export const REDIS_URL = process.env.BYOKIT_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** In CI an unreachable server fails the run instead of skipping it. */
export const IN_CI = isCI();

/** A client that gives up at once when the server is down, instead of retrying forever. */
export function connect(options: { keyPrefix?: string } = {}): Redis {
  return new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    ...options,
  });
}

/** Whether the server answers PING. */
export async function probeRedis(): Promise<boolean> {
  const client = connect();
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Skip (outside CI only) with the reason in the suite name. */
export const REDIS_UP = await probeRedis();
export const SKIP_REDIS = !REDIS_UP && !IN_CI;
export const SKIP_REASON = SKIP_REDIS ? ` (skipped: no Redis at ${REDIS_URL}; set CI=true to fail instead)` : '';

/** A fresh random key prefix, e.g. `byokit-test:3f9a...:`. */
export function randomPrefix(): string {
  return `byokit-test:${randomBytes(8).toString('hex')}:`;
}

/** Every key that starts with `prefix`, sorted. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return [...new Set(keys)].sort();
}

/** Deletes every key under `prefix`. */
export async function deleteUnder(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}

/** Every key under `prefix` with its full value, as text. */
export async function dumpUnder(client: Redis, prefix: string): Promise<string> {
  const lines: string[] = [];
  for (const key of await keysUnder(client, prefix)) {
    const type = await client.type(key);
    lines.push(`${key} (${type})`);
    if (type === 'hash') {
      const hash = await client.hgetall(key);
      for (const field of Object.keys(hash).sort()) lines.push(`  ${field} = ${hash[field]}`);
    } else if (type === 'zset') {
      for (const member of await client.zrange(key, '0', '-1')) lines.push(`  ${member}`);
    } else if (type === 'set') {
      for (const member of (await client.smembers(key)).sort()) lines.push(`  ${member}`);
    } else if (type === 'list') {
      for (const item of await client.lrange(key, '0', '-1')) lines.push(`  ${item}`);
    } else if (type === 'string') {
      lines.push(`  ${await client.get(key)}`);
    } else {
      lines.push(`  <${type}>`);
    }
  }
  return lines.join('\n');
}

/**
 * The copied-row attack on Redis: copies a config's hash (sealed key
 * included) under another tenant's base and files it in that tenant's
 * indexes, as someone with access to the server could. With
 * `keepStoredTenant` the hash is copied verbatim, so its `tenantId` field
 * still names the source tenant.
 */
export async function copyRedisRow(
  admin: Redis,
  fullPrefix: string,
  from: { tenantId: string; id: string },
  toTenantId: string,
  keepStoredTenant: boolean,
): Promise<boolean> {
  const source = tenantBase(fullPrefix, from.tenantId);
  const target = tenantBase(fullPrefix, toTenantId);
  const hash = await admin.hgetall(`${source}cfg:${from.id}`);
  if (!hash.id) throw new Error(`no config ${from.id} in tenant ${from.tenantId} to copy`);
  const copy = keepStoredTenant ? hash : { ...hash, tenantId: toTenantId };
  await admin.hset(`${target}cfg:${from.id}`, copy);
  await admin.zadd(`${target}ids`, 0, from.id);
  await admin.zadd(`${target}scope:${hash.scope}`, 0, from.id);
  await admin.hset(`${target}names`, hash.name!, from.id);
  if (hash.isDefault === '1') await admin.hset(`${target}defaults`, hash.scope!, from.id);
  return true;
}

/** CRC16/XMODEM as Redis Cluster uses it. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The hash tag Redis Cluster uses for `key`, or `null` when it hashes the whole key. */
export function hashTag(key: string): string | null {
  const open = key.indexOf('{');
  if (open === -1) return null;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return null;
  return key.slice(open + 1, close);
}

/** The Redis Cluster slot of `key` (CLUSTER KEYSLOT, computed locally: the test server is standalone). */
export function keySlot(key: string): number {
  return crc16(Buffer.from(hashTag(key) ?? key, 'utf8')) % 16384;
}

/** A store on its own key prefix and its own ACL user, with the suite's hooks. */
export interface RedisStoreFixture {
  store: RedisStore;
  /** The store's own connection (authenticated as the test's ACL user). */
  client: Redis;
  /** The store's `keyPrefix`. */
  prefix: string;
  rawDump: () => Promise<string>;
  breakAuditWrites: () => Promise<void>;
  copyRowBehindAdapter: (
    from: { tenantId: string; id: string },
    toTenantId: string,
    options: { keepStoredTenant: boolean },
  ) => Promise<boolean>;
  cleanup: () => Promise<void>;
}

/**
 * A fresh store for one test. The store connects as a fresh ACL user whose
 * key permissions cover only its prefix, which also gives a way to make the
 * audit writes fail *inside* Redis: `breakAuditWrites` narrows write access
 * to the non-audit keys (`<prefix>{tenant}:` then anything not starting
 * with `a`, and the access-key locators), so the scripts' first write, the
 * audit event, gets NOPERM while every read still works.
 */
export async function createRedisFixture(
  admin: Redis,
  options: { clientKeyPrefix?: string; keyPrefix?: string } = {},
): Promise<RedisStoreFixture> {
  const prefix = options.keyPrefix ?? randomPrefix();
  const fullPrefix = `${options.clientKeyPrefix ?? ''}${prefix}`;
  const user = `byokit-test-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(16).toString('hex');
  await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '+@all', `~${fullPrefix}*`);
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    username: user,
    password,
    ...(options.clientKeyPrefix === undefined ? {} : { keyPrefix: options.clientKeyPrefix }),
  });
  await client.connect();
  const store = new RedisStore(client, { keyPrefix: prefix });
  return {
    store,
    client,
    prefix,
    rawDump: () => dumpUnder(admin, fullPrefix),
    copyRowBehindAdapter: (from, toTenantId, { keepStoredTenant }) =>
      copyRedisRow(admin, fullPrefix, from, toTenantId, keepStoredTenant),
    breakAuditWrites: async () => {
      await admin.call(
        'ACL',
        'SETUSER',
        user,
        'resetkeys',
        `%R~${fullPrefix}*`,
        `%RW~${fullPrefix}{*}:`,
        `%RW~${fullPrefix}{*}:[^a]*`,
        `%RW~${fullPrefix}locate:*`,
      );
    },
    cleanup: async () => {
      client.disconnect();
      await admin.call('ACL', 'DELUSER', user);
      await deleteUnder(admin, fullPrefix);
    },
  };
}
