// runStorageAdapterTests({ skip }) skips exactly the named conformance tests, and a name that
// matches no test fails the file. Run in a child vitest (test/testing/skip/), compared with the
// same store and no skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { type ChildFileReport, runChildVitest } from './child-vitest.js';

let files: Map<string, ChildFileReport>;

beforeAll(async () => {
  const report = await runChildVitest('test/testing/skip/vitest.config.ts');
  files = new Map(report.map((file) => [file.name.split('/').pop()!, file]));
}, 150_000);

const titles = (file: ChildFileReport, status: string) =>
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
