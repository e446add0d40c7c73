// A vitest run in a child process over a config of its own, for tests of the conformance suite
// itself (suite-catches-flaws, skip-option): such runs are expected to fail, so the JSON report,
// not the exit code, is the result.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vitestCli = join(root, 'node_modules', 'vitest', 'vitest.mjs');

/** One test file of the child run's JSON report. */
export interface ChildFileReport {
  name: string;
  status: string;
  message?: string;
  assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }>;
}

/** Runs vitest with `config` (relative to the repository) and returns its JSON report's files. */
export async function runChildVitest(config: string): Promise<ChildFileReport[]> {
  const dir = mkdtempSync(join(tmpdir(), 'byokit-child-vitest-'));
  const output = join(dir, 'report.json');
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [vitestCli, 'run', '--root', root, '--config', config, '--reporter=json', `--outputFile=${output}`],
        { cwd: root, env: { ...process.env, CI: '' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
        // Only a missing report is an error: failing tests are what these runs look at.
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
    return (JSON.parse(readFileSync(output, 'utf8')) as { testResults: ChildFileReport[] }).testResults;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
