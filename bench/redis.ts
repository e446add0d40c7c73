/** Rows on the real Redis server (BYOKIT_REDIS_URL): resolve against a bare HGETALL of one config. */
import { Redis } from 'ioredis';
import { RedisStore } from '../adapters/redis/index.js';
import { Keyring, createVault } from '../src/index.js';
import { pair, type Row } from './harness.js';
import { loadTenants } from './tenants.js';
import { rotationRow } from './rotation.js';

export const REDIS_URL = process.env.BYOKIT_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisRows(): Promise<{ version: string; rows: Row[] }> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await client.connect();
  const prefix = `byokit-bench-${Math.random().toString(36).slice(2, 10)}:`;
  try {
    const version = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    const vault = createVault({
      store: new RedisStore(client, { keyPrefix: prefix }),
      keyring: Keyring.generate('k1'),
    });
    await loadTenants(vault, 0, 1, 1);
    const [hashKey] = await client.keys(`${prefix}{t0}:cfg:*`);
    const bare = { label: 'bare HGETALL of one config hash (same client)', run: () => client.hgetall(hashKey!) };
    const rows = [
      await pair(
        'resolve(), Redis (ioredis)',
        bare,
        () => vault.resolve({ tenantId: 't0', scope: 'ws/p', provider: 'openai' }),
        { text: '≤ 2×', max: 2 },
        { time: 2000 },
      ),
    ];
    rows.push(await rotationRow(new RedisStore(client, { keyPrefix: prefix }), 'Redis'));
    return { version, rows };
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    client.disconnect();
  }
}
