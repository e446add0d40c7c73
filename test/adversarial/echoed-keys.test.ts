/**
 * Attack: get the key back out through what a validation reports. An
 * endpoint (or a careless proxy) echoes the key in its error answer, in the
 * message, in the error code, in a header dump, and not only raw: base64,
 * hex, upper-cased, spaced out, URL-encoded, escaped (JSON, HTML, `\x`,
 * `0x`, octal, quoted-printable, percent-encoding of every character),
 * UTF-16, base32, base64 of base64, reversed. `detail` is byokit's own
 * wording (status and a short error code at most), and whatever provider
 * text still reaches an error is scrubbed of every one of these encodings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubError, scrubSecret } from '../../src/providers/index.js';
import { json, startHostileServer, type HostileServer } from './hostile-server.js';
import { PROVIDER_TARGETS, tenantKeyFor } from './targets.js';

/** Every way the attack spells the key. */
const ENCODINGS: Record<string, (key: string) => string> = {
  raw: (key) => key,
  upper: (key) => key.toUpperCase(),
  lower: (key) => key.toLowerCase(),
  base64: (key) => Buffer.from(key).toString('base64'),
  base64url: (key) => Buffer.from(key).toString('base64url'),
  'base64 of a Basic credential': (key) => Buffer.from(`api:${key}`).toString('base64'),
  'base64 of the Bearer header': (key) => Buffer.from(`Bearer ${key}`).toString('base64'),
  hex: (key) => Buffer.from(key).toString('hex'),
  'hex, upper-case': (key) => Buffer.from(key).toString('hex').toUpperCase(),
  'hex with colons': (key) =>
    Buffer.from(key)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1:'),
  spaced: (key) => key.split('').join(' '),
  'split by dots': (key) => key.replace(/(.{3})/g, '$1.'),
  'zero-width joined': (key) => key.split('').join('\u200b'),
  'url-encoded': (key) => encodeURIComponent(key),
  'url-encoded twice': (key) => encodeURIComponent(encodeURIComponent(key)),
  'every character percent-encoded': (key) => hexPairs(key, '%'),
  'every character percent-encoded twice': (key) => hexPairs(key, '%25'),
  'JSON \\u escapes': (key) => [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  'HTML decimal entities': (key) => [...key].map((c) => `&#${c.charCodeAt(0)};`).join(''),
  'HTML hex entities': (key) => [...key].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join(''),
  '\\x escapes': (key) => hexPairs(key, '\\x'),
  '0x bytes': (key) => hexPairs(key, '0x', ' '),
  'octal escapes': (key) => [...key].map((c) => `\\${c.charCodeAt(0).toString(8)}`).join(''),
  'quoted-printable, wrapped': (key) =>
    hexPairs(key, '=')
      .toUpperCase()
      .replace(/(.{72})/g, '$1=\r\n'),
  'full-width': (key) => [...key].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(''),
  'UTF-16LE hex': (key) => Buffer.from(key, 'utf16le').toString('hex'),
  'UTF-16BE hex': (key) => Buffer.from(key, 'utf16le').swap16().toString('hex'),
  'UTF-16LE base64': (key) => Buffer.from(key, 'utf16le').toString('base64'),
  'base64 of base64': (key) => Buffer.from(Buffer.from(key).toString('base64')).toString('base64'),
  'base64 of the base64 Bearer header': (key) =>
    Buffer.from(`Basic ${Buffer.from(`api:${key}`).toString('base64')}`).toString('base64'),
  base32: (key) => base32(Buffer.from(key)),
  reversed: (key) => [...key].reverse().join(''),
};

/** Each character's code as two hex digits after `prefix`, joined by `separator`. */
function hexPairs(key: string, prefix: string, separator = ''): string {
  return [...Buffer.from(key)].map((byte) => `${prefix}${byte.toString(16).padStart(2, '0')}`).join(separator);
}

/** RFC 4648 base32, upper-case, unpadded. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += alphabet[(value >>> (bits - 5)) & 31];
    value &= 0xff;
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

/** Names of the encodings of `key` a window of which (12 characters, past the public prefix) appears in `text`. */
function leakedEncodings(text: string, key: string): string[] {
  const leaked: string[] = [];
  const haystack = text.toLowerCase();
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    const encoded = encode(key);
    const start = Math.floor(encoded.length / 4);
    for (let i = start; i + 12 <= encoded.length; i++) {
      if (haystack.includes(encoded.slice(i, i + 12).toLowerCase())) {
        leaked.push(name);
        break;
      }
    }
  }
  return leaked;
}

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(() => server.close());

describe.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))('validateKey against %s', (_name, target) => {
  it.each(Object.keys(ENCODINGS))(
    'an echo of the key (%s) reaches neither the result nor the audit trail',
    async (encoding) => {
      const echoed = ENCODINGS[encoding]!(target.key);
      server.handle((_req, res) => {
        res.setHeader('x-echo', echoed.replace(/[^\x21-\x7e]/g, ''));
        json(res, 401, {
          error: {
            message: `Incorrect API key provided: ${echoed}`,
            type: echoed,
            code: echoed.slice(0, 64),
            status: echoed,
            details: [{ reason: echoed }],
          },
          message: `bad key ${echoed}`,
          detail: echoed,
        });
      });
      const { admin, config } = await tenantKeyFor(target, server.url);
      const result = await admin.validateKey(config.id);
      expect(result.status).toBe('invalid_key');
      const audit = await admin.listAudit();
      expect(leakedEncodings(JSON.stringify({ result, audit }), target.key)).toEqual([]);
    },
  );
});

describe('errors that keep provider text (cause chains) are scrubbed of every encoding', () => {
  // Characters URL encoding changes, inside the key, so the encoded forms differ from the raw one.
  const canary = PROVIDER_TARGETS[0]!.key;
  const key = `${canary.slice(0, 20)}/+=${canary.slice(20)}`;
  it.each(Object.keys(ENCODINGS))('%s', (encoding) => {
    const echoed = ENCODINGS[encoding]!(key);
    const cause = Object.assign(new Error(`upstream said: ${echoed}`), { code: 'ECONNRESET' });
    const error = scrubError(new Error(`401 ${echoed}`, { cause }), key, 'calling the provider');
    const texts = [
      error.message,
      String(error.stack),
      (error.cause as Error).message,
      ((error.cause as Error).cause as Error).message,
    ].join('\n');
    expect(leakedEncodings(texts, key)).toEqual([]);
    expect(leakedEncodings(scrubSecret(`the key was ${echoed}.`, key), key)).toEqual([]);
  });
});
