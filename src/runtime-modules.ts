/**
 * Modules byokit imports at run time, by a specifier bundlers do not follow:
 * the optional provider SDKs, and the pure-JavaScript crypto fallback
 * (`@noble/*`), which only a runtime without `node:crypto` and WebCrypto
 * needs. Node, Bun and Deno load them from `node_modules`; where packages
 * can't be imported at run time (a bundled worker or browser), the host
 * hands the module over with `provideSdk(specifier, module)`.
 *
 * @module
 */

const provided = new Map<string, unknown>();

/** @internal Records a module the host handed over (`provideSdk`); a later call replaces an earlier one. */
export function provideModule(specifier: string, module: unknown): void {
  provided.set(specifier, module);
}

/** @internal Whether the host handed over a module for `specifier`, and which. */
export function providedModule(specifier: string): { module: unknown } | null {
  return provided.has(specifier) ? { module: provided.get(specifier) } : null;
}

/**
 * Imports `specifier` by a computed specifier, so that bundlers leave it to
 * the runtime (the comments keep webpack and Vite from warning about it).
 */
export function importAtRunTime(specifier: string): Promise<unknown> {
  const computed = specifier;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ computed);
}

/** A provided module, else the runtime import of `specifier`. */
export async function loadModule<Module>(specifier: string): Promise<Module> {
  const given = providedModule(specifier);
  return (given ? given.module : await importAtRunTime(specifier)) as Module;
}
