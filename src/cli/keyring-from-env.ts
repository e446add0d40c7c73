/**
 * The keyring the CLI works with: `BYOKIT_MASTER_KEYS`, as the host reads it.
 *
 * @module
 */
import { Keyring } from '../crypto/keyring.js';
import { UsageError } from './usage-error.js';
import { withoutMessagePrefix } from '../message.js';

/** The keyring of `env.BYOKIT_MASTER_KEYS`, or a usage error that says what is wrong (never a key). */
export function keyringFromEnv(env: Record<string, string | undefined>): Keyring {
  try {
    return Keyring.fromEnv(env);
  } catch (error) {
    const reason = error instanceof Error ? withoutMessagePrefix(error.message) : 'not a valid keyring';
    throw new UsageError(reason.includes('BYOKIT_MASTER_KEYS') ? reason : `BYOKIT_MASTER_KEYS: ${reason}`);
  }
}
