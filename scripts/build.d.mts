/** Types of scripts/build.mjs, for its test. */
export const OPTIONAL_TYPE_IMPORTS: readonly string[];
/** Adds the `@ts-ignore` guard before each optional SDK import of a declaration file; returns the problems found. */
export function guardDeclarations(file: string): string[];
