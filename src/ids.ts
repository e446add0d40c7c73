/**
 * Time-ordered ids: a prefix, 10 characters of millisecond time and 16 of
 * randomness in Crockford base32 (ULID layout). Within one process ids are
 * strictly increasing even inside one millisecond, so "most recently
 * created" is well defined by id order, and adapters can page by id.
 *
 * @module
 */
import { randomBytes } from './crypto/bytes.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return Array.from(randomBytes(RANDOM_CHARS), (b) => b & 31);
}

/** Increments a base32 digit array; wraps to a fresh value only on overflow (2^80 ids in one ms). */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom();
}

/**
 * A new time-ordered id such as `cfg_01JD3Q...`.
 *
 * @param prefix - short lower-case kind tag (`cfg`, `evt`).
 * @param now - milliseconds since the epoch.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
    now = lastTime;
  } else {
    lastTime = now;
    lastRandom = freshRandom();
  }
  return `${prefix}_${encodeTime(now)}${lastRandom.map((d) => ALPHABET[d]).join('')}`;
}
