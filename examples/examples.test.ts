import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs an example as a user would, with tsx, and returns what it printed. */
async function runExample(file: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: new URL('..', import.meta.url), timeout: 60_000 });
  return stdout;
}

describe('runnable examples', () => {
  it('quota-guard: denies platform calls past the quota, never BYOK calls', async () => {
    const out = await runExample('examples/quota-guard.ts');
    expect(out).toContain('call 3: ok, source=platform');
    expect(out).toContain('call 4: denied (RESOLUTION_DENIED): platform-key quota of 3 calls reached');
    expect(out).toContain('call 5: ok, source=byok');
    expect(out).toContain('ledger: platform=3 byok=1');
  });

  it('voice-provider: a host-registered, non-LLM keyed service end to end', async () => {
    const out = await runExample('examples/voice-provider.ts');
    expect(out).toMatch(/validation: valid/);
    expect(out).toMatch(/synthesised \d+ bytes of audio with source=byok/);
  });
});
