/** Types of scripts/runtimes.mjs, for the tests that run code on the other runtimes. */
export type RuntimeName = 'node22' | 'node24' | 'bun' | 'deno' | 'workerd';
export function toolsDir(): string;
export function installedRuntimes(): Partial<Record<RuntimeName, string>>;
export function installRuntimes(): Partial<Record<RuntimeName, string>>;
