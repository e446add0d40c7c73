/**
 * The conformance suite through ONE `pg` Client (a single connection that
 * queues every query): the races must hold without a connection checkout,
 * and no transaction of one caller may swallow another caller's statement.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { PG_URL, describeWithServer, storeInFreshSchema } from './pg-server.js';

describeWithServer('postgres adapter through a single pg Client', () => {
  const client = new pg.Client({ connectionString: PG_URL });
  beforeAll(() => client.connect());
  afterAll(() => client.end());
  runStorageAdapterTests({
    name: 'postgres (pg Client)',
    preciseCandidates: true,
    createStore: () => storeInFreshSchema(client, client),
  });
});
