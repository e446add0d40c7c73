/**
 * Associated data: what a sealed value is bound to. Encoded as a domain
 * label followed by length-prefixed UTF-8 fields, so no two different
 * contexts can produce the same bytes.
 *
 * @module
 */
import { utf8ToBytes } from '@noble/ciphers/utils.js';

/** Where a sealed key belongs. Changing any field makes the sealed value fail to open. */
export interface SealContext {
  tenantId: string;
  configId: string;
  /** Provider id: a key sealed for one provider never opens for another. */
  provider: string;
  /** The endpoint the key is sent to; `null` for the provider's default. */
  baseUrl: string | null;
}

const DOMAIN = 'byokit/aad/1';

/** Length-prefixed UTF-8 fields: no two different field lists encode to the same bytes. */
export function encodeFields(fields: readonly string[]): Uint8Array {
  const parts = fields.map((field) => utf8ToBytes(field));
  const total = parts.reduce((sum, part) => sum + 4 + part.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length, false);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

function contextFields(context: SealContext): string[] {
  return [context.tenantId, context.configId, context.provider, context.baseUrl ?? ''];
}

/** AAD of the secret's own ciphertext: format version and context. */
export function dataAad(context: SealContext): Uint8Array {
  return encodeFields([DOMAIN, 'data', ...contextFields(context)]);
}

/** AAD of the wrapped data key: format version, context and the KEK id. */
export function wrapAad(context: SealContext, kekId: string): Uint8Array {
  return encodeFields([DOMAIN, 'wrap', ...contextFields(context), kekId]);
}
