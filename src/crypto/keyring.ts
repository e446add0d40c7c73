/**
 * The local keyring: key-encryption keys (KEKs) held in process memory,
 * each with a short id, one of them primary. New seals use the primary;
 * any listed KEK opens. Rotation = a new keyring with a new primary first
 * and the old KEKs after it, then `vault.rewrapKeys()`.
 *
 * @module
 */
import { equalBytes, randomBytes, randomNonce } from './bytes.js';
import { KeyringError } from '../errors.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { cipherBackend } from './backends/select.js';
import { GCM_TAG_LENGTH } from './backends/types.js';
import type { KekProvider } from './kek-provider.js';
import { KEK_ID_PATTERN } from './sealed-kek-id.js';
import { byokitMessage } from '../message.js';

export { KEK_ID_PATTERN } from './sealed-kek-id.js';

/** KEK length in bytes (AES-256). */
export const KEK_LENGTH = 32;
const NONCE_LENGTH = 12;
const ENV_VARIABLE = 'BYOKIT_MASTER_KEYS';

/** One key-encryption key. */
export interface KekEntry {
  /** The KEK id, stored with each sealed key (letters, digits, `_ . -`). */
  id: string;
  /** 32 random bytes. Copied on construction; the caller may wipe its copy. */
  key: Uint8Array;
}

/** @internal Test-only seam: a deterministic source of nonces for test vectors. */
export interface KeyringInternals {
  random?: (length: number) => Uint8Array;
}

/**
 * Each keyring's key bytes, for {@link keyringEntry} only. Kept beside the
 * class rather than exposed on it: no public member ever returns key bytes.
 */
const ENTRIES = new WeakMap<object, ReadonlyMap<string, Uint8Array>>();

/**
 * @internal The bytes of entry `id` of a local keyring, or `undefined`.
 * For keys derived from a keyring entry in byokit itself (the access-key
 * hashing key); never exported from the package.
 */
export function keyringEntry(keyring: Keyring, id: string): Uint8Array | undefined {
  return ENTRIES.get(keyring)?.get(id);
}

function invalid(message: string): KeyringError {
  return new KeyringError('KEYRING_INVALID', byokitMessage('keyring', `${message}`));
}

/**
 * How a message names an entry: by its position only. An id can be key
 * material (an entry written the wrong way round, `<key>:k1`, or a key
 * pasted as an id: up to 32 characters of a base64url key fit the id
 * pattern), so no id or key text is ever echoed.
 */
const entryName = (index: number): string => `entry ${index + 1}`;

/** `wrapDek`/`unwrapDek` arguments, checked: a typed error, not a TypeError from inside the cipher. */
function checkDekArguments(method: string, args: unknown, bytes: 'dek' | 'wrapped'): void {
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  if (typeof a.kekId !== 'string' || !(a[bytes] instanceof Uint8Array) || !(a.aad instanceof Uint8Array)) {
    throw invalid(`${method} takes { kekId: string, ${bytes}: Uint8Array, aad: Uint8Array }`);
  }
}

const ID_RULE = 'must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"';

/** Accepts standard base64 (with or without padding) or base64url. */
function decodeKeyText(text: string): Uint8Array | null {
  const normalised = text.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return decodeBase64Url(normalised);
}

/**
 * Local KEKs, one primary. Implements {@link KekProvider}.
 *
 * @example
 * ```ts
 * // BYOKIT_MASTER_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"  (first is primary)
 * const keyring = Keyring.fromEnv();
 * // Make a new entry for that variable:
 * const entry = Keyring.generateEntry('k3'); // 'k3:...'
 * ```
 */
export class Keyring implements KekProvider {
  readonly #keys: Map<string, Uint8Array>;
  readonly #random: (length: number) => Uint8Array;
  /** Id of the KEK new seals use. */
  readonly primaryKekId: string;

  private constructor(entries: readonly KekEntry[], internals: KeyringInternals = {}) {
    if (!Array.isArray(entries)) throw invalid('a keyring needs an array of { id, key } entries');
    if (entries.length === 0) throw invalid('a keyring needs at least one key');
    const keys = new Map<string, Uint8Array>();
    // An index loop, not forEach: a sparse array's holes are entries too (and refused).
    for (let index = 0; index < entries.length; index++) {
      const entry: unknown = entries[index];
      const { id, key } = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<KekEntry>;
      const name = entryName(index);
      if (typeof id !== 'string' || !KEK_ID_PATTERN.test(id)) throw invalid(`${name}: the key id ${ID_RULE}`);
      if (!(key instanceof Uint8Array)) throw invalid(`${name}: the key must be a Uint8Array`);
      if (key.length !== KEK_LENGTH) throw invalid(`${name}: the key must be ${KEK_LENGTH} bytes, got ${key.length}`);
      let other = 0;
      for (const [otherId, otherKey] of keys) {
        if (otherId === id) throw invalid(`${name}: the key id is listed twice (also ${entryName(other)})`);
        if (equalBytes(otherKey, key)) throw invalid(`${name}: the same key as ${entryName(other)}`);
        other++;
      }
      keys.set(id, Uint8Array.from(key));
    }
    this.#keys = keys;
    ENTRIES.set(this, keys);
    this.#random = internals.random ?? randomNonce;
    this.primaryKekId = entries[0]!.id;
  }

  /**
   * A keyring from explicit keys; the first is primary.
   *
   * @param entries - the KEKs, primary first.
   * @param internals - test-only; leave unset.
   */
  static fromKeys(
    entries: readonly KekEntry[],
    internals?: {
      /** Test-only: a deterministic source of nonces, for test vectors. */
      random?: (length: number) => Uint8Array;
    },
  ): Keyring {
    return new Keyring(entries, internals);
  }

  /** A keyring with one fresh random KEK (for tests, demos, or to bootstrap). */
  static generate(id = 'k1'): Keyring {
    if (typeof id !== 'string' || !KEK_ID_PATTERN.test(id)) throw invalid(`the key id ${ID_RULE}`);
    const key = randomBytes(KEK_LENGTH);
    try {
      return new Keyring([{ id, key }]);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Parses `id:base64key,id:base64key,...` (first is primary). Keys are 32
   * bytes in standard base64 or base64url. Errors name an entry by its
   * position only: they never echo an id or key text, also not from an
   * entry written the wrong way round.
   */
  static parse(text: string): Keyring {
    if (typeof text !== 'string' || text.trim() === '')
      throw invalid(`${ENV_VARIABLE} is empty; expected "id:base64key,..."`);
    const entries: KekEntry[] = [];
    try {
      text.split(',').forEach((raw, index) => {
        const item = raw.trim();
        const colon = item.indexOf(':');
        if (colon <= 0) throw invalid(`entry ${index + 1} is not "id:base64key"`);
        const id = item.slice(0, colon);
        if (!KEK_ID_PATTERN.test(id))
          throw invalid(`entry ${index + 1}: the key id ${ID_RULE} (is the entry written as "id:base64key"?)`);
        const key = decodeKeyText(item.slice(colon + 1));
        if (!key) throw invalid(`${entryName(index)}: the key is not valid base64`);
        entries.push({ id, key });
      });
      return new Keyring(entries);
    } finally {
      // Wipe the decoded copies whether or not the keyring was built.
      for (const entry of entries) entry.key.fill(0);
    }
  }

  /** Reads `BYOKIT_MASTER_KEYS` (or `variable`) from `env` (default `process.env`). */
  static fromEnv(env?: Record<string, string | undefined>, variable = ENV_VARIABLE): Keyring {
    if (typeof variable !== 'string' || variable === '') throw invalid('the variable name must be a non-empty string');
    // `typeof null` is 'object': null reads the process environment, as undefined does.
    if (env !== undefined && typeof env !== 'object') throw invalid('env must be an object of environment variables');
    const source = env ?? (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
    const text = Object.hasOwn(source, variable) ? source[variable] : undefined;
    if (text === undefined) throw invalid(`${variable} is not set; expected "id:base64key,..."`);
    return Keyring.parse(text);
  }

  /** A new `id:base64key` entry with 32 fresh random bytes, for `BYOKIT_MASTER_KEYS`. */
  static generateEntry(id = 'k1'): string {
    if (typeof id !== 'string' || !KEK_ID_PATTERN.test(id)) throw invalid(`the key id ${ID_RULE}`);
    const key = randomBytes(KEK_LENGTH);
    try {
      return `${id}:${encodeBase64Url(key)}`;
    } finally {
      key.fill(0);
    }
  }

  /** The KEK ids, primary first. */
  get kekIds(): string[] {
    return [...this.#keys.keys()];
  }

  hasKek(kekId: string): boolean {
    return this.#keys.has(kekId);
  }

  #kek(kekId: string): Uint8Array {
    const key = this.#keys.get(kekId);
    if (!key)
      throw new KeyringError('KEK_UNKNOWN', byokitMessage('keyring', `no key with id "${kekId}" in this keyring`));
    return key;
  }

  /**
   * Wrapped form: nonce (12) ‖ AES-256-GCM ciphertext (32) ‖ tag (16), with
   * the runtime's fastest AES-GCM (the same bytes from every backend).
   */
  async wrapDek(args: { kekId: string; dek: Uint8Array; aad: Uint8Array }): Promise<Uint8Array> {
    checkDekArguments('wrapDek', args, 'dek');
    const { kekId, dek, aad } = args;
    const kek = this.#kek(kekId);
    const nonce = this.#random(NONCE_LENGTH);
    const chosen = cipherBackend();
    const cipher = chosen instanceof Promise ? await chosen : chosen;
    const sealing = cipher.sealGcm(kek, nonce, dek, aad);
    const sealed = sealing instanceof Promise ? await sealing : sealing;
    const wrapped = new Uint8Array(NONCE_LENGTH + sealed.length);
    wrapped.set(nonce);
    wrapped.set(sealed, NONCE_LENGTH);
    return wrapped;
  }

  async unwrapDek(args: { kekId: string; wrapped: Uint8Array; aad: Uint8Array }): Promise<Uint8Array> {
    checkDekArguments('unwrapDek', args, 'wrapped');
    const { kekId, wrapped, aad } = args;
    const kek = this.#kek(kekId);
    if (wrapped.length < NONCE_LENGTH + GCM_TAG_LENGTH)
      throw new RangeError(byokitMessage('keyring', 'wrapped key too short'));
    // Not awaited when chosen and synchronous: the one await is the caller's.
    const chosen = cipherBackend();
    const cipher = chosen instanceof Promise ? await chosen : chosen;
    return cipher.openGcm(kek, wrapped.subarray(0, NONCE_LENGTH), wrapped.subarray(NONCE_LENGTH), aad);
  }

  /** The ids only, never key bytes: a keyring serialises safely. */
  toJSON(): {
    /** The id of the KEK new seals use. */
    primaryKekId: string;
    /** Every KEK id, primary first. */
    kekIds: string[];
  } {
    return { primaryKekId: this.primaryKekId, kekIds: this.kekIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring(primary=${this.primaryKekId}, ids=[${this.kekIds.join(', ')}])`;
  }
}
