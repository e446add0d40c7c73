// The `byokit` command in process (runCli with its own streams): the bar on
// a terminal, Ctrl-C, --help on every command, and the exit codes. The same
// command as a child process against real servers: test/rotation/store-rotation.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../adapters/sqlite/index.js';
import { runCli, type CliIo } from '../../src/cli/program.js';
import { Keyring, createVault } from '../../src/index.js';

const k1 = Keyring.generateEntry('k1');
const k2 = Keyring.generateEntry('k2');

/** A stream that collects what is written; with `tty`, one that looks like a terminal to cli-progress. */
function capture(tty = false) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; text: () => string } & Record<
      string,
      unknown
    >;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stream.text = () => text;
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
    for (const method of ['cursorTo', 'moveCursor', 'clearLine', 'clearScreenDown']) stream[method] = () => true;
  }
  return stream;
}

function io(env: Record<string, string | undefined>, options: { tty?: boolean; interruptOnWrite?: boolean } = {}) {
  const stdout = capture();
  const stderr = capture(options.tty);
  let interrupt: (() => void) | null = null;
  const value: CliIo = {
    stdout,
    stderr,
    env,
    onInterrupt(handler) {
      interrupt = handler;
      return () => (interrupt = null);
    },
  };
  return { value, stdout, stderr, interrupt: () => interrupt?.() };
}

let dir: string;
let file: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byokit-cli-'));
  file = join(dir, 'store.db');
  const store = await SqliteStore.open(file);
  const vault = createVault({ store, keyring: Keyring.parse(k1) });
  for (let t = 0; t < 20; t++) {
    await vault.as({ tenantId: `t${t}`, actor: { id: 'seed', role: 'owner' } }).importConfigs(
      Array.from({ length: 10 }, (_, i) => ({
        name: `c${i}`,
        provider: 'openai' as const,
        key: `sk-proj-CLItest${t}x${i}000000000000000000`,
      })),
    );
  }
  await vault.close();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the byokit command (in process)', () => {
  it('keygen prints one BYOKIT_MASTER_KEYS entry, a new one each time; a bad id is a usage error', async () => {
    const a = io({});
    expect(await runCli(['keygen', '--id', 'k7'], a.value)).toBe(0);
    expect(a.stdout.text()).toMatch(/^k7:[A-Za-z0-9_-]{43}\n$/);
    expect(Keyring.parse(a.stdout.text().trim()).primaryKekId).toBe('k7');
    const b = io({});
    await runCli(['keygen', '--id', 'k7'], b.value);
    expect(b.stdout.text()).not.toBe(a.stdout.text());
    const bad = io({});
    expect(await runCli(['keygen', '--id', 'no spaces'], bad.value)).toBe(2);
    expect(bad.stderr.text()).toContain('must be 1-32 characters');
  });

  it('--help on every command exits 0; an unknown command or option exits 2', async () => {
    for (const args of [
      ['--help'],
      ['keygen', '--help'],
      ['status', '--help'],
      ['rotate', '--help'],
      ['help', 'rotate'],
    ]) {
      const run = io({});
      expect(await runCli(args, run.value), args.join(' ')).toBe(0);
      expect(run.stdout.text()).toContain('Usage: byokit');
    }
    for (const args of [['nope'], ['rotate', '--store', `sqlite:${file}`, '--nope'], []]) {
      const run = io({ BYOKIT_MASTER_KEYS: `${k2},${k1}` });
      expect(await runCli(args, run.value), args.join(' ')).toBe(2);
    }
  });

  it('status and a store URL of no known kind, a missing file, a bad keyring: exit 2 with the reason, never a key', async () => {
    for (const [args, env, reason] of [
      [['status', '--store', 'mysql://x'], { BYOKIT_MASTER_KEYS: k1 }, 'must be postgres://'],
      [['status', '--store', `sqlite:${join(dir, 'missing.db')}`], { BYOKIT_MASTER_KEYS: k1 }, 'no SQLite file'],
      [['status', '--store', `sqlite:${file}`], { BYOKIT_MASTER_KEYS: 'k1:short' }, 'BYOKIT_MASTER_KEYS'],
      [['status', '--store', `sqlite:${file}`, '--index-tenants'], { BYOKIT_MASTER_KEYS: k1 }, 'for Redis stores only'],
    ] as const) {
      const run = io(env);
      expect(await runCli([...args], run.value)).toBe(2);
      expect(run.stderr.text()).toContain(reason);
      expect(run.stderr.text()).not.toContain(k1.split(':')[1]!);
    }
  });

  it('rotate on a terminal draws a progress bar; Ctrl-C stops it after the batch in flight (exit 130); run again, it finishes (exit 0)', async () => {
    const env = { BYOKIT_MASTER_KEYS: `${k2},${k1}` };
    const first = io(env, { tty: true });
    const stderr = first.stderr as unknown as PassThrough;
    // Ctrl-C as soon as the bar first draws.
    const onData = (chunk: Buffer) => {
      if (!chunk.toString().includes('|')) return;
      stderr.off('data', onData);
      first.interrupt();
    };
    stderr.on('data', onData);
    expect(await runCli(['rotate', '--store', `sqlite:${file}`, '--batch-size', '20'], first.value)).toBe(130);
    expect(first.stderr.text()).toMatch(/rotating \|[█░]+\|/);
    expect(first.stderr.text()).toContain('stopping after the batch in flight');
    expect(first.stdout.text()).toContain('interrupted: run byokit rotate again to finish');
    const done = Number(/stopped: (\d+) keys re-wrapped of 200/.exec(first.stdout.text())?.[1]);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(200);

    const status = io(env);
    expect(await runCli(['status', '--store', `sqlite:${file}`, '--json'], status.value)).toBe(0);
    expect(JSON.parse(status.stdout.text())).toMatchObject({ notOnPrimary: 200 - done });

    const second = io(env);
    expect(await runCli(['rotate', '--store', `sqlite:${file}`, '--json'], second.value)).toBe(0);
    expect(JSON.parse(second.stdout.text())).toMatchObject({
      rewrapped: 200 - done,
      failures: 0,
      remaining: 0,
      aborted: false,
    });
    const after = io(env);
    await runCli(['status', '--store', `sqlite:${file}`], after.value);
    expect(after.stdout.text()).toMatch(/^k1\s+0\s+0\s+0\s+0\s+0\s+0\s+unused: can leave the keyring$/m);
    expect(after.stdout.text()).toContain('200 keys, all under the primary KEK k2.');
  });
});
