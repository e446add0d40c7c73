/**
 * A mistake in how the command was called (a missing or malformed option,
 * a store URL of no known kind, no keyring): exit code 2, with the message.
 *
 * @module
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
