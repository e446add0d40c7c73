/**
 * The core suite as a command, for runtimes with a command line (Node, Bun,
 * Deno): `run-core.js <providerUrl> <vectors.json> [sqliteDir]`. Prints one
 * `RESULTS <json>` line; the matrix driver reads it.
 */
import { readFileSync } from 'node:fs';
import { runCoreSuite, type SealVector } from './core-suite.js';

const [providerUrl, vectorsFile, sqliteDir] = process.argv.slice(2);
if (!providerUrl || !vectorsFile) throw new Error('usage: run-core.js <providerUrl> <vectors.json> [sqliteDir]');
const vectors = JSON.parse(readFileSync(vectorsFile, 'utf8')) as SealVector[];
const results = await runCoreSuite({ providerUrl, vectors, ...(sqliteDir ? { sqliteDir } : {}) });
console.log(`RESULTS ${JSON.stringify(results)}`);
