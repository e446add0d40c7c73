#!/usr/bin/env node
/**
 * The `byokit` executable: `byokit keygen`, `byokit status --store <url>`,
 * `byokit rotate --store <url>`. See docs/rotation.md.
 *
 * @module
 */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onInterrupt(handler) {
    let count = 0;
    const listener = (signal: NodeJS.Signals) => {
      // A second Ctrl-C means now: leave at once (the batch in flight is atomic per key either way).
      if (++count > 1) process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
      handler();
    };
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  },
});
process.exitCode = code;
