/**
 * The adapters' constructors refuse a wrong client or wrong options with a
 * typed ByokitError before touching any backend, never with a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../adapters/postgres/index.js';
import { RedisStore } from '../../adapters/redis/index.js';
import { SqliteStore } from '../../adapters/sqlite/index.js';

const untouched = { query: () => expect.fail('no query before the options are checked') };
const redisClient = { evalsha: async () => expect.fail('no call'), eval: async () => expect.fail('no call') };
const sqliteDb = { prepare: () => expect.fail('no statement'), exec: () => expect.fail('no statement') };

describe('adapter constructors: typed errors only', () => {
  it.each([
    ['PostgresStore without a client', () => new PostgresStore(null as never), 'ADAPTER_INVALID'],
    [
      'PostgresStore with options that are not an object',
      () => new PostgresStore(untouched as never, 5 as never),
      'VALIDATION_FAILED',
    ],
    [
      'PostgresStore with maxAttempts NaN',
      () => new PostgresStore(untouched as never, { maxAttempts: Number.NaN }),
      'VALIDATION_FAILED',
    ],
    [
      'PostgresStore with maxAttempts 0',
      () => new PostgresStore(untouched as never, { maxAttempts: 0 }),
      'VALIDATION_FAILED',
    ],
    ['RedisStore without a client', () => new RedisStore(undefined as never), 'ADAPTER_INVALID'],
    ['RedisStore with null options', () => new RedisStore(redisClient as never, null as never), 'VALIDATION_FAILED'],
    [
      'RedisStore with a keyPrefix that is not a string',
      () => new RedisStore(redisClient as never, { keyPrefix: 7 as never }),
      'VALIDATION_FAILED',
    ],
    ['SqliteStore without a database', () => new SqliteStore({} as never), 'ADAPTER_INVALID'],
    ['SqliteStore with null options', () => new SqliteStore(sqliteDb as never, null as never), 'VALIDATION_FAILED'],
    [
      'SqliteStore with a negative busy timeout',
      () => new SqliteStore(sqliteDb as never, { busyTimeoutMs: -1 }),
      'VALIDATION_FAILED',
    ],
    [
      'SqliteStore with a tablePrefix that is not an identifier',
      () => new SqliteStore(sqliteDb as never, { tablePrefix: {} as never }),
      'VALIDATION_FAILED',
    ],
  ] as const)('%s', (_case, construct, code) => {
    expect(construct).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(/^\[byokit\] \[(postgres|redis|sqlite)\] /) }),
    );
  });

  it('SqliteStore.open refuses a path that is not a string', async () => {
    await expect(SqliteStore.open(undefined as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(SqliteStore.open('', {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
