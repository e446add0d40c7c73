/**
 * The access-key token: `byk_live_<id>_<secret><checksum>`.
 *
 * - `<id>`: the 26 Crockford base32 characters of the record id
 *   (`ak_<id>`), so verification finds the record by an index lookup,
 *   never a scan.
 * - `<secret>`: 43 base62 characters drawn uniformly (rejection sampling),
 *   log2(62^43) ≈ 256 bits of entropy.
 * - `<checksum>`: 6 base62 characters of the CRC-32 of everything before
 *   it, so a secret scanner (or the gateway itself, before any store read)
 *   tells a token from a typo or a random string.
 *
 * @module
 */
import { randomBytes } from '@noble/ciphers/utils.js';

/** The public prefix of every access key. */
export const ACCESS_KEY_PREFIX = 'byk_live_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_CHARS = 43;
const CHECKSUM_CHARS = 6;
const TOKEN = /^byk_live_([0-9A-HJKMNP-TV-Z]{26})_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;
const TOKEN_LENGTH = ACCESS_KEY_PREFIX.length + 26 + 1 + SECRET_CHARS + CHECKSUM_CHARS;

/** A fresh uniformly random base62 string (bytes >= 248 are dropped, so `byte % 62` has no bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function crc32(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i);
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ -1) >>> 0;
}

function checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_CHARS; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A token for access key `id` (`ak_...`) with a fresh secret; the secret part is returned apart for hashing. */
export function newAccessKeyToken(id: string): { token: string; secret: string } {
  const secret = randomBase62(SECRET_CHARS);
  const body = `${ACCESS_KEY_PREFIX}${id.slice(3)}_${secret}`;
  return { token: body + checksum(body), secret };
}

/** The record id and secret part of a token, or `null` when it is not a well-formed token (checksum included). */
export function parseAccessKeyToken(token: string): { id: string; secret: string } | null {
  const match = token.length === TOKEN_LENGTH ? TOKEN.exec(token) : null;
  if (!match || checksum(token.slice(0, -CHECKSUM_CHARS)) !== match[3]) return null;
  return { id: `ak_${match[1]}`, secret: match[2]! };
}

/** The public hint of a token: its prefix and last four characters, `byk_live_...x7Q2`. */
export function accessKeyHint(token: string): string {
  return `${ACCESS_KEY_PREFIX}...${token.slice(-4)}`;
}
