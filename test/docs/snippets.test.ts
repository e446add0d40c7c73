/**
 * Every ```ts / ```js block of README.md and docs/*.md is type-checked
 * against the source (as `byokit`, `byokit/providers`, ...), with the
 * repository's compiler options, and the blocks marked `run` are executed.
 * The docs can't drift from the API this way.
 *
 * The convention, for writers of docs (also in CONTRIBUTING.md):
 *
 * - A block is a module of its own: top-level `await` and `import` work.
 * - It must be valid code. Leave things out with comments (`// ...`), not
 *   with `...` inside an expression.
 * - What a block assumes the reader already has (`vault`, `r`, `store` ...)
 *   comes from a prelude, named in an HTML comment right before the block:
 *   `<!-- snippet: vault resolution -->`. The preludes are in
 *   test/docs/preludes.ts; add one there when a new kind of context is needed.
 * - `<!-- snippet: run vault -->` also runs the block (offline: no network,
 *   no files outside the temp folder). Mark every block that can run.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELUDES } from './preludes.js';
import { extractSnippets, type Snippet } from './snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Generated modules live here while the test runs (git-ignored, excluded from tsconfig). */
const outDir = join(root, 'test', 'docs', '.snippets');

const DOCS = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const snippets = DOCS.flatMap((file) => extractSnippets(readFileSync(join(root, file), 'utf8'), file));

interface Generated {
  snippet: Snippet;
  path: string;
  /** Lines before the snippet's first line in the generated file. */
  offset: number;
}

function label(snippet: Snippet): string {
  return `${snippet.file}:${snippet.line}`;
}

function generate(snippet: Snippet, index: number): Generated {
  const preludes = snippet.preludes.map((name) => {
    const prelude = PRELUDES[name];
    if (!prelude) throw new Error(`${label(snippet)}: unknown prelude "${name}" (see test/docs/preludes.ts)`);
    return prelude;
  });
  const head = preludes.map((prelude) => prelude.code.trim()).join('\n');
  const header = `// ${label(snippet)}\n${head ? `${head}\n` : ''}`;
  const dir = join(outDir, `${index}`);
  mkdirSync(dir, { recursive: true });
  for (const prelude of preludes)
    for (const [name, text] of Object.entries(prelude.files ?? {})) writeFileSync(join(dir, name), text);
  const path = join(dir, snippet.language === 'ts' ? 'snippet.ts' : 'snippet.mjs');
  // `export {}` makes every block a module (top-level await, no global clashes).
  writeFileSync(path, `${header}${snippet.code}\nexport {};\n`);
  return { snippet, path, offset: header.split('\n').length - 1 };
}

let generated: Generated[] = [];

beforeAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  generated = snippets.map(generate);
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('documentation snippets', () => {
  it('are found in README.md and docs/*.md (every fenced ts/js block)', () => {
    const fences = DOCS.reduce(
      (count, file) =>
        count +
        (readFileSync(join(root, file), 'utf8').match(/^\s*```(ts|typescript|js|javascript)\s*$/gm)?.length ?? 0),
      0,
    );
    expect(snippets.length).toBe(fences);
    expect(snippets.length).toBeGreaterThan(15);
  });

  it('type-check against the source, with the repository compiler options', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    if (!config) throw new Error('tsconfig.json did not parse');
    const options: ts.CompilerOptions = {
      ...config.options,
      noEmit: true,
      allowJs: true,
      checkJs: true,
      // A snippet shows a shape: a callback's parameter, an unused binding, is how the docs name what arrives.
      noUnusedLocals: false,
      noUnusedParameters: false,
    };
    const program = ts.createProgram(
      generated.map((g) => g.path),
      options,
    );
    const byPath = new Map(generated.map((g) => [g.path, g]));
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const owner = diagnostic.file ? byPath.get(diagnostic.file.fileName) : undefined;
      if (!owner || diagnostic.start === undefined)
        return `${diagnostic.file ? relative(root, diagnostic.file.fileName) : '(program)'}: TS${diagnostic.code} ${text}`;
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
      const docLine = line - owner.offset;
      return docLine < 0
        ? `${label(owner.snippet)} (in a prelude): TS${diagnostic.code} ${text}`
        : `${owner.snippet.file}:${owner.snippet.line + docLine}: TS${diagnostic.code} ${text}`;
    });
    expect(problems).toEqual([]);
  }, 120_000);

  const runnable = snippets.filter((snippet) => snippet.run);
  it('include blocks that run', () => {
    expect(runnable.length).toBeGreaterThan(5);
  });
  it.each(runnable.map((snippet) => [label(snippet), snippet] as const))('%s runs', async (_label, snippet) => {
    const target = generated.find((g) => g.snippet === snippet)!;
    await import(/* @vite-ignore */ target.path);
  });
});
