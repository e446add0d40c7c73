/**
 * Envelope encryption of one provider key. See docs/format.md for the
 * byte-level format and the reasoning behind each choice.
 *
 * seal: random DEK → HKDF-SHA256 → (encryption key, commitment);
 *       body = AES-256-GCM(encryption key, nonce, key, AAD(context));
 *       wrapped = KEK.wrap(DEK, AAD(context, kekId)).
 * open: unwrap DEK → derive → constant-time commitment check → decrypt.
 *
 * AES-GCM and HKDF come from the fastest backend the runtime has
 * (`backends/select.ts`), all producing the same bytes. Nothing is cached
 * between calls: the DEK and everything derived from it are zeroed before
 * a call returns.
 *
 * @module
 */
import { bytesToUtf8, equalBytes, randomBytes, randomNonce, utf8ToBytes } from './bytes.js';
import { DecryptionError } from '../errors.js';
import { sealAads, wrapAad, type SealContext } from './aad.js';
import { cipherBackend } from './backends/select.js';
import type { CipherBackend } from './backends/types.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import type { KekProvider } from './kek-provider.js';
import { KEK_ID_PATTERN, SEALED_PREFIX } from './sealed-kek-id.js';
import { byokitMessage } from '../message.js';

export { SEALED_PREFIX, sealedKekId } from './sealed-kek-id.js';
const DEK_LENGTH = 32;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const COMMITMENT_LENGTH = 32;
const HKDF_INFO = utf8ToBytes('byokit/1 key+commitment');
/** Longest secret accepted: provider keys are far shorter; this bounds work on hostile input. */
export const MAX_SECRET_BYTES = 8192;

/** The parts of a sealed value. */
interface SealedParts {
  kekId: string;
  wrapped: Uint8Array;
  commitment: Uint8Array;
  body: Uint8Array;
}

/** @internal Test-only seam: deterministic DEK and nonce for test vectors. */
export interface SealInternals {
  random?: (length: number) => Uint8Array;
}

/** The one failure every kind of bad sealed value gets: it says nothing about why (no cause either). */
function failure(): DecryptionError {
  return new DecryptionError('DECRYPTION_FAILED', byokitMessage('crypto', 'sealed value failed to open'));
}

/** Whether a backend answered with a promise (WebCrypto) rather than at once. */
function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** HKDF-SHA256 of the DEK: the per-secret encryption key is `okm[0, 32)`, the commitment `okm[32, 64)`. */
function deriveOkm(cipher: CipherBackend, dek: Uint8Array): Uint8Array | Promise<Uint8Array> {
  return cipher.hkdf64(dek, HKDF_INFO);
}

/** Checks what a KEK provider returned before it is written into a sealed value that must open later. */
function checkWrap(kekId: string, wrapped: Uint8Array): void {
  if (!KEK_ID_PATTERN.test(kekId))
    throw new RangeError(byokitMessage('crypto', 'a KEK id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"'));
  if (!(wrapped instanceof Uint8Array) || wrapped.length === 0)
    throw new TypeError(byokitMessage('crypto', 'the KEK provider returned no wrapped key'));
}

function format(parts: SealedParts): string {
  return `${SEALED_PREFIX}${parts.kekId}:${encodeBase64Url(parts.wrapped)}:${encodeBase64Url(parts.commitment)}:${encodeBase64Url(parts.body)}`;
}

function parse(sealed: string): SealedParts {
  if (typeof sealed !== 'string') throw new TypeError(byokitMessage('crypto', 'a sealed value must be a string'));
  if (!sealed.startsWith(SEALED_PREFIX)) {
    throw new DecryptionError(
      'DECRYPTION_FAILED',
      byokitMessage('crypto', 'unsupported sealed value format or version'),
    );
  }
  const fields = sealed.slice(SEALED_PREFIX.length).split(':');
  if (fields.length !== 4) throw failure();
  const [kekId, wrappedText, commitmentText, bodyText] = fields as [string, string, string, string];
  const wrapped = decodeBase64Url(wrappedText);
  const commitment = decodeBase64Url(commitmentText);
  const body = decodeBase64Url(bodyText);
  if (!KEK_ID_PATTERN.test(kekId) || !wrapped || wrapped.length === 0 || !commitment || !body) throw failure();
  // A body holds at least one byte of key: an empty secret is never sealed.
  if (commitment.length !== COMMITMENT_LENGTH || body.length <= NONCE_LENGTH + TAG_LENGTH) throw failure();
  return { kekId, wrapped, commitment, body };
}

/**
 * Seals `secret` for `context` under the provider's primary KEK.
 *
 * @param internals - test-only; leave unset.
 */
export async function sealSecret(
  secret: string,
  context: SealContext,
  kek: KekProvider,
  internals: SealInternals = {},
): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0)
    throw new TypeError(byokitMessage('crypto', 'the secret must be a non-empty string'));
  const plaintext = utf8ToBytes(secret);
  if (plaintext.length > MAX_SECRET_BYTES)
    throw new RangeError(byokitMessage('crypto', `the secret is longer than ${MAX_SECRET_BYTES} bytes`));
  const chosen = cipherBackend();
  const cipher = isPromise(chosen) ? await chosen : chosen;
  const random = internals.random ?? randomBytes;
  const nonceOf = internals.random ?? randomNonce;
  const dek = random(DEK_LENGTH);
  let okm: Uint8Array | undefined;
  try {
    const derived = deriveOkm(cipher, dek);
    okm = isPromise(derived) ? await derived : derived;
    const kekId = kek.primaryKekId;
    const aads = sealAads(context, kekId);
    const nonce = nonceOf(NONCE_LENGTH);
    const sealing = cipher.sealGcm(okm.subarray(0, DEK_LENGTH), nonce, plaintext, aads.data);
    const sealedBody = isPromise(sealing) ? await sealing : sealing;
    const body = new Uint8Array(NONCE_LENGTH + sealedBody.length);
    body.set(nonce);
    body.set(sealedBody, NONCE_LENGTH);
    const wrapped = await kek.wrapDek({ kekId, dek, aad: aads.wrap });
    checkWrap(kekId, wrapped);
    return format({ kekId, wrapped, commitment: okm.subarray(DEK_LENGTH), body });
  } finally {
    dek.fill(0);
    okm?.fill(0);
    plaintext.fill(0);
  }
}

/**
 * The data key, as the KEK provider unwraps it. Its length is not checked
 * here: the commitment check that follows refuses every key but the one
 * sealed, whatever its length.
 */
async function unwrapDek(parts: SealedParts, aad: Uint8Array, kek: KekProvider): Promise<Uint8Array> {
  try {
    return await kek.unwrapDek({ kekId: parts.kekId, wrapped: parts.wrapped, aad });
  } catch (error) {
    // A missing KEK is the one failure worth naming: the key must be re-entered.
    if (error instanceof Error && (error as { code?: string }).code === 'KEK_UNKNOWN') throw error;
    throw failure();
  }
}

/**
 * Unwraps the data key and checks it against the commitment. The caller
 * zeroes `dek` and `okm` when done (in a `finally`); on a failure here they
 * are zeroed before the throw.
 */
async function committedKeys(
  parts: SealedParts,
  wrap: Uint8Array,
  kek: KekProvider,
): Promise<{ cipher: CipherBackend; dek: Uint8Array; okm: Uint8Array }> {
  const chosen = cipherBackend();
  const cipher = isPromise(chosen) ? await chosen : chosen;
  const dek = await unwrapDek(parts, wrap, kek);
  let okm: Uint8Array | undefined;
  try {
    const derived = deriveOkm(cipher, dek);
    okm = isPromise(derived) ? await derived : derived;
    // Key commitment: a body crafted to open under two keys is refused here.
    if (!equalBytes(okm.subarray(DEK_LENGTH), parts.commitment)) throw failure();
    return { cipher, dek, okm };
  } catch (error) {
    dek.fill(0);
    okm?.fill(0);
    throw error;
  }
}

/**
 * Opens a sealed value for `context`. Throws one plain `DECRYPTION_FAILED`
 * error for every kind of failure (tampering, wrong context, wrong KEK),
 * or `KEK_UNKNOWN` when the keyring no longer holds the KEK it names.
 */
export async function openSecret(sealed: string, context: SealContext, kek: KekProvider): Promise<string> {
  const parts = parse(sealed);
  const aads = sealAads(context, parts.kekId);
  const { cipher, dek, okm } = await committedKeys(parts, aads.wrap, kek);
  let plaintext: Uint8Array | undefined;
  try {
    const opening = cipher.openGcm(
      okm.subarray(0, DEK_LENGTH),
      parts.body.subarray(0, NONCE_LENGTH),
      parts.body.subarray(NONCE_LENGTH),
      aads.data,
    );
    plaintext = isPromise(opening) ? await opening : opening;
  } catch {
    throw failure();
  } finally {
    dek.fill(0);
    okm.fill(0);
  }
  try {
    return bytesToUtf8(plaintext);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Re-wraps a sealed value's data key under the provider's primary KEK.
 * The secret's own ciphertext and commitment stay as they are; the DEK is
 * checked against the commitment first so garbage is never re-wrapped.
 */
export async function rewrapSealed(sealed: string, context: SealContext, kek: KekProvider): Promise<string> {
  const parts = parse(sealed);
  const { dek, okm } = await committedKeys(parts, wrapAad(context, parts.kekId), kek);
  try {
    const kekId = kek.primaryKekId;
    const wrapped = await kek.wrapDek({ kekId, dek, aad: wrapAad(context, kekId) });
    checkWrap(kekId, wrapped);
    return format({ ...parts, kekId, wrapped });
  } finally {
    dek.fill(0);
    okm.fill(0);
  }
}
