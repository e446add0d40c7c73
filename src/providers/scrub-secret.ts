/**
 * Removing a key from text in every encoding a provider, proxy or SDK might
 * echo it back in. The text is first normalised: escapes are decoded
 * (JSON/JS `\uXXXX`, `\xHH`, octal `\NNN`, `\/`; `%HH` percent-encoding,
 * also of every character and twice; HTML `&#NN;` / `&#xHH;`;
 * quoted-printable `=HH`; `0xHH`; full-width letters), up to three layers
 * deep. Then the raw and the normalised text are searched for runs of the
 * key: raw, reversed, upper- or lower-cased, spaced out or split by
 * punctuation; hex (of its UTF-8, UTF-16LE and UTF-16BE bytes); base64 /
 * base64url at any byte alignment (of the key, of its UTF-16LE bytes, and
 * of its base64); base32. Runs are removed, not only the whole key, so a
 * recognisable piece does not survive either.
 *
 * @module
 */
import { encodeBase64Url } from '../crypto/base64url.js';

/** Runs of the key this long or longer are removed; four characters are what a hint shows. */
const MIN_SECRET_RUN = 5;
const REDACTED = '[redacted]';

/** Characters a provider might put between the key's characters (spacing, zero-width, punctuation). */
const SEPARATORS = /[\s\u00ad\u180e\u200b-\u200f\u2060\ufeff\-_.:,;|/\\'"`]/;
const WHITESPACE = /\s/;

/**
 * One escape at a time: `\uXXXX`, `\xHH`, `%HH`, `&#xHH;`, `&#NN;`,
 * `0xHH`, octal `\NNN`, and `\/` `\"` `\\`.
 */
const ESCAPE = /\\u([0-9a-f]{4})|\\x([0-9a-f]{2})|%([0-9a-f]{2})|&#x([0-9a-f]{1,4});|&#([0-9]{1,5});|0x([0-9a-f]{2})|\\([0-7]{1,3})|\\([/"\\])/iy;
/** Which escape group matched → the radix of its digits (`0`: the character itself). */
const RADIX = [16, 16, 16, 16, 10, 16, 8, 0];
/**
 * Quoted-printable (`=HH`, and a soft line break that stands for nothing),
 * decoded in a view of its own: read as one more escape, `=ab` would
 * swallow the start of a key after `key=`.
 */
const QUOTED_PRINTABLE = /=([0-9A-F]{2})|=\r?\n/y;

/** How one encoding of the key is matched against text. */
interface Variant {
  /** The encoded key, already folded and without skipped characters. */
  secret: string;
  /** Shortest run removed (in encoded characters). */
  minRun: number;
  /** ASCII lower-casing before comparing. */
  fold: boolean;
  /** Characters of the text ignored when comparing (they may sit inside a run). */
  skip: RegExp;
}

/** Variants compared the same way, searched in one pass: each run of `minRun` characters of theirs, and whose it is. */
interface VariantGroup {
  minRun: number;
  fold: boolean;
  skip: RegExp;
  grams: Map<string, string[]>;
}

/** Text as compared: each character with the range `[start, end)` of the original text it came from. */
interface View {
  text: string;
  start: number[];
  end: number[];
}

/** ASCII-only lower case, so indices stay aligned with the original text. */
function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function strip(text: string, skip: RegExp): string {
  let out = '';
  for (const c of text) if (!skip.test(c)) out += c;
  return out;
}

function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** UTF-16 code units of `text` as bytes, little- or big-endian. */
function utf16(text: string, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(i * 2, text.charCodeAt(i), littleEndian);
  return bytes;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The characters of `bytes` encoded in groups of `group` bytes to
 * `bitsPerChar`-bit characters (base64url: 3 and 6; base32: 5 and 5), as
 * they would appear inside a longer encoded value: for each byte
 * alignment, the characters that depend on these bytes only.
 */
function encodedRuns(bytes: Uint8Array, group: number, bitsPerChar: number, encode: (bytes: Uint8Array) => string): string[] {
  const runs: string[] = [];
  for (let pad = 0; pad < group; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    const encoded = encode(padded);
    // Skip characters that mix pad bits in, at the head and at the tail.
    const head = Math.ceil((pad * 8) / bitsPerChar);
    const tail = Math.floor((padded.length * 8) / bitsPerChar);
    if (tail - head >= 1) runs.push(encoded.slice(head, tail));
  }
  return runs;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += BASE32[(value >> (bits - 5)) & 31];
  }
  return out;
}

function base64Variants(bytes: Uint8Array, minRun: number): Variant[] {
  return encodedRuns(bytes, 3, 6, encodeBase64Url).flatMap((run) => [
    { secret: run, minRun, fold: false, skip: WHITESPACE },
    { secret: run.replace(/-/g, '+').replace(/_/g, '/'), minRun, fold: false, skip: WHITESPACE },
  ]);
}

let cached: { key: string; groups: VariantGroup[] } | undefined;

function variantGroups(key: string): VariantGroup[] {
  if (cached?.key === key) return cached.groups;
  const bytes = new TextEncoder().encode(key);
  const spaced = { fold: true, skip: SEPARATORS };
  const plain = strip(foldAscii(key), SEPARATORS);
  const variants: Variant[] = [
    { secret: plain, minRun: MIN_SECRET_RUN, ...spaced },
    { secret: [...plain].reverse().join(''), minRun: MIN_SECRET_RUN, ...spaced },
    { secret: hexOf(bytes), minRun: 2 * MIN_SECRET_RUN, ...spaced },
    // Five characters of UTF-16 are ten bytes: twenty hex digits, fourteen base64 characters.
    { secret: hexOf(utf16(key, true)), minRun: 4 * MIN_SECRET_RUN, ...spaced },
    { secret: hexOf(utf16(key, false)), minRun: 4 * MIN_SECRET_RUN, ...spaced },
    // Seven base64 characters carry just over five bytes of the key; eight base32 characters, five.
    ...base64Variants(bytes, 7),
    ...base64Variants(utf16(key, true), 14),
    ...encodedRuns(bytes, 5, 5, base32).map((run) => ({ secret: run, minRun: 8, fold: true, skip: WHITESPACE })),
  ];
  // Base64 of the key's base64 (standard alphabet, as a Basic credential or a double encoding makes it).
  for (const { secret } of base64Variants(bytes, 7).filter((_, i) => i % 2 === 1)) {
    variants.push(...base64Variants(new TextEncoder().encode(secret), 10));
  }
  const groups = new Map<string, VariantGroup>();
  for (const { secret, minRun, fold, skip } of variants) {
    const how = `${minRun}${fold}${skip.source}`;
    const group = groups.get(how) ?? { minRun, fold, skip, grams: new Map() };
    groups.set(how, group);
    for (let i = 0; i + minRun <= secret.length; i++) {
      const gram = secret.slice(i, i + minRun);
      group.grams.set(gram, [...(group.grams.get(gram) ?? []), secret]);
    }
  }
  cached = { key, groups: [...groups.values()] };
  return cached.groups;
}

/** One layer of escapes decoded, each decoded character keeping the range it came from; `null` when there was none. */
function decodeLayer(view: View, escape = ESCAPE): View | null {
  const out: View = { text: '', start: [], end: [] };
  let changed = false;
  for (let i = 0, next: number; i < view.text.length; i = next) {
    escape.lastIndex = i;
    const match = escape.exec(view.text);
    let char = view.text[i]!;
    next = i + 1;
    if (match) {
      next = i + match[0].length;
      const group = match.findIndex((value, index) => index > 0 && value !== undefined);
      // No group: a quoted-printable soft line break, which stands for nothing.
      char = group < 0 ? '' : RADIX[group - 1] ? String.fromCharCode(parseInt(match[group]!, RADIX[group - 1])) : match[group]!;
      changed = true;
    } else if (char >= '\uff01' && char <= '\uff5e') {
      // Full-width forms of ASCII.
      char = String.fromCharCode(char.charCodeAt(0) - 0xfee0);
      changed = true;
    }
    if (char !== '') {
      out.text += char;
      out.start.push(view.start[i]!);
      out.end.push(view.end[next - 1]!);
    }
  }
  return changed ? out : null;
}

/** `view` as compared (folded, skipped characters dropped), with each character's index in the view. */
function comparedText(view: View, fold: boolean, skip: RegExp): { text: string; positions: number[] } {
  const positions: number[] = [];
  let text = '';
  for (let i = 0; i < view.text.length; i++) {
    const c = view.text[i]!;
    if (skip.test(c)) continue;
    text += fold ? foldAscii(c) : c;
    positions.push(i);
  }
  return { text, positions };
}

/** Ranges `[start, end)` of the original text holding runs of a variant of `group` in `view`. */
function runsIn(view: View, compared: { text: string; positions: number[] }, group: VariantGroup, ranges: [number, number][]): void {
  const { minRun, grams } = group;
  const { text, positions } = compared;
  let i = 0;
  while (i + minRun <= text.length) {
    const secrets = grams.get(text.slice(i, i + minRun));
    if (!secrets) {
      i++;
      continue;
    }
    let longest = i + minRun;
    for (const secret of secrets) {
      let end = i + minRun;
      while (end < text.length && secret.includes(text.slice(i, end + 1))) end++;
      longest = Math.max(longest, end);
    }
    ranges.push([view.start[positions[i]!]!, view.end[positions[longest - 1]!]!]);
    i = longest;
  }
}

/**
 * `text` with `key` removed, along with every run of more than four
 * consecutive characters of the key in any encoding this module knows
 * (see the module comment). Hint-sized pieces (four characters) are kept on
 * purpose: the hint is public.
 *
 * @example
 * ```ts
 * scrubSecret('bad key sk-proj-abcdef123456 (abcdef1...)', 'sk-proj-abcdef123456') // 'bad key [redacted] ([redacted]...)'
 * scrubSecret(`echo ${btoa('sk-proj-abcdef123456')}`, 'sk-proj-abcdef123456')      // 'echo [redacted]'
 * ```
 */
export function scrubSecret(text: string, key: string): string {
  if (typeof text !== 'string' || text.length === 0 || typeof key !== 'string' || key.length === 0) return text;
  if (key.length < MIN_SECRET_RUN) return text.split(key).join(REDACTED);
  const ranges: [number, number][] = [];
  const indices = Array.from({ length: text.length }, (_, i) => i);
  const raw: View = { text, start: indices, end: indices.map((i) => i + 1) };
  const views: View[] = [raw];
  // The text as it is, with up to three layers of escapes decoded, and quoted-printable decoded.
  for (let view = decodeLayer(raw); view && views.length < 4; view = decodeLayer(view)) views.push(view);
  const quoted = decodeLayer(raw, QUOTED_PRINTABLE);
  if (quoted) views.push(quoted);
  for (const view of views) {
    const compared = new Map<string, { text: string; positions: number[] }>();
    for (const group of variantGroups(key)) {
      const how = `${group.fold}${group.skip.source}`;
      if (!compared.has(how)) compared.set(how, comparedText(view, group.fold, group.skip));
      runsIn(view, compared.get(how)!, group, ranges);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  let open: [number, number] | null = null;
  for (const range of ranges) {
    if (open && range[0] <= open[1]) {
      open[1] = Math.max(open[1], range[1]);
      continue;
    }
    if (open) {
      out += text.slice(cursor, open[0]) + REDACTED;
      cursor = open[1];
    }
    open = [range[0], range[1]];
  }
  out += text.slice(cursor, open![0]) + REDACTED + text.slice(open![1]);
  return out;
}
