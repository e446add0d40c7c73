// Runs byokit's published conformance suite on the example adapter, exactly
// as an adapter author would in their own repository.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageAdapterTests } from 'byokit/testing';
import { JsonFileStore } from './json-file-store.js';

runStorageAdapterTests({
  name: 'json-file (example)',
  createStore: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'byokit-json-store-'));
    const path = join(dir, 'byokit.json');
    return {
      store: new JsonFileStore(path),
      // The raw look: the file itself is everything this store holds.
      rawDump: () => readFile(path, 'utf8').catch(() => ''),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
