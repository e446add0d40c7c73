/**
 * What `setKey` and a bulk import seal for a key: loaded with the first key
 * set (the read and resolve paths never need it, nor the credential
 * schemas it reaches).
 *
 * @module
 */
import { MAX_SECRET_BYTES } from '../crypto/envelope.js';
import { ProviderError, ValidationError } from '../errors.js';
import { credentialSpecOf, prepareCredential, type PreparedKey } from '../providers/credential.js';
import type { ProviderDescriptor } from '../providers/types.js';
import { keyHint } from '../secret.js';
import { byokitMessage } from '../message.js';

/**
 * What `setKey` (and a bulk import) seals for `key` and its hint: a plain
 * key checked by the descriptor's `checkKeyFormat` and hinted by its
 * prefix and last four characters; or, for a provider with a structured
 * credential, the object (or its JSON) validated by the descriptor's schema,
 * sealed as JSON and hinted by its non-secret id. Errors name what is
 * wrong (a field, for a credential), never the value.
 */
export async function prepareKey(descriptor: ProviderDescriptor, key: unknown): Promise<PreparedKey> {
  const declaration = descriptor.credential;
  let prepared: PreparedKey;
  // A plain key: no credential declared, or one that also takes a key and this is no JSON object.
  if (
    typeof key === 'string' &&
    (declaration === undefined || (declaration.plainKey === true && !key.trimStart().startsWith('{')))
  ) {
    const problem = descriptor.checkKeyFormat(key);
    if (problem !== null)
      throw new ProviderError(
        'KEY_FORMAT_INVALID',
        byokitMessage('vault', `the key does not look like a key for ${descriptor.label}: ${problem}`),
      );
    prepared = { plaintext: key, hint: keyHint(key, descriptor.keyPrefixes) };
  } else if (declaration) {
    prepared = prepareCredential(await credentialSpecOf(declaration), descriptor.label, key);
  } else {
    throw new ValidationError(byokitMessage('vault', 'invalid key: must be a string'), [
      { path: 'key', message: 'must be a string' },
    ]);
  }
  if (new TextEncoder().encode(prepared.plaintext).length > MAX_SECRET_BYTES) {
    throw new ValidationError(byokitMessage('vault', `invalid key: must be at most ${MAX_SECRET_BYTES} bytes`), [
      { path: 'key', message: `must be at most ${MAX_SECRET_BYTES} bytes` },
    ]);
  }
  return prepared;
}
