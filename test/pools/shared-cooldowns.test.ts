/**
 * Cooldowns shared between processes: two vaults, each with its own store
 * instance and connection (as two processes would have), on one PostgreSQL
 * schema or one Redis prefix. A 429 one of them sees is passed over by the
 * other. With pools on, a single-config resolution stays one statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, keyPools, type StorageAdapter } from '../../src/index.js';
import { PostgresStore } from '../../adapters/postgres/index.js';
import { RedisStore } from '../../adapters/redis/index.js';
import { countingClient, describeWithServer, freshSchemaName, newPool } from '../adapters/postgres/pg-server.js';
import { connect, deleteUnder, randomPrefix, REDIS_URL, SKIP_REASON, SKIP_REDIS } from '../adapters/redis/helpers.js';
import { makeVault } from '../vault/helpers.js';
import { keyOf } from './helpers.js';

/** Two vaults ("processes") over `stores`, one keyring; keys a, b, c set through the first. */
async function twoProcesses(stores: [StorageAdapter, StorageAdapter]) {
  const keyring = Keyring.generate('k1');
  const one = makeVault({ store: stores[0], keyring, pools: keyPools({ factsTtlMs: 0 }) });
  const two = makeVault({ store: stores[1], keyring, pools: keyPools({ factsTtlMs: 0 }) });
  const ids: Record<string, string> = {};
  for (const label of ['a', 'b', 'c']) {
    const cfg = await one.owner.createConfig({ name: label, provider: 'openai' });
    await one.owner.setKey(cfg.id, keyOf(label));
    ids[label] = cfg.id;
  }
  return { one, two, ids };
}

async function expectShared(stores: [StorageAdapter, StorageAdapter]) {
  const { one, two, ids } = await twoProcesses(stores);
  const first = await one.vault.resolve({ tenantId: 'acme', provider: 'openai' });
  expect(first.configId).toBe(ids.c);
  expect((await two.vault.resolve({ tenantId: 'acme', provider: 'openai' })).configId).toBe(ids.c);
  one.vault.report(first, { status: 'rate_limited', httpStatus: 429, latencyMs: 3, retryAfter: 30 });
  // The cooldown is written in the background: the other process sees it once it is stored.
  let seen: string | null = null;
  for (let i = 0; i < 100 && seen !== ids.b; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    seen = (await two.vault.resolve({ tenantId: 'acme', provider: 'openai' })).configId;
  }
  const other = await two.vault.resolve({ tenantId: 'acme', provider: 'openai' });
  expect(other.configId).toBe(ids.b);
  expect(other.trace.find((e) => e.step === 'pool')).toMatchObject({ configId: ids.c, reason: 'cooling_down' });
  // The Provider Hub of the other process shows it too.
  const pools = await two.owner.listPools();
  expect(pools[0]!.members.find((m) => m.configId === ids.c)?.cooldown?.reason).toBe('rate_limited');
}

describeWithServer('shared cooldowns: PostgreSQL', () => {
  const admin = newPool(2);
  const pools = [newPool(4), newPool(4)];
  let schema: string;
  beforeAll(async () => {
    schema = freshSchemaName();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await new PostgresStore(admin, { schema }).migrate();
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await Promise.all([admin.end(), ...pools.map((p) => p.end())]);
  });

  it('a 429 seen by one process is passed over by another', async () => {
    await expectShared([new PostgresStore(pools[0]!, { schema }), new PostgresStore(pools[1]!, { schema })]);
  });

  it('with pools on, a single-config resolution is still one statement', async () => {
    const counted = countingClient(pools[0]!);
    const made = makeVault({
      store: new PostgresStore(counted, { schema, tablePrefix: 'byokit_' }),
      pools: keyPools(),
    });
    const one = made.vault.as({ tenantId: 'solo', actor: { id: 'o', role: 'owner' } });
    const cfg = await one.createConfig({ name: 'only', provider: 'openai' });
    await one.setKey(cfg.id, keyOf('s'));
    counted.count = 0;
    for (let i = 0; i < 3; i++)
      expect((await made.vault.resolve({ tenantId: 'solo', provider: 'openai' })).configId).toBe(cfg.id);
    expect(counted.count).toBe(3);
  });
});

describe.skipIf(SKIP_REDIS)(`shared cooldowns: Redis (${REDIS_URL})${SKIP_REASON}`, () => {
  const clients = [connect(), connect(), connect()];
  const prefix = randomPrefix();
  afterAll(async () => {
    await deleteUnder(clients[2]!, prefix);
    for (const c of clients) c.disconnect();
  });

  it('a 429 seen by one process is passed over by another', async () => {
    await expectShared([
      new RedisStore(clients[0]!, { keyPrefix: prefix }),
      new RedisStore(clients[1]!, { keyPrefix: prefix }),
    ]);
  });

  it('a cooldown key expires in Redis at its until', async () => {
    const store = new RedisStore(clients[0]!, { keyPrefix: prefix });
    await store.putKeyCooldown('ttl', {
      tenantId: 'ttl',
      configId: 'cfg_x',
      until: new Date(Date.now() + 5000).toISOString(),
      reason: 'rate_limited',
      setAt: new Date().toISOString(),
    });
    const keys = await clients[2]!.keys(`${prefix}{ttl}:cd:*`);
    expect(keys).toHaveLength(1);
    const ttl = await clients[2]!.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });
});
