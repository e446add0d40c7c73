import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guardDeclarations } from '../../scripts/build.mjs';

const dir = mkdtempSync(join(tmpdir(), 'byokit-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function guard(text: string): { text: string; problems: string[] } {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.d.ts`);
  writeFileSync(file, text);
  const problems = guardDeclarations(file);
  return { text: readFileSync(file, 'utf8'), problems };
}

const GUARD = /^\/\/ @ts-ignore optional peer dependency/;

describe('the declaration guard of npm run build', () => {
  it('puts a @ts-ignore right before the line that names an optional SDK, however the import is written', () => {
    const { text, problems } = guard(
      [
        "import { OpenAI } from 'openai';",
        'import {',
        '  Mistral',
        "} from '@mistralai/mistralai';",
        "import 'ollama';",
        "type C = import('cohere-ai').CohereClientV2;",
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    const lines = text.split('\n');
    for (const named of ["from 'openai'", "from '@mistralai/mistralai'", "import 'ollama'", "import('cohere-ai')"]) {
      const index = lines.findIndex((line) => line.includes(named));
      expect(lines[index - 1], named).toMatch(GUARD);
    }
  });

  it('leaves dependencies, relative imports and code quoted in doc comments alone', () => {
    const source = [
      "import { z } from 'zod';",
      "import { a } from './chunk.js';",
      " * const sdk = await loadSdk('x', () => import('pkg'));",
    ].join('\n');
    expect(guard(source)).toEqual({ text: source, problems: [] });
  });

  it('does not guard twice when run again', () => {
    const once = guard("import { OpenAI } from 'openai';").text;
    expect(guard(once).text).toBe(once);
  });

  it('reports any other package the declarations import', () => {
    expect(guard("import { pad } from 'left-pad';").problems).toEqual([expect.stringContaining('imports "left-pad"')]);
  });
});
