/**
 * Removing a key from text in every encoding a provider, proxy or SDK might
 * echo it back in. The text is searched as it is and normalised: escapes
 * decoded (JSON/JS `\uXXXX`, `\xHH`, octal `\NNN`, `\/`; `%HH`, also of
 * every character and twice; HTML `&#NN;` / `&#xHH;`; quoted-printable
 * `=HH`; `0xHH`; full-width letters), up to three layers deep. It is
 * searched for runs of the key: raw, reversed, upper- or lower-cased,
 * spaced out or split by punctuation; hex (of its UTF-8, UTF-16LE and
 * UTF-16BE bytes); base64 / base64url at any byte alignment (of the key,
 * of its UTF-16LE bytes, and of its base64); base32. Runs are removed, not
 * only the whole key, so a recognisable piece does not survive either.
 *
 * @module
 */
import { encodeBase64Url } from '../crypto/base64url.js';

/** Runs of the key this long or longer are removed; four characters are what a hint shows. */
const MIN_SECRET_RUN = 5;
const REDACTED = '[redacted]';

/**
 * How text is compared with a variant: `[characters skipped, ASCII-folded]`.
 * 0: spacing, zero-width characters and punctuation may sit inside a run
 * (`s k - p r o j`), any case; 1: whitespace only (base64, case matters);
 * 2: whitespace only, any case (base32).
 */
const MODES: readonly [RegExp, boolean][] = [
  [/[\s\u00ad\u180e\u200b-\u200f\u2060\ufeff\-_.:,;|/\\'"`]/, true],
  [/\s/, false],
  [/\s/, true],
];

/**
 * One escape: `\uXXXX`, `\xHH`, `%HH`, `&#xHH;`, `&#NN;`, `=HH`
 * (quoted-printable: upper-case only, so `key=ab...` stays as it is),
 * `0xHH`, octal `\NNN`, and `\/` `\"` `\\`.
 */
const ESCAPE =
  /\\u([\da-fA-F]{4})|\\x([\da-fA-F]{2})|%([\da-fA-F]{2})|&#[xX]([\da-fA-F]{1,4});|&#(\d{1,5});|=([\dA-F]{2})|0x([\da-fA-F]{2})|\\([0-7]{1,3})|\\([/"\\])/y;
/** The radix of each escape group's digits (`0`: the character itself). */
const RADIX = [16, 16, 16, 16, 10, 16, 16, 8, 0];

/** Text as compared: each character with the range `[start, end)` of the original text it came from. */
interface View {
  text: string;
  start: number[];
  end: number[];
}

/**
 * Variants compared the same way (`mode`): each run of `gram` characters
 * of theirs (the shortest run any of them removes), and whose it is, with
 * the shortest run removed of that variant.
 */
interface VariantGroup {
  gram: number;
  mode: number;
  grams: Map<string, (readonly [secret: string, minRun: number])[]>;
}

/** ASCII-only lower case, so indices stay aligned with the original text. */
const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

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

function base32(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    for (bits += 8; bits >= 5; bits -= 5) out += 'abcdefghijklmnopqrstuvwxyz234567'[(value >> (bits - 5)) & 31];
  }
  return out;
}

/**
 * `bytes` encoded in groups of `group` bytes, `bitsPerChar` bits a
 * character, as they would appear inside a longer encoded value: for each
 * byte alignment, the characters that depend on these bytes only.
 */
function encodedRuns(
  bytes: Uint8Array,
  group: number,
  bitsPerChar: number,
  encode: (bytes: Uint8Array) => string,
): string[] {
  const runs: string[] = [];
  for (let pad = 0; pad < group; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    runs.push(encode(padded).slice(Math.ceil((pad * 8) / bitsPerChar), Math.floor((padded.length * 8) / bitsPerChar)));
  }
  return runs;
}

/** Base64url and standard base64 runs of `bytes`. */
const base64Runs = (bytes: Uint8Array): string[] =>
  encodedRuns(bytes, 3, 6, encodeBase64Url).flatMap((run) => [run, run.replace(/-/g, '+').replace(/_/g, '/')]);

let cached: { key: string; groups: VariantGroup[] } | undefined;

function variantGroups(key: string): VariantGroup[] {
  if (cached?.key === key) return cached.groups;
  const bytes = new TextEncoder().encode(key);
  let plain = '';
  for (const c of foldAscii(key)) if (!MODES[0]![0].test(c)) plain += c;
  // [encoded key, shortest run removed, mode]. Five characters of the key: ten hex digits (twenty
  // of UTF-16), seven base64 characters (fourteen of UTF-16), eight base32 characters.
  const variants: [string, number, number][] = [
    [plain, MIN_SECRET_RUN, 0],
    [[...plain].reverse().join(''), MIN_SECRET_RUN, 0],
    [hexOf(bytes), 10, 0],
    [hexOf(utf16(key, true)), 20, 0],
    [hexOf(utf16(key, false)), 20, 0],
    ...base64Runs(bytes).map((run): [string, number, number] => [run, 7, 1]),
    ...base64Runs(utf16(key, true)).map((run): [string, number, number] => [run, 14, 1]),
    // Base64 of the key's base64 (as a Basic credential encoded again makes it).
    ...base64Runs(bytes)
      .filter((_, i) => i % 2)
      .flatMap((inner) => base64Runs(new TextEncoder().encode(inner)))
      .map((run): [string, number, number] => [run, 10, 1]),
    ...encodedRuns(bytes, 5, 5, base32).map((run): [string, number, number] => [run, 8, 2]),
  ];
  const groups = MODES.map(
    (_, mode): VariantGroup => ({
      mode,
      gram: Math.min(...variants.filter((v) => v[2] === mode).map((v) => v[1])),
      grams: new Map(),
    }),
  );
  for (const [secret, minRun, mode] of variants) {
    const { gram, grams } = groups[mode]!;
    for (let i = 0; i + minRun <= secret.length; i++) {
      const run = secret.slice(i, i + gram);
      grams.set(run, [...(grams.get(run) ?? []), [secret, minRun]]);
    }
  }
  cached = { key, groups };
  return cached.groups;
}

/** One layer of escapes decoded, each character keeping the range it came from; `null` when there was none. */
function decodeLayer(view: View): View | null {
  const out: View = { text: '', start: [], end: [] };
  let changed = false;
  for (let i = 0, next = 0; i < view.text.length; i = next) {
    ESCAPE.lastIndex = i;
    const match = ESCAPE.exec(view.text);
    let char = view.text[i]!;
    next = i + (match?.[0].length ?? 1);
    if (match) {
      const group = match.findIndex((value, index) => index > 0 && value !== undefined);
      char = RADIX[group - 1] ? String.fromCharCode(parseInt(match[group]!, RADIX[group - 1])) : match[group]!;
    } else if (char >= '\uff01' && char <= '\uff5e') {
      // Full-width forms of ASCII.
      char = String.fromCharCode(char.charCodeAt(0) - 0xfee0);
    }
    changed ||= next > i + 1 || char !== view.text[i];
    out.text += char;
    out.start.push(view.start[i]!);
    out.end.push(view.end[next - 1]!);
  }
  return changed ? out : null;
}

const NONE: readonly (readonly [string, number])[] = [];

/** Ranges `[start, end)` of the original text holding runs of a variant of `group` in `view`, compared as `text` (`positions`: each character's index in the view). */
function runsIn(
  view: View,
  text: string,
  positions: number[],
  { gram, grams }: VariantGroup,
  ranges: [number, number][],
): void {
  for (let i = 0; i + gram <= text.length; ) {
    let end = i;
    for (const [secret, minRun] of grams.get(text.slice(i, i + gram)) ?? NONE) {
      let length = gram;
      while (i + length < text.length && secret.includes(text.slice(i, i + length + 1))) length++;
      if (length >= minRun) end = Math.max(end, i + length);
    }
    if (end === i) {
      i++;
      continue;
    }
    ranges.push([view.start[positions[i]!]!, view.end[positions[end - 1]!]!]);
    i = end;
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
  // A structured credential (sealed as JSON): each of its values is a secret of its own, its field names are not.
  const parts = credentialValues(key);
  if (parts !== null) return parts.reduce((out, part) => scrubOne(out, part), text);
  return scrubOne(text, key);
}

/** The last structured credential seen and its values: a client scrubs with the same one call after call. */
let lastCredential: { key: string; values: string[] } | null = null;

/** The string values of a JSON object key (a structured credential), longest first; `null` for any other key. */
function credentialValues(key: string): string[] | null {
  if (key.charCodeAt(0) !== 123 /* { */) return null;
  if (lastCredential?.key === key) return lastCredential.values;
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const values: string[] = [];
  const collect = (value: unknown, depth: number): void => {
    if (typeof value === 'string') values.push(value);
    else if (typeof value === 'object' && value !== null && depth < 6)
      for (const inner of Object.values(value)) collect(inner, depth + 1);
  };
  collect(parsed, 0);
  values.sort((a, b) => b.length - a.length);
  lastCredential = { key, values };
  return values;
}

function scrubOne(text: string, key: string): string {
  if (key.length === 0) return text;
  if (key.length < MIN_SECRET_RUN) return text.split(key).join(REDACTED);
  const ranges: [number, number][] = [];
  const indices = Array.from({ length: text.length }, (_, i) => i);
  // The text as it is, then with up to three layers of escapes decoded.
  let view: View | null = { text, start: indices, end: indices.map((i) => i + 1) };
  for (let layer = 0; view && layer < 4; layer++, view = decodeLayer(view)) {
    const compared = MODES.map(([skip, fold]) => {
      const positions: number[] = [];
      let out = '';
      for (let i = 0; i < view!.text.length; i++) {
        const c = view!.text[i]!;
        if (skip.test(c)) continue;
        out += fold ? foldAscii(c) : c;
        positions.push(i);
      }
      return [out, positions] as const;
    });
    for (const group of variantGroups(key)) runsIn(view, ...compared[group.mode]!, group, ranges);
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (end <= cursor) continue;
    out += start > cursor ? `${text.slice(cursor, start)}${REDACTED}` : out.endsWith(REDACTED) ? '' : REDACTED;
    cursor = end;
  }
  return out + text.slice(cursor);
}
