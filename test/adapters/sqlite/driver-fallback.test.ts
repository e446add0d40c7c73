import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isNativeModuleLoadFailure } from '../../../adapters/sqlite/open-database.js';
import { installedRuntimes } from '../../../scripts/runtimes.mjs';
import { isCI } from '../../in-ci.js';
import { tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/open-on-this-node.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const node22 = installedRuntimes().node22;

describe('isNativeModuleLoadFailure', () => {
  it.each([
    [
      'Node with a better-sqlite3 built for another ABI',
      Object.assign(
        new Error(
          "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127.",
        ),
        { code: 'ERR_DLOPEN_FAILED' },
      ),
    ],
    ['Bun', Object.assign(new Error("'better-sqlite3' is not yet supported in Bun."), { code: 'ERR_DLOPEN_FAILED' })],
    [
      'a loader that drops the code',
      new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 115'),
    ],
  ])('recognises %s', (_case, error) => {
    expect(isNativeModuleLoadFailure(error)).toBe(true);
  });

  it('does not take a file that cannot be opened for a driver that cannot load', () => {
    expect(
      isNativeModuleLoadFailure(Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' })),
    ).toBe(false);
    expect(isNativeModuleLoadFailure(undefined)).toBe(false);
  });
});

// The real case: this repo's better-sqlite3 is built for the Node that runs
// the tests (20); Node 22 can't load it. Node 22 comes from the runtime tools
// (node scripts/runtimes.mjs install, which .ci/run runs before the tests).
const reason = node22 ? '' : ' (skipped: Node 22 not installed, run `node scripts/runtimes.mjs install`)';
describe.skipIf(!node22 && !isCI())(`SQLite driver on Node 22 with a better-sqlite3 built for Node 20${reason}`, () => {
  const tmp = tempDir();
  afterEach(() => tmp.remove());

  function openOnNode22(driver: string): Record<string, unknown> {
    if (!node22) throw new Error('Node 22 is not installed: run `node scripts/runtimes.mjs install` (CI must have it)');
    const out = execFileSync(node22, ['--no-warnings', '--import', 'tsx', fixture, tmp.dir, driver], {
      cwd: repo,
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').at(-1)!);
  }

  it("'auto' falls back to node:sqlite and works", () => {
    const report = openOnNode22('auto');
    expect(report).toMatchObject({ betterSqlite3Loads: false, roundTrip: true });
    expect(report.node).toMatch(/^v22\./);
  });

  it("'better-sqlite3' says the native module does not load here, and how to fix it", () => {
    const report = openOnNode22('better-sqlite3');
    expect(report.error).toMatchObject({ code: 'STORE_FAILED' });
    expect((report.error as { message: string }).message).toMatch(
      /native module does not load on this runtime.*npm rebuild better-sqlite3/,
    );
  });
});
