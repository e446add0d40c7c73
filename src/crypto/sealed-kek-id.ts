/**
 * The one piece of the sealed format that storage needs: which KEK a stored
 * sealed value names. No crypto here and no dependency, so the store and
 * every adapter can read it without pulling in a cipher.
 *
 * @module
 */

/** The version tag every sealed value starts with. */
export const SEALED_PREFIX = 'byokit:1:';

/** Allowed KEK ids; the sealed format relies on it (see docs/format.md). */
export const KEK_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The KEK id a sealed value names: the text between `byokit:1:` and the next
 * `:`, when it is a valid KEK id; `null` for no value, another format or a
 * value too damaged to name one. Reads the prefix only and opens nothing.
 *
 * Adapters derive `ConfigRecord.kekId` with this rule on every read (the SQL
 * and Lua adapters with the same rule in their own language) instead of
 * storing the id beside the sealed value, so a row can never claim a KEK its
 * sealed value does not name.
 *
 * @example
 * ```ts
 * sealedKekId('byokit:1:k2:AAAA...:BBBB...:CCCC...') // 'k2'
 * sealedKekId(null)                                 // null
 * ```
 */
export function sealedKekId(sealed: string | null | undefined): string | null {
  if (typeof sealed !== 'string' || !sealed.startsWith(SEALED_PREFIX)) return null;
  const end = sealed.indexOf(':', SEALED_PREFIX.length);
  if (end === -1) return null;
  const kekId = sealed.slice(SEALED_PREFIX.length, end);
  return KEK_ID_PATTERN.test(kekId) ? kekId : null;
}
