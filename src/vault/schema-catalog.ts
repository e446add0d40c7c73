/**
 * Every input schema the vault parses with, in one module that only
 * `import()` reaches from the root entry (see `lazy-schemas.ts`), so that
 * zod lands in a chunk of its own, loaded on the first admin call. The
 * public `byokit/schemas` entry re-exports from here.
 *
 * @module
 */
export * from './schemas.js';
export * from './access-schemas.js';
export * from './settings/schemas.js';
export * from '../pools/schemas.js';
