import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs an example as a user would, with tsx, and returns what it printed. */
async function runExample(file: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
    cwd: new URL('..', import.meta.url),
    timeout: 60_000,
  });
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

  it('workload-routes: chat to Bedrock, embeddings to a cheap key, the rest to the default; the AWS secret never printed', async () => {
    const out = await runExample('examples/workload-routes.ts');
    expect(out).toContain('bedrock key hint: AKIA...MPLE');
    expect(out).toContain('bad credential: KEY_FORMAT_INVALID on secretAccessKey');
    expect(out).toContain('chat: config=claude provider=bedrock key=AKIA...MPLE');
    expect(out).toContain('embeddings: config=embeddings provider=openai key=sk-proj-...0001');
    expect(out).toContain('vision: config=general provider=openai');
    expect(out).toContain('chat client: AnthropicBedrock for https://bedrock-runtime.eu-west-3.amazonaws.com');
    expect(out).toContain('route embeddings: dangling');
    expect(out).not.toContain('wJalrXUtnFEMI');
  });

  it('voice-provider: a host-registered, non-LLM keyed service end to end', async () => {
    const out = await runExample('examples/voice-provider.ts');
    expect(out).toMatch(/validation: valid/);
    expect(out).toMatch(/synthesised \d+ bytes of audio with source=byok/);
  });

  it('key-rotation: a staged key is promoted and rolled back without breakage; a KEK rotation moves every key, pending ones included', async () => {
    const out = await runExample('examples/key-rotation.ts');
    expect(out).toContain('staged sk-proj-...0002; resolution still uses sk-proj-...0001');
    expect(out).toContain(
      'promoted: resolution uses sk-proj-...0002; sk-proj-...0001 kept until the grace period ends',
    );
    expect(out).toContain('rolled back: resolution uses sk-proj-...0001; sk-proj-...0002 is pending again');
    expect(out).toContain('audit: config.created, key.set, key.staged, key.promoted, key.rolled_back');
    expect(out).toContain('before: k2=0 k1=4 (4 not on k2)');
    expect(out).toContain('rotated 4 keys, 0 failures, 0 left under old KEKs');
    expect(out).toContain('after: k2=4 k1=0');
    for (const tenant of ['acme', 'globex', 'initech'])
      expect(out).toContain(`${tenant}: sk-proj-...0001 opens with k2 alone`);
    expect(out).not.toMatch(/ACMEnew0000|byokit:1:/);
  });
});
