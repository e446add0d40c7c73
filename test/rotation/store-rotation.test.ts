// The store-wide KEK rotation on real PostgreSQL, Redis and SQLite, with
// 10,000 keys over 200 tenants: the `byokit` CLI run as a child process
// (status, a rotation killed with SIGKILL half-way and run again, exit
// codes), then an in-process rotation under 50 concurrent resolvers while
// keys are replaced under it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, createVault, type SealedConfigRecord, type StorageAdapter } from '../../src/index.js';
import { BACKENDS, backendMode, closeBackends, type Backend } from './backends.js';
import { expectEveryKeyOpens, k1, k2, k3, plaintextOf, seed, tenantOf } from './seed.js';

const TENANTS = 200;
const PER_TENANT = 50;
const KEYS = TENANTS * PER_TENANT;
const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = (kek: { id: string; key: Uint8Array }) => `${kek.id}:${Buffer.from(kek.key).toString('base64url')}`;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `byokit <args>` (the CLI's source through tsx) with `keks` as BYOKIT_MASTER_KEYS. */
function startCli(
  args: string[],
  keks: { id: string; key: Uint8Array }[],
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/byokit.ts', ...args], {
    cwd: root,
    env: { ...process.env, BYOKIT_MASTER_KEYS: keks.map(entry).join(','), CI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const runCli = (args: string[], keks: { id: string; key: Uint8Array }[]) => startCli(args, keks).done;

/** Keys per KEK id, every state together. */
async function keysPerKek(store: StorageAdapter): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of await store.countKeysByKek({ now: new Date().toISOString() }))
    out[line.kekId ?? '(none)'] = (out[line.kekId ?? '(none)'] ?? 0) + line.count;
  return out;
}

afterAll(closeBackends);

for (const kind of BACKENDS) {
  const mode = backendMode(kind);
  const title = `store-wide rotation on ${kind.name}: ${KEYS.toLocaleString('en')} keys, ${TENANTS} tenants`;
  if (mode === 'fail') {
    describe(title, () =>
      it(`needs ${kind.name} (CI=true: failing instead of skipping)`, () => expect.fail(kind.unavailable!)),
    );
    continue;
  }
  describe.skipIf(mode === 'skip')(
    mode === 'skip' ? `${title} (skipped: ${kind.unavailable}; set CI=true to fail instead)` : title,
    () => {
      let backend: Backend;
      beforeAll(async () => {
        backend = await kind.open();
        await seed(backend.store, TENANTS, PER_TENANT, k1);
      }, 120_000);
      afterAll(async () => backend?.cleanup());

      it('byokit status (child process) prints keys per KEK and state, as text and JSON', async () => {
        const json = await runCli(['status', ...backend.cliArgs, '--json'], [k2, k1]);
        expect(json.code, json.stderr).toBe(0);
        const status = JSON.parse(json.stdout) as {
          primaryKekId: string;
          notOnPrimary: number;
          keks: { kekId: string; keys: number; byState: Record<string, number> }[];
        };
        expect(status).toMatchObject({ primaryKekId: 'k2', notOnPrimary: KEYS });
        expect(status.keks.map((k) => [k.kekId, k.keys, k.byState.active])).toStrictEqual([
          ['k2', 0, 0],
          ['k1', KEYS, KEYS],
        ]);
        const text = await runCli(['status', ...backend.cliArgs], [k2, k1]);
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/^KEK\s+keys\s+active\s+disabled\s+expired\s+pending\s+previous\s+note$/m);
        expect(text.stdout).toMatch(
          new RegExp(`^k1\\s+${KEYS}\\s+${KEYS}\\s+0\\s+0\\s+0\\s+0\\s+in use: run byokit rotate$`, 'm'),
        );
        expect(text.stdout).toContain(`${KEYS} keys, ${KEYS} not under the primary KEK k2.`);
      }, 60_000);

      it('byokit rotate killed with SIGKILL half-way, then run again: every key opens to its original plaintext, none left under the old KEK', async () => {
        const { child, done } = startCli(['rotate', ...backend.cliArgs, '--batch-size', '20'], [k2, k1]);
        // Kill it once a good part is re-wrapped and a good part is not.
        let counts: Record<string, number> = {};
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && child.exitCode === null) {
          counts = await keysPerKek(backend.store);
          if ((counts.k2 ?? 0) >= KEYS / 5) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        child.kill('SIGKILL');
        const killed = await done;
        expect(killed.signal, `the rotation ended on its own first: ${killed.stdout}`).toBe('SIGKILL');
        // A statement the killed process had sent may still commit on the server (PostgreSQL finishes an
        // autocommit statement whose client is gone): count once the counts held for a second.
        counts = await keysPerKek(backend.store);
        for (let unchanged = 0, tries = 0; unchanged < 5 && tries < 50; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          const next = await keysPerKek(backend.store);
          unchanged = JSON.stringify(next) === JSON.stringify(counts) ? unchanged + 1 : 0;
          counts = next;
        }
        expect(counts.k1, 'keys still under k1 after the kill').toBeGreaterThan(0);
        expect(counts.k2, 'keys already under k2 at the kill').toBeGreaterThan(0);
        expect(counts.k1! + counts.k2!).toBe(KEYS);

        const again = await runCli(['rotate', ...backend.cliArgs], [k2, k1]);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toContain(`done: ${counts.k1} keys re-wrapped of ${counts.k1}`);
        expect(again.stdout).toContain('no key left under another KEK');
        expect(again.stderr).toMatch(/progress: \d+\/\d+ keys/);
        expect(await keysPerKek(backend.store)).toStrictEqual({ k2: KEYS });
        expect(
          await expectEveryKeyOpens(backend.store, Keyring.fromKeys([k2]), (t, name) =>
            plaintextOf(t, Number(name.slice(1))),
          ),
        ).toBe(KEYS);
      }, 120_000);

      it('vault.rotate under 50 concurrent resolvers: zero failed resolves, and keys replaced during the run keep their new values', async () => {
        const replaced = new Map<string, string>();
        const racingAdmin = createVault({ store: backend.store, keyring: Keyring.fromKeys([k3, k2]) });
        // Replace one key of every 5th page between the page's read and its swaps: the swap must miss it.
        let pages = 0;
        const store: StorageAdapter = new Proxy(backend.store, {
          get(target, property, receiver) {
            if (property !== 'listSealedConfigsAcrossTenants') {
              const value = Reflect.get(target, property, receiver) as unknown;
              return typeof value === 'function' ? value.bind(target) : value;
            }
            return async (query: Parameters<StorageAdapter['listSealedConfigsAcrossTenants']>[0]) => {
              const page = await target.listSealedConfigsAcrossTenants(query);
              const victim: SealedConfigRecord | undefined = page.items[7];
              if (pages++ % 5 === 0 && victim) {
                const value = `sk-proj-REPLACED${victim.tenantId.replace(/\W/g, '')}${victim.name}zzzzzzzzzz`;
                await racingAdmin
                  .as({ tenantId: victim.tenantId, actor: { id: 'racer', role: 'owner' } })
                  .setKey(victim.id, value);
                replaced.set(`${victim.tenantId}/${victim.name}`, value);
              }
              return page;
            };
          },
        });
        const vault = createVault({ store, keyring: Keyring.fromKeys([k3, k2]) });
        let running = true;
        let resolves = 0;
        const failures: string[] = [];
        const resolver = async (seedValue: number) => {
          let n = seedValue;
          while (running) {
            n = (n * 1103515245 + 12345) % 2147483648;
            const tenantId = tenantOf(n % TENANTS);
            const name = `c${(n >> 8) % PER_TENANT}`;
            try {
              const key = (await vault.resolve({ tenantId, config: name })).key.reveal();
              const fresh = replaced.get(`${tenantId}/${name}`);
              if (key !== plaintextOf(tenantId, Number(name.slice(1))) && key !== fresh)
                failures.push(`${tenantId}/${name}: another key`);
            } catch (error) {
              failures.push(`${tenantId}/${name}: ${(error as { code?: string }).code ?? String(error)}`);
            }
            resolves += 1;
            // Like request handlers, each resolver gives the event loop back between calls (an in-process SQLite answers synchronously).
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        const resolvers = Array.from({ length: 50 }, (_, i) => resolver(i * 7919 + 1));
        const report = await vault.rotate({ batchSize: 250 });
        running = false;
        await Promise.all(resolvers);
        expect(failures, failures.slice(0, 5).join('; ')).toStrictEqual([]);
        expect(resolves, 'resolutions went on during the run').toBeGreaterThan(500);
        expect(replaced.size).toBeGreaterThan(3);
        expect(report).toMatchObject({ failures: 0, remaining: 0, aborted: false, total: KEYS });
        expect(report.rewrapped).toBe(KEYS - replaced.size);
        expect(await keysPerKek(backend.store)).toStrictEqual({ k3: KEYS });
        const expected = (t: string, name: string) =>
          replaced.get(`${t}/${name}`) ?? plaintextOf(t, Number(name.slice(1)));
        expect(await expectEveryKeyOpens(backend.store, Keyring.fromKeys([k3]), expected)).toBe(KEYS);
        await vault.close();
        await racingAdmin.close();
      }, 120_000);

      it('byokit rotate exits 1 listing keys it cannot open, and 2 on a usage error; nothing is written then', async () => {
        const lost = createVault({ store: backend.store, keyring: Keyring.generate('k0') });
        await lost
          .as({ tenantId: 'rot-lost', actor: { id: 'seed', role: 'owner' } })
          .importConfigs([{ name: 'lost', provider: 'openai', key: plaintextOf('lost', 0) }]);
        await lost.close();
        const failed = await runCli(['rotate', ...backend.cliArgs], [k3, k2]);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toMatch(/failed: tenant rot-lost config cfg_\w+ \(active key\): KEK_UNKNOWN/);
        expect(failed.stdout).toContain('done: 0 keys re-wrapped of 1');
        expect(failed.stdout).toContain('1 keys still under another KEK');
        for (const text of [failed.stdout, failed.stderr]) expect(text).not.toMatch(/ROTATION|byokit:1:/);
        const usage = await runCli(['rotate', ...backend.cliArgs, '--batch-size', '0'], [k3, k2]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toContain('--batch-size');
        const noKeyring = await runCli(['status', ...backend.cliArgs], []);
        expect(noKeyring.code).toBe(2);
        expect(await keysPerKek(backend.store)).toStrictEqual({ k3: KEYS, k0: 1 });
      }, 60_000);
    },
  );
}
