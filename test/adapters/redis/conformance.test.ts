/**
 * The conformance suite against a real Redis server. Each test gets its own
 * random key prefix and ACL user; cleanup deletes that prefix's keys.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { connect, createRedisFixture, REDIS_URL, SKIP_REASON, SKIP_REDIS } from './helpers.js';

describe.skipIf(SKIP_REDIS)(`redis conformance (${REDIS_URL})${SKIP_REASON}`, () => {
  let admin: Redis | undefined;

  beforeAll(async () => {
    admin = connect();
    await admin.connect().catch((cause: unknown) => {
      throw new Error(`cannot reach Redis at ${REDIS_URL} (this fails instead of skipping because CI=true)`, { cause });
    });
  });
  afterAll(() => admin?.disconnect());

  runStorageAdapterTests({
    name: 'redis',
    preciseCandidates: true,
    createStore: async () => {
      if (!admin) throw new Error('no admin connection to Redis');
      const { store, rawDump, breakAuditWrites, copyRowBehindAdapter, cleanup } = await createRedisFixture(admin);
      return { store, rawDump, breakAuditWrites, copyRowBehindAdapter, cleanup };
    },
  });
});
