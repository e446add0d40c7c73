/**
 * The conformance suite against PGlite (PostgreSQL in-process, one
 * connection), each test in a fresh schema of one PGlite instance. Needs no
 * server, so it always runs.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe } from 'vitest';
import { runStorageAdapterTests } from '../../../src/testing/index.js';
import { storeInFreshSchema } from './pg-server.js';

describe('postgres adapter on PGlite', () => {
  const db = new PGlite();
  afterAll(() => db.close());
  runStorageAdapterTests({
    name: 'postgres (PGlite)',
    preciseCandidates: true,
    createStore: () => storeInFreshSchema(db, db),
  });
});
