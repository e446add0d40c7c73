import { ValidationError } from './errors.js';
import { byokitMessage } from './message.js';

/**
 * A provider key that cannot leak by accident: it prints, serialises and
 * inspects as its hint; only {@link Secret.reveal} gives the raw key.
 *
 * @module
 */

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Shortest key for which a hint may show the last four characters. */
const MIN_LENGTH_FOR_TAIL = 16;

/**
 * The public hint of a key: its public provider prefix (the longest of
 * `prefixes` the key starts with) and its last four characters, e.g.
 * `sk-...7xQ2`. Keys shorter than 16 characters show no tail, since four
 * characters would be too large a share of the key.
 *
 * @example
 * ```ts
 * keyHint('sk-proj-abcdefghijklmnop7xQ2', ['sk-proj-', 'sk-']) // 'sk-proj-...7xQ2'
 * ```
 */
export function keyHint(key: string, prefixes: readonly string[] = []): string {
  let prefix = '';
  for (const candidate of prefixes) {
    if (candidate.length > prefix.length && key.startsWith(candidate) && key.length > candidate.length + 8) {
      prefix = candidate;
    }
  }
  const tail = key.length >= MIN_LENGTH_FOR_TAIL ? key.slice(-4) : '****';
  return `${prefix}...${tail}`;
}

/**
 * A wrapped provider key. `String(secret)`, `` `${secret}` ``,
 * `JSON.stringify(secret)` and `util.inspect(secret)` all show the hint.
 *
 * @example
 * ```ts
 * const s = new Secret('sk-live-1234567890abcdef', 'sk-...cdef');
 * `${s}`;                // 'sk-...cdef' (as do String, JSON.stringify, util.inspect)
 * s.reveal();            // the key, for the SDK call only
 * ```
 */
export class Secret {
  readonly #value: string;
  /** The public hint, safe to show and log. */
  readonly hint: string;

  constructor(value: string, hint?: string) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new ValidationError(byokitMessage('secret', 'a secret must be a non-empty string'), [
        { path: 'value', message: 'must be a non-empty string' },
      ]);
    }
    if (hint !== undefined && typeof hint !== 'string') {
      throw new ValidationError(byokitMessage('secret', 'a hint must be a string'), [
        { path: 'hint', message: 'must be a string' },
      ]);
    }
    this.#value = value;
    this.hint = hint ?? keyHint(value);
    Object.freeze(this);
  }

  /** The raw key. Call it only where the key leaves for its provider. */
  reveal(): string {
    return this.#value;
  }

  /** The hint: a `Secret` in a template string or a log line shows only that. */
  toString(): string {
    return this.hint;
  }

  /** The hint: `JSON.stringify` never writes the key. */
  toJSON(): string {
    return this.hint;
  }

  /** The hint, for `+` and other coercions. */
  [Symbol.toPrimitive](): string {
    return this.hint;
  }

  /** `Secret(sk-...7xQ2)` in `console.log` and `util.inspect`. */
  [inspectSymbol](): string {
    return `Secret(${this.hint})`;
  }
}
