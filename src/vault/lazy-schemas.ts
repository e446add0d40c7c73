/**
 * The zod input schemas (`schema-catalog.ts`), loaded on first use: the admin calls that take
 * rich input (configs, keys, imports, queries) parse with them, and a host
 * that only resolves never loads the schema library (see
 * {@link ./plain-input.ts} for the checks on the request path).
 *
 * @module
 */
import type * as Schemas from './schema-catalog.js';
import type { z } from 'zod';

type SchemaModule = typeof Schemas;
/** The name of a schema of the catalog. */
export type SchemaName = {
  [K in keyof SchemaModule]: SchemaModule[K] extends z.core.$ZodType ? K : never;
}[keyof SchemaModule];

let loading: Promise<SchemaModule> | undefined;

/** The schema module, imported once. */
export function loadSchemas(): Promise<SchemaModule> {
  loading ??= import('./schema-catalog.js');
  return loading;
}

/**
 * Parses `input` with the named schema, or rejects with a `ValidationError`
 * whose issues name paths and rules, never input values.
 */
export async function parseWith<K extends SchemaName>(
  name: K,
  input: unknown,
  what: string,
): Promise<z.output<SchemaModule[K]>> {
  const schemas = await loadSchemas();
  return schemas.parseInput(schemas[name] as SchemaModule[K] & z.core.$ZodType, input, what) as z.output<
    SchemaModule[K]
  >;
}
