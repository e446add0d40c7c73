/**
 * The conformance suite through a `pg` Pool whose type parsers return every
 * value as PostgreSQL's raw text (`'t'` for true, `'1'` for a count, JSON
 * as text): the adapter must not depend on a client that parses types.
 */
import pg from 'pg';
import { afterAll } from 'vitest';
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { PG_URL, describeWithServer, newPool, storeInFreshSchema } from './pg-server.js';

describeWithServer('postgres adapter through a pg Pool with raw-text type parsers', () => {
  const raw = new pg.Pool({
    connectionString: PG_URL,
    max: 10,
    types: { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig,
  });
  const admin = newPool(2);
  afterAll(async () => {
    await raw.end();
    await admin.end();
  });
  runStorageAdapterTests({
    name: 'postgres (raw-text pg Pool)',
    preciseCandidates: true,
    createStore: () => storeInFreshSchema(raw, admin),
  });
});
