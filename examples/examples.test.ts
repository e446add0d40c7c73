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

  it('credits: platform calls cost their tokens, BYOK calls a flat fee, failed calls nothing; a revoked key shows as failing', async () => {
    const out = await runExample('examples/credits.ts');
    expect(out).toContain('platform call ok (5 in, 9 out): -32 credits, balance 68');
    expect(out).toContain('platform call ok (5 in, 9 out): -32 credits, balance 4');
    expect(out).toContain('call 4:\n  denied: out of credits');
    expect(out).toContain('byok call ok (5 in, 9 out): -2 credits, balance 2');
    expect(out).toContain('byok call ok (5 in, 9 out): -2 credits, balance 0');
    expect(out).toContain('byok call auth_failed: no charge, balance 0');
    expect(out).toMatch(/key sk-proj-\.\.\.ac7Q of acme is failing \(HTTP 401\)/);
    expect(out).toContain('own-key: health=failing failures=1 lastUsedAt=set');
    expect(out).toContain('balance: 0');
    expect(out).not.toContain('ACME0000000000000000000000ac7Q');
  });

  it('pools: a 429 moves the call to the tenant’s other key, which the next resolutions use until the cooldown ends; then round-robin', async () => {
    const out = await runExample('examples/pools.ts');
    expect(out).toContain('moved off team-a: rate_limited');
    expect(out).toContain('answer: Hello from the local server, paid for by "team-b".');
    expect(out).toContain('keys the provider saw: team-a, team-b\n');
    expect(out).toContain('next resolution: team-b (team-a cooling down: cooling_down)');
    expect(out).toContain('  team-a sk-proj-...aaaa: cooling down\n  team-b sk-proj-...bbbb: available');
    expect(out).toMatch(/round-robin: (team-a, team-b, team-a, team-b|team-b, team-a, team-b, team-a)/);
    expect(out).not.toContain('TEAMa000');
  });

  it('voice-provider: a host-registered, non-LLM keyed service end to end', async () => {
    const out = await runExample('examples/voice-provider.ts');
    expect(out).toMatch(/validation: valid/);
    expect(out).toMatch(/synthesised \d+ bytes of audio with source=byok/);
  });
});
