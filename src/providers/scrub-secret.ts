/**
 * Removing a key from text in every encoding a provider, proxy or SDK might
 * echo it back in: raw, upper- or lower-cased, spaced out or split by
 * punctuation, URL-encoded (once or twice), hex, and base64 / base64url at
 * any byte alignment. Runs of the key are removed, not only the whole key,
 * so a recognisable piece does not survive either.
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

function toStandardBase64(base64url: string): string {
  return base64url.replace(/-/g, '+').replace(/_/g, '/');
}

/**
 * Base64 of the key's bytes as they would appear inside a longer encoded
 * value: for each of the three byte alignments, the characters that depend
 * on key bytes only (the mixed first and last characters are dropped).
 */
function base64Runs(bytes: Uint8Array): string[] {
  const runs: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    const encoded = encodeBase64Url(padded).replace(/=+$/, '');
    const head = pad === 0 ? 0 : pad + 1;
    const tail = padded.length % 3 === 0 ? encoded.length : encoded.length - 1;
    if (tail - head >= 1) runs.push(encoded.slice(head, tail));
  }
  return runs;
}

function variantsOf(key: string): Variant[] {
  const bytes = new TextEncoder().encode(key);
  const spaced = { fold: true, skip: SEPARATORS };
  const variants: Variant[] = [{ secret: strip(foldAscii(key), SEPARATORS), minRun: MIN_SECRET_RUN, ...spaced }];
  const urlEncoded = encodeURIComponent(key);
  if (urlEncoded !== key) {
    for (const encoded of [urlEncoded, encodeURIComponent(urlEncoded)]) {
      variants.push({ secret: strip(foldAscii(encoded), WHITESPACE), minRun: MIN_SECRET_RUN, fold: true, skip: WHITESPACE });
    }
  }
  variants.push({ secret: hexOf(bytes), minRun: 2 * MIN_SECRET_RUN, ...spaced });
  for (const run of base64Runs(bytes)) {
    // Seven base64 characters carry just over five bytes of the key.
    variants.push({ secret: run, minRun: 7, fold: false, skip: WHITESPACE });
    variants.push({ secret: toStandardBase64(run), minRun: 7, fold: false, skip: WHITESPACE });
  }
  return variants.filter((variant) => variant.secret.length >= variant.minRun);
}

/** Ranges `[start, end)` of `text` holding runs of `variant`. */
function runsIn(text: string, variant: Variant, ranges: [number, number][]): void {
  const { secret, minRun, fold, skip } = variant;
  // The text as compared (folded, skipped characters dropped), with each character's original index.
  const positions: number[] = [];
  let compared = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (skip.test(c)) continue;
    compared += fold ? foldAscii(c) : c;
    positions.push(i);
  }
  const grams = new Set<string>();
  for (let i = 0; i + minRun <= secret.length; i++) grams.add(secret.slice(i, i + minRun));
  let i = 0;
  while (i + minRun <= compared.length) {
    if (!grams.has(compared.slice(i, i + minRun))) {
      i++;
      continue;
    }
    let end = i + minRun;
    while (end < compared.length && secret.includes(compared.slice(i, end + 1))) end++;
    ranges.push([positions[i]!, positions[end - 1]! + 1]);
    i = end;
  }
}

/**
 * `text` with `key` removed, along with every run of more than four
 * consecutive characters of the key in any encoding this module knows
 * (raw, any letter case, spaced or split by punctuation, URL-encoded, hex,
 * base64 / base64url). Hint-sized pieces (four characters) are kept on
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
  for (const variant of variantsOf(key)) runsIn(text, variant, ranges);
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
