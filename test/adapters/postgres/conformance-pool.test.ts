/**
 * The conformance suite against a real PostgreSQL server through a `pg`
 * Pool, each test in a fresh schema.
 */
import { afterAll } from 'vitest';
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { describeWithServer, newPool, storeInFreshSchema } from './pg-server.js';

describeWithServer('postgres adapter through a pg Pool', () => {
  const pool = newPool();
  afterAll(() => pool.end());
  runStorageAdapterTests({
    name: 'postgres (pg Pool)',
    preciseCandidates: true,
    createStore: () => storeInFreshSchema(pool, pool),
  });
});
