/**
 * The exit codes scripts can trust.
 *
 * @module
 */
export const EXIT = {
  /** The command did everything it was asked. */
  done: 0,
  /** It ran, but something failed: listed on stderr (keys that could not be re-wrapped, a store error). */
  failures: 1,
  /** It was called wrong: an option missing or malformed, no keyring, an unknown store. */
  usage: 2,
  /** Ctrl-C (SIGINT) or SIGTERM stopped it; what was done stays done, run it again to finish. */
  interrupted: 130,
} as const;
