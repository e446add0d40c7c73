// What a user meets after `npm install byokit`, checked on the packed tarball
// (run after `npm run build`):
//
// 1. publint (strict) and @arethetypeswrong/cli on every entry point.
// 2. A fresh project with the tarball installed and no provider SDK,
//    type-checked with `skipLibCheck: false` under moduleResolution bundler,
//    node16 (ESM and CommonJS), nodenext and node10: no error at all.
// 3. The same project with `openai` (CommonJS-compatible) and
//    `@mistralai/mistralai` (ESM-only) added: `createClient(r, 'openai')` is
//    typed `OpenAI` and `createClient(r, 'mistral')` `Mistral`, also from a
//    CommonJS file under node16; with `@ai-sdk/openai` added,
//    `createAiSdkProvider(r, 'openai')` is typed `OpenAIProvider`.
//
//   node scripts/check-package.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ts = require('typescript');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let failures = 0;

const started = Date.now();
function section(title) {
  console.log(`\n-- ${title} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

function fail(message) {
  failures++;
  console.error(`FAIL ${message}`);
}

/** Runs a repo tool (node_modules/.bin) and reports its exit status. */
function tool(name, args, cwd = root) {
  const result = spawnSync(join(root, 'node_modules', '.bin', name), args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) fail(`${name} ${args.join(' ')} exited with ${result.status}`);
}

// --- 1. pack, publint, attw --------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'byokit-package-'));
const packed = JSON.parse(
  execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
);
const tarball = join(work, packed[0].filename);
console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files, ${(packed[0].size / 1000).toFixed(1)} kB`);

section('publint --strict');
tool('publint', ['run', tarball, '--strict']);

section('attw (every entry but byokit/testing)');
tool('attw', [tarball, '--exclude-entrypoints', './testing', '--format', 'table', '--no-color']);
section('attw byokit/testing: ESM-only like vitest, so a CommonJS require() of it is expected to fail');
tool('attw', [
  tarball,
  '--entrypoints',
  './testing',
  '--ignore-rules',
  'cjs-resolves-to-esm',
  '--format',
  'table',
  '--no-color',
]);

// --- 2. and 3. a fresh project --------------------------------------------------
const project = join(work, 'fresh-project');
mkdirSync(project);
writeFileSync(
  join(project, 'package.json'),
  JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }, null, 2),
);
section('npm install <tarball> in a fresh project (no provider SDK)');
execFileSync(npm, ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
  cwd: project,
  stdio: 'inherit',
});
const installed = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'));
console.log(`node_modules: ${installed.join(', ')}`);

section('the byokit executable, as npx runs it from the installed package');
{
  const bin = join(project, 'node_modules', '.bin', process.platform === 'win32' ? 'byokit.cmd' : 'byokit');
  const keygen = spawnSync(bin, ['keygen', '--id', 'k9'], { cwd: project, encoding: 'utf8' });
  if (keygen.status !== 0 || !/^k9:[A-Za-z0-9_-]{43}\n$/.test(keygen.stdout))
    fail(`byokit keygen: exit ${keygen.status}, output ${JSON.stringify(keygen.stdout)} ${keygen.stderr}`);
  const help = spawnSync(bin, ['rotate', '--help'], { cwd: project, encoding: 'utf8' });
  if (help.status !== 0 || !help.stdout.includes('--store <url>')) fail(`byokit rotate --help: exit ${help.status}`);
  const usage = spawnSync(bin, ['status'], { cwd: project, encoding: 'utf8' });
  if (usage.status !== 2) fail(`byokit status without --store: exit ${usage.status}, expected 2`);
  console.log('byokit keygen, --help and a usage error: ok');
}

const IMPORTS = `
import { createClient, createVault, Keyring, MemoryStore, provideSdk, type Resolution } from 'byokit';
import { builtinProviders, openaiProvider, type ProviderClients } from 'byokit/providers';
import { SqliteStore } from 'byokit/adapters/sqlite';
import { PostgresStore } from 'byokit/adapters/postgres';
import { RedisStore } from 'byokit/adapters/redis';
import { createConfigInputSchema } from 'byokit/schemas';
import { applyConfigPatch, pageOf, type StorageAdapter } from 'byokit/adapter';
export const adapterHelpers = [applyConfigPatch, pageOf];
export type Adapter = StorageAdapter;
export const parsed = createConfigInputSchema.safeParse({ name: 'prod', provider: 'openai' });
import { aiSdkModel, createAiSdkProvider, type AiSdkProviders } from 'byokit/ai-sdk';
export const bridge = [aiSdkModel, createAiSdkProvider];
export type Bridged = AiSdkProviders;
export const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
export const stores = [SqliteStore, PostgresStore, RedisStore, builtinProviders, openaiProvider, provideSdk];
export type Clients = ProviderClients;
export async function client(r: Resolution) {
  return createClient(r, 'openai');
}
`;
const TYPED = `
import type { OpenAI } from 'openai';
import type { Mistral } from '@mistralai/mistralai';
import { createClient, type Resolution } from 'byokit';
export async function typed(r: Resolution): Promise<[OpenAI, Mistral]> {
  const openai = await createClient(r, 'openai');
  const mistral = await createClient(r, 'mistral');
  // @ts-expect-error an OpenAI client is not a number (no error here would mean the type degraded to any)
  const notAny: number = openai;
  // @ts-expect-error neither is a Mistral client
  const notAnyEither: number = mistral;
  return [openai, mistral];
}
`;
// byokit/ai-sdk with @ai-sdk/openai installed: the provider is typed by the package.
const TYPED_AI_SDK = `
import type { OpenAIProvider } from '@ai-sdk/openai';
import { aiSdkModel, createAiSdkProvider } from 'byokit/ai-sdk';
import type { Resolution } from 'byokit';
export async function typed(r: Resolution): Promise<OpenAIProvider> {
  const openai = await createAiSdkProvider(r, 'openai');
  // @ts-expect-error an OpenAIProvider is not a number (no error here would mean the type degraded to any)
  const notAny: number = openai;
  const model = await aiSdkModel(r, { defaultModel: 'gpt-4o-mini' });
  return model.modelId === '' ? openai : openai;
}
`;
// A host's own provider, typed by augmenting ProviderClients: reaches createClient from both entries.
const AUGMENTED = `
import { createClient, type Resolution } from 'byokit';
import { createClient as createFromProviders } from 'byokit/providers';
interface VoiceClient { speak(text: string): Promise<string> }
declare module 'byokit/providers' {
  interface ProviderClients { voice: VoiceClient }
}
export async function speak(r: Resolution): Promise<string> {
  const voice = await createClient(r, { expect: 'voice' });
  const same: VoiceClient = await createFromProviders(r, 'voice');
  // @ts-expect-error a VoiceClient is not a number (no error here would mean the augmentation was lost)
  const notAny: number = voice;
  return (await voice.speak('hi')) + (await same.speak('hi'));
}
`;
const TESTING = `
import { runStorageAdapterTests } from 'byokit/testing';
export const suite = runStorageAdapterTests;
`;
writeFileSync(join(project, 'plain.ts'), IMPORTS);
writeFileSync(join(project, 'plain.cts'), IMPORTS);
writeFileSync(join(project, 'typed.ts'), TYPED);
// A CommonJS file names an ESM-only package's types with resolution-mode (TypeScript 5.3+).
writeFileSync(
  join(project, 'typed.cts'),
  TYPED.replace("from '@mistralai/mistralai';", "from '@mistralai/mistralai' with { 'resolution-mode': 'import' };"),
);
writeFileSync(join(project, 'testing.ts'), TESTING);
writeFileSync(join(project, 'augmented.ts'), AUGMENTED);
writeFileSync(join(project, 'typed-ai-sdk.ts'), TYPED_AI_SDK);

const base = {
  strict: true,
  skipLibCheck: false,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
};
const MODES = [
  {
    name: 'bundler',
    files: ['plain.ts'],
    options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  },
  {
    name: 'node16 (ESM + CommonJS)',
    files: ['plain.ts', 'plain.cts'],
    options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  },
  {
    name: 'nodenext (ESM + CommonJS)',
    files: ['plain.ts', 'plain.cts'],
    options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  },
  {
    name: 'node10',
    files: ['plain.cts'],
    options: {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
    },
  },
];

/** Parsed declaration files shared by every program below (lib.dom alone takes seconds to parse). */
const parsed = new Map();
function cachingHost(options) {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, target, ...rest) => {
    const format =
      typeof target === 'object' ? `${target.languageVersion}:${target.impliedNodeFormat}` : String(target);
    const key = `${fileName}|${format}`;
    if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, target, ...rest));
    return parsed.get(key);
  };
  return host;
}

/** Type-checks `files` of the fresh project; returns the diagnostics outside `ignoredPackages`' own files. */
function typecheck(files, options, ignoredPackages = []) {
  const compilerOptions = { ...base, ...options };
  const program = ts.createProgram(
    files.map((file) => join(project, file)),
    compilerOptions,
    cachingHost(compilerOptions),
  );
  const ignored = ignoredPackages.map((name) => `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !d.file || !ignored.some((part) => d.file.fileName.split('/').join(sep).includes(part)));
}

function report(label, diagnostics) {
  if (diagnostics.length === 0) {
    console.log(`ok   ${label}`);
    return;
  }
  fail(`${label}: ${diagnostics.length} error(s)`);
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => project, getNewLine: () => '\n' };
  console.error(ts.formatDiagnostics(diagnostics.slice(0, 10), host));
}

section('types with no provider SDK installed (skipLibCheck: false)');
for (const mode of MODES) report(mode.name, typecheck(mode.files, mode.options));

section('types: a host provider added to ProviderClients by module augmentation');
report('bundler', typecheck(['augmented.ts'], MODES[0].options));
report('node16 (ESM)', typecheck(['augmented.ts'], MODES[1].options));

section('types of byokit/testing (vitest installed, as its users have it)');
const linkFromRepo = (name) => {
  mkdirSync(dirname(join(project, 'node_modules', name)), { recursive: true });
  symlinkSync(join(root, 'node_modules', name), join(project, 'node_modules', name), 'dir');
};
linkFromRepo('vitest');
// vitest's own declarations are not ours to check: only errors outside it count.
report('bundler', typecheck(['testing.ts'], MODES[0].options, ['vitest', '@vitest', 'vite']));
report('node16 (ESM)', typecheck(['testing.ts'], MODES[1].options, ['vitest', '@vitest', 'vite']));

section('types with openai and @mistralai/mistralai installed: clients typed by the SDK');
for (const name of ['openai', '@mistralai/mistralai']) linkFromRepo(name);
const sdkOwn = ['openai', '@mistralai/mistralai', 'vitest', '@vitest', 'vite'];
report('bundler', typecheck(['typed.ts'], MODES[0].options, sdkOwn));
report('node16 (ESM + CommonJS, mistral is ESM-only)', typecheck(['typed.ts', 'typed.cts'], MODES[1].options, sdkOwn));
report('nodenext (ESM + CommonJS)', typecheck(['typed.ts', 'typed.cts'], MODES[2].options, sdkOwn));

section('types of byokit/ai-sdk with @ai-sdk/openai installed: the provider typed by the package');
linkFromRepo('@ai-sdk/openai');
const aiSdkOwn = [...sdkOwn, '@ai-sdk'];
report('bundler', typecheck(['typed-ai-sdk.ts'], MODES[0].options, aiSdkOwn));
report('node16 (ESM)', typecheck(['typed-ai-sdk.ts'], MODES[1].options, aiSdkOwn));

rmSync(work, { recursive: true, force: true });
console.log(failures === 0 ? '\npackage checks: all passed' : `\npackage checks: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
