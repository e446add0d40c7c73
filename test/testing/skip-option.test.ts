// runStorageAdapterTests({ skip }) skips exactly the named conformance tests, and a name that
// matches no test fails the file. Run in a child vitest (test/testing/skip/), compared with the
// same store and no skip.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vitestCli = join(root, 'node_modules', 'vitest', 'vitest.mjs');

interface FileReport {
  name: string;
  status: string;
  message?: string;
  assertionResults: Array<{ title: string; status: string }>;
}

let files: Map<string, FileReport>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'byokit-skip-'));
  const output = join(dir, 'report.json');
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          vitestCli,
          'run',
          '--root',
          root,
          '--config',
          'test/testing/skip/vitest.config.ts',
          '--reporter=json',
          `--outputFile=${output}`,
        ],
        { cwd: root, env: { ...process.env, CI: '' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
        // The child run fails (the unknown-name file must); only a missing report is an error.
        (error) => {
          try {
            readFileSync(output);
            resolve();
          } catch {
            reject(error ?? new Error('no report written'));
          }
        },
      );
    });
    const report = JSON.parse(readFileSync(output, 'utf8')) as { testResults: FileReport[] };
    files = new Map(report.testResults.map((file) => [file.name.split('/').pop()!, file]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);

const titles = (file: FileReport, status: string) =>
  file.assertionResults.filter((t) => t.status === status).map((t) => t.title);

describe('runStorageAdapterTests({ skip })', () => {
  it('skips exactly the tests named by title or by full title, and runs every other one', () => {
    const control = files.get('control.conformance.ts')!;
    const known = files.get('known-names.conformance.ts')!;
    expect(control.status).toBe('passed');
    expect(known.status).toBe('passed');
    const named = [
      'revision starts at 1 and grows by exactly 1 with every update',
      'names match exactly: case, trailing spaces and unicode normalisation make different names',
    ];
    for (const title of named) expect(titles(control, 'passed')).toContain(title);
    expect(titles(known, 'skipped').sort()).toEqual([...titles(control, 'skipped'), ...named].sort());
    expect(titles(known, 'passed').length).toBe(titles(control, 'passed').length - named.length);
  });

  it('fails the file when a name matches no test, naming it', () => {
    const unknown = files.get('unknown-name.conformance.ts')!;
    expect(unknown.status).toBe('failed');
    expect(unknown.message).toContain('skip names no conformance test of "skip-unknown"');
    expect(unknown.message).toContain('"a test that was renamed long ago"');
    expect(titles(unknown, 'passed')).toEqual([]);
  });
});
