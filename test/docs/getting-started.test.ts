/**
 * docs/getting-started.md, run as its reader would run it: its ```ts test
 * blocks joined in order into one program, the `byokit` import rewritten to
 * the source, type-checked with the repository's compiler options, then run
 * with the environment the page tells the reader to set, against a local
 * OpenAI stand-in (requests for https://api.openai.com/v1 are routed to it).
 * What the program prints is checked against what the page's comments say.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalOpenAIServer, type LocalOpenAIServer } from '../../examples/local-openai-server.js';
import { Keyring } from '../../src/index.js';
import { extractTestBlocks, type TestBlock } from './snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 'docs/getting-started.md';
/** Git-ignored, excluded from tsconfig. */
const outDir = join(root, 'test', 'docs', '.tutorials');
const program = join(outDir, 'getting-started.ts');
const OPENAI = 'https://api.openai.com/v1';
const TENANT_KEY = 'sk-proj-GETTINGstarted000000000000000007xQ2';

const blocks = extractTestBlocks(readFileSync(join(root, PAGE), 'utf8'), PAGE);

/** The blocks as one module, each after a comment naming its line; `byokit` imports point at the source. */
function assemble(steps: readonly TestBlock[]): { text: string; lineOf: (generatedLine: number) => string } {
  const source = join(root, 'src', 'index.js').split('\\').join('/');
  const lines: string[] = [];
  const origin: string[] = [];
  for (const step of steps) {
    lines.push(`// ${step.file}:${step.line}`);
    origin.push(`${step.file}:${step.line - 1}`);
    step.code.split('\n').forEach((line, index) => {
      lines.push(line.replace(/from 'byokit'/, `from '${source}'`));
      origin.push(`${step.file}:${step.line + index}`);
    });
  }
  lines.push('export {};');
  return { text: `${lines.join('\n')}\n`, lineOf: (line) => origin[line] ?? `${PAGE}:?` };
}

let server: LocalOpenAIServer;
const printed: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  server = await startLocalOpenAIServer();
  server.accept.set('acme', TENANT_KEY);
});
afterAll(async () => {
  process.env = saved;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  rmSync(outDir, { recursive: true, force: true });
  await server?.close();
});

describe('docs/getting-started.md', () => {
  it('is a walk-through of several ```ts test steps, and every import of it is byokit', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const imports = blocks.flatMap((block) => [...block.code.matchAll(/from '([^']+)'/g)].map((match) => match[1]));
    expect(imports).toStrictEqual(['byokit']);
  });

  it('type-checks as one program against the source', () => {
    const { text, lineOf } = assemble(blocks);
    writeFileSync(program, text);
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    if (!config) throw new Error('tsconfig.json did not parse');
    const checked = ts.createProgram([program], { ...config.options, noEmit: true });
    const problems = ts.getPreEmitDiagnostics(checked).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return `TS${d.code} ${message}`;
      const where =
        d.file.fileName === program
          ? lineOf(d.file.getLineAndCharacterOfPosition(d.start).line)
          : relative(root, d.file.fileName);
      return `${where}: TS${d.code} ${message}`;
    });
    expect(problems).toStrictEqual([]);
  }, 120_000);

  it('runs: the tenant key reaches the model, and the program prints what the page says it prints', async () => {
    // The environment step 2 sets.
    process.env.BYOKIT_MASTER_KEYS = Keyring.generateEntry('k1');
    process.env.OPENAI_API_KEY = TENANT_KEY;
    // OpenAI, here: the local stand-in. byokit's transport calls the global fetch; its connect-time
    // address check belongs to the real connection to api.openai.com, which this one replaces.
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit & { dispatcher?: unknown }) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith(OPENAI)) return realFetch(input, init);
      const { dispatcher: _dispatcher, ...rest } = init ?? {};
      return realFetch(`${server.baseUrl}${url.slice(OPENAI.length)}`, rest);
    });
    vi.spyOn(console, 'log').mockImplementation(
      (...values: unknown[]) =>
        void printed.push(values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')),
    );

    await import(/* @vite-ignore */ program);

    expect(server.seen).toStrictEqual(['acme']);
    expect(printed).toStrictEqual([
      'sk-proj-...7xQ2 active',
      'byok prod',
      'Hello from the local server, paid for by "acme".',
      'NO_KEY',
      JSON.stringify(['key.disabled', 'key.set', 'config.created']),
    ]);
  });
});
