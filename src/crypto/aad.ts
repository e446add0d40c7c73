/**
 * Associated data: what a sealed value is bound to. Encoded as a domain
 * label followed by length-prefixed UTF-8 fields, so no two different
 * contexts can produce the same bytes.
 *
 * @module
 */

/** Where a sealed key belongs. Changing any field makes the sealed value fail to open. */
export interface SealContext {
  /** The tenant: a key sealed for one tenant never opens for another. */
  tenantId: string;
  /** The config: a key sealed for one config never opens for another. */
  configId: string;
  /** Provider id: a key sealed for one provider never opens for another. */
  provider: string;
  /** The endpoint the key is sent to; `null` for the provider's default. */
  baseUrl: string | null;
}

const encoder = new TextEncoder();
const field = (text: string) => encoder.encode(text);
const DOMAIN = field('byokit/aad/1');
const DATA = field('data');
const WRAP = field('wrap');

/** A field: ASCII text (written byte for byte, no encoder call) or already encoded UTF-8. */
type Field = string | Uint8Array;

/** UTF-8 length of `text` when it is ASCII, else -1. */
function asciiLength(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return -1;
  return text.length;
}

/**
 * `u32 big-endian length ‖ bytes` of each field, one after the other: no two
 * different field lists encode to the same bytes (also used by access-key hashes).
 */
export function encodeFields(fields: readonly Field[]): Uint8Array {
  const bytes = fields.map((f) => (typeof f === 'string' && asciiLength(f) < 0 ? field(f) : f));
  let total = 0;
  for (const f of bytes) total += 4 + f.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const f of bytes) {
    const length = f.length;
    out[offset] = length >>> 24;
    out[offset + 1] = (length >>> 16) & 0xff;
    out[offset + 2] = (length >>> 8) & 0xff;
    out[offset + 3] = length & 0xff;
    offset += 4;
    if (typeof f === 'string') {
      for (let i = 0; i < length; i++) out[offset + i] = f.charCodeAt(i);
    } else {
      out.set(f, offset);
    }
    offset += length;
  }
  return out;
}

function contextFields(context: SealContext): Field[] {
  return [context.tenantId, context.configId, context.provider, context.baseUrl ?? ''];
}

/** Both associated data of one sealed value, from one encoding of its context. */
export interface SealAads {
  /** Of the secret's own ciphertext (the body). */
  data: Uint8Array;
  /** Of the wrapped data key, which also binds the KEK id. */
  wrap: Uint8Array;
}

/**
 * The body's and the wrap's associated data for `context` and `kekId` (a
 * seal and an open each need both). Context fields are ASCII in practice
 * (ids, provider names, URLs), which `encodeFields` copies byte for byte
 * without an encoder call.
 */
export function sealAads(context: SealContext, kekId: string): SealAads {
  const fields = contextFields(context);
  return { data: encodeFields([DOMAIN, DATA, ...fields]), wrap: encodeFields([DOMAIN, WRAP, ...fields, kekId]) };
}

/** AAD of the secret's own ciphertext: format version and context. */
export function dataAad(context: SealContext): Uint8Array {
  return encodeFields([DOMAIN, DATA, ...contextFields(context)]);
}

/** AAD of the wrapped data key: format version, context and the KEK id. */
export function wrapAad(context: SealContext, kekId: string): Uint8Array {
  return encodeFields([DOMAIN, WRAP, ...contextFields(context), kekId]);
}
