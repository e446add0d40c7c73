/**
 * Dependencies point down (docs/architecture.md): the bottom floor
 * (`values.ts`, `message.ts`, `trace.ts`, `errors.ts`) imports nothing above it, and the
 * providers know a resolution, not the store. Read from the source with a
 * regex over import and export-from statements, type-only ones included.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './source-files.js';

const SRC = resolve(import.meta.dirname, '../../src');

/** The src-relative paths a file imports (static, type-only and dynamic imports, and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g),
    ...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers.map((s) => relative(SRC, resolve(file, '..', s)).replace(/\.js$/, '.ts'));
}

const files = sourceFiles(SRC);

describe('layering', () => {
  it('finds the imports it checks (the reader works)', () => {
    expect(importsOf(join(SRC, 'errors.ts')).sort()).toEqual(['message.ts', 'trace.ts']);
    expect(importsOf(join(SRC, 'providers/create-client.ts'))).toContain('errors.ts');
  });

  it.each([
    ['values.ts', []],
    ['message.ts', []],
    ['trace.ts', ['values.ts']],
    ['errors.ts', ['message.ts', 'trace.ts', 'values.ts']],
  ])('%s imports only the floor below it', (file, allowed) => {
    for (const target of importsOf(join(SRC, file))) expect(allowed, `${file} imports ${target}`).toContain(target);
  });

  it('no provider module imports the store', () => {
    const offending = files
      .filter((f) => relative(SRC, f).startsWith('providers/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => t.startsWith('store/'))
          .map((t) => `${relative(SRC, f)} -> ${t}`),
      );
    expect(offending).toEqual([]);
  });
});
