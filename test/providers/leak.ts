/**
 * Canary keys and the check that none of their secret part shows up anywhere
 * a host could log: message, stack, cause chain, JSON, util.inspect.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'vitest';

/** A key with a public `prefix` and a random secret part that starts with `CANARY`. */
export function canaryKey(prefix = '', length = 40): string {
  const secret = `CANARY${randomBytes(32).toString('hex')}`;
  return `${prefix}${secret}`.slice(0, Math.max(length, prefix.length + 20));
}

/** Every text a host might log about `value`. */
export function loggableTexts(value: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = value;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { message, stack, name } = current as { message?: unknown; stack?: unknown; name?: unknown };
    for (const text of [message, stack, name]) if (typeof text === 'string') texts.push(text);
    current = (current as { cause?: unknown }).cause;
  }
  texts.push(JSON.stringify(value) ?? '');
  texts.push(inspect(value, { depth: Infinity, showHidden: true }));
  texts.push(String(value));
  return texts;
}

/**
 * Asserts that no run of 6 characters of the key's secret part (everything
 * from `CANARY` on) appears in any loggable text of `value`.
 */
export function expectNoKeyLeak(value: unknown, key: string): void {
  const start = key.indexOf('CANARY');
  const secret = start >= 0 ? key.slice(start) : key;
  for (const text of loggableTexts(value)) {
    expect(text).not.toContain(key);
    for (let i = 0; i + 6 <= secret.length; i++) {
      const run = secret.slice(i, i + 6);
      if (text.includes(run)) {
        throw new Error(`key material "${run}" leaked into: ${text.slice(0, 400)}`);
      }
    }
  }
}
