// `npm run build`: a clean dist/, tsup, then the declaration files made safe
// for projects that installed only some of the optional provider SDKs.
//
// Why a script and not tsup alone: tsup builds its two configs (ESM+CJS, and
// the ESM-only conformance suite) in parallel, and a `clean` in either deletes
// files the other has just written (once the suite's types). So dist/ is
// removed once, here, before tsup starts.
//
// The declaration pass: the bundled .d.ts/.d.cts files import SDK types
// (`createClient(r, 'openai')` is typed `OpenAI`). A project without that SDK
// would get TS2307 for each import under `skipLibCheck: false`, and a
// CommonJS project under `module: node16` gets TS1479 for the ESM-only SDKs.
// Each such import gets a `// @ts-ignore` line (the way Vite ships its optional
// `sass`/`less` types): an installed SDK keeps its exact types, an absent one
// turns them into `any`, and neither case is an error. Any other bare import
// in a declaration file fails the build, so a new dependency can't slip into
// the types unnoticed.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Optional peer dependencies whose types the declarations may import, guarded. */
export const OPTIONAL_TYPE_IMPORTS = [
  'openai',
  '@anthropic-ai/sdk',
  '@google/genai',
  '@google/generative-ai',
  '@mistralai/mistralai',
  'cohere-ai',
  'ollama',
  '@ai-sdk/openai',
  '@ai-sdk/anthropic',
  '@ai-sdk/google',
  '@ai-sdk/openai-compatible',
  '@aws-sdk/client-bedrock-runtime',
  '@anthropic-ai/bedrock-sdk',
  '@anthropic-ai/vertex-sdk',
];
/** Packages the declarations may import as they are: dependencies, and vitest for the ESM-only suite. */
const REQUIRED_TYPE_IMPORTS = ['zod', 'zod/mini', '@noble/ciphers', '@noble/hashes', 'vitest'];
const GUARD = '// @ts-ignore optional peer dependency: installed, its types apply; absent, they are `any`';

function declarationFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return /\.d\.c?ts$/.test(entry.name) ? [path] : [];
  });
}

/**
 * The module a declaration-file line names, or null: the `from '...'` of an
 * import or export (also the last line of one spread over several lines,
 * which is where TypeScript reports a missing module), a bare
 * `import '...'`, or an inline `import('...')` type.
 */
function specifierOf(line) {
  if (/^\s*(?:\*|\/\/|\/\*)/.test(line)) return null; // doc comments quote code, e.g. `() => import('pkg')`
  const match =
    /(?:^|[\s}])from\s+['"]([^'"]+)['"]/.exec(line) ??
    /^import\s+['"]([^'"]+)['"]/.exec(line) ??
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/.exec(line);
  return match ? match[1] : null;
}

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function guardDeclarations(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = [];
  const problems = [];
  for (const [index, line] of lines.entries()) {
    const specifier = specifierOf(line);
    if (specifier && !specifier.startsWith('.')) {
      const pkg = packageOf(specifier);
      if (OPTIONAL_TYPE_IMPORTS.includes(pkg)) {
        if (lines[index - 1] !== GUARD) out.push(GUARD);
      } else if (!REQUIRED_TYPE_IMPORTS.includes(specifier) && !REQUIRED_TYPE_IMPORTS.includes(pkg)) {
        problems.push(
          `${relative(root, file)}:${index + 1} imports "${specifier}", which is neither a dependency nor a guarded optional SDK`,
        );
      }
    }
    out.push(line);
  }
  writeFileSync(file, out.join('\n'));
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  rmSync(dist, { recursive: true, force: true });
  const tsup = spawnSync(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tsup.status !== 0) process.exit(tsup.status ?? 1);
  const problems = declarationFiles(dist).flatMap(guardDeclarations);
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    process.exit(1);
  }
}
