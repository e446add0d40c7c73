import { describe, expect, it } from 'vitest';
import { dataAad, sealAads, wrapAad } from '../../src/crypto/aad.js';

/** docs/format.md, written out plainly: each field `u32 big-endian length ‖ UTF-8`. */
function reference(fields: string[]): Uint8Array {
  const parts = fields.map((f) => new TextEncoder().encode(f));
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.writeUInt32BE(p.length, offset);
    out.set(p, offset + 4);
    offset += 4 + p.length;
  }
  return new Uint8Array(out);
}

describe('associated data', () => {
  const contexts = [
    { tenantId: 'acme', configId: 'cfg_01JD0000000000000000000000', provider: 'openai', baseUrl: null },
    {
      tenantId: 'tënant-ü',
      configId: 'cfg_01JD0000000000000000000001',
      provider: 'custom',
      baseUrl: 'https://llm.例え.jp/v1/🔑',
    },
    { tenantId: '', configId: '', provider: '', baseUrl: '' },
    // Fields made only of characters past ASCII, and one of DEL (the last ASCII character).
    { tenantId: 'ü', configId: '例え', provider: '🔑', baseUrl: '\u007f' },
  ];
  it.each(contexts)('is the format’s encoding for %o, ASCII or not, built once for both', (context) => {
    const fields = [context.tenantId, context.configId, context.provider, context.baseUrl ?? ''];
    const both = sealAads(context, 'k-1');
    expect(both.data).toEqual(reference(['byokit/aad/1', 'data', ...fields]));
    expect(both.wrap).toEqual(reference(['byokit/aad/1', 'wrap', ...fields, 'k-1']));
    expect(dataAad(context)).toEqual(both.data);
    expect(wrapAad(context, 'k-1')).toEqual(both.wrap);
  });
});
