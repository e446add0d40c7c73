/**
 * The `byokit` command: its options and subcommands (commander), and the
 * mapping of every outcome to an exit code (see `exit-codes.ts`).
 *
 * @module
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Keyring } from '../crypto/keyring.js';
import { KEK_ID_PATTERN } from '../crypto/sealed-kek-id.js';
import { isByokitError } from '../errors.js';
import type { RotationReport } from '../vault/rotation.js';
import { createVault } from '../vault/vault.js';
import { EXIT } from './exit-codes.js';
import { keyringFromEnv } from './keyring-from-env.js';
import { openStore, type StoreLocation } from './open-store.js';
import { formatFailures, formatReport, progressView } from './rotate-command.js';
import { formatStatus } from './status-command.js';
import { UsageError } from './usage-error.js';

/** What the command reads and writes: the process's by default, a test's own otherwise. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Subscribes to Ctrl-C / SIGTERM; returns the unsubscribe. */
  onInterrupt: (handler: () => void) => () => void;
}

/** Options every store command takes. */
interface StoreOptions {
  store: string;
  schema?: string;
  tablePrefix?: string;
  keyPrefix?: string;
  indexTenants?: boolean;
  json?: boolean;
}

function storeOptions(command: Command): Command {
  return command
    .requiredOption('--store <url>', 'the store: postgres://…, redis://… or sqlite:<path>')
    .option('--schema <name>', 'PostgreSQL schema (default "public")')
    .option('--table-prefix <prefix>', 'SQL table prefix (default "byokit_")')
    .option('--key-prefix <prefix>', 'Redis key prefix (default "byokit:")')
    .option(
      '--index-tenants',
      'Redis: first fill the tenant registry from the server (once, for data written before byokit kept it)',
    )
    .option('--json', 'print JSON instead of text');
}

function locationOf(options: StoreOptions): StoreLocation {
  return {
    url: options.store,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix }),
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
  };
}

function positiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`must be an integer from 1 to ${max}`);
    return n;
  };
}

function kekId(value: string): string {
  if (!KEK_ID_PATTERN.test(value))
    throw new InvalidArgumentError('must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"');
  return value;
}

/** A vault over the store `options` name, with the keyring of `BYOKIT_MASTER_KEYS`; closed by `use`'s end. */
async function withVault<T>(
  io: CliIo,
  options: StoreOptions,
  use: (vault: ReturnType<typeof createVault>, label: string) => Promise<T>,
): Promise<T> {
  const keyring = keyringFromEnv(io.env);
  const opened = await openStore(locationOf(options));
  const vault = createVault({ store: opened.store, keyring });
  try {
    if (options.indexTenants) {
      const indexTenants = (opened.store as { indexTenants?: () => Promise<number> }).indexTenants;
      if (typeof indexTenants !== 'function') throw new UsageError('--index-tenants is for Redis stores only');
      await indexTenants.call(opened.store);
    }
    return await use(vault, opened.label);
  } finally {
    await vault.close();
    await opened.close();
  }
}

/**
 * Runs the command line `argv` (without node and the script) and returns
 * its exit code. Writes only to `io`; never calls `process.exit`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.done;
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);
  const program = new Command('byokit')
    .description('byokit operations: master keys (KEKs) and their rotation across a store')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('keygen')
    .description(
      'print a new BYOKIT_MASTER_KEYS entry (id:base64url of 32 random bytes); put it first to make it the primary KEK',
    )
    .addOption(new Option('--id <id>', 'the KEK id').default('k1').argParser(kekId))
    .action((options: { id: string }) => {
      write(io.stdout, Keyring.generateEntry(options.id));
      if (io.stderr.isTTY)
        write(
          io.stderr,
          `put it first in BYOKIT_MASTER_KEYS (e.g. ${options.id}:…,<old entries>), then run byokit rotate`,
        );
    });

  storeOptions(program.command('status'))
    .description('keys per KEK id and per state (active, disabled, expired, pending, previous) across every tenant')
    .action(async (options: StoreOptions) => {
      await withVault(io, options, async (vault) => {
        const status = await vault.keyringStatus();
        write(io.stdout, options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      });
    });

  storeOptions(program.command('rotate'))
    .description('re-wrap every key not under the primary KEK, across tenants; resumable, Ctrl-C safe')
    .addOption(new Option('--batch-size <n>', 'configs per store round trip').default(500).argParser(positiveInt(1000)))
    .action(async (options: StoreOptions & { batchSize: number }) => {
      await withVault(io, options, async (vault, label) => {
        const controller = new AbortController();
        const unsubscribe = io.onInterrupt(() => {
          if (!controller.signal.aborted)
            write(io.stderr, 'stopping after the batch in flight (what is done stays done)…');
          controller.abort();
        });
        if (!options.json)
          write(io.stderr, `rotating ${label} to the primary KEK ${keyringFromEnv(io.env).primaryKekId}`);
        const view = progressView(io.stderr);
        let report: RotationReport;
        try {
          report = await vault.rotate({
            batchSize: options.batchSize,
            signal: controller.signal,
            onProgress: (p) => view.update(p),
          });
        } finally {
          view.stop();
          unsubscribe();
        }
        write(io.stdout, options.json ? JSON.stringify(report, null, 2) : formatReport(report));
        if (report.failures > 0) write(io.stderr, formatFailures(report));
        code = report.aborted
          ? EXIT.interrupted
          : report.failures > 0 || report.remaining > 0
            ? EXIT.failures
            : EXIT.done;
      });
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, as successes.
      return error.exitCode === 0 ? EXIT.done : EXIT.usage;
    }
    if (error instanceof UsageError) {
      write(io.stderr, `byokit: ${error.message}`);
      return EXIT.usage;
    }
    // byokit's own errors carry no secret in their messages; anything else is named, not dumped.
    const message = isByokitError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : 'unknown failure';
    write(io.stderr, `byokit: ${message}`);
    return EXIT.failures;
  }
}
