import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { Secret, keyHint } from '../src/secret.js';

describe('keyHint', () => {
  it('shows the longest public prefix the key starts with and the last four characters', () => {
    expect(keyHint('sk-proj-abcdefghijklmnop7xQ2', ['sk-', 'sk-proj-'])).toBe('sk-proj-...7xQ2');
    expect(keyHint('sk-proj-abcdefghijklmnop7xQ2', ['sk-proj-', 'sk-'])).toBe('sk-proj-...7xQ2');
    expect(keyHint('sk-abcdefghijklmnop7xQ2', ['sk-proj-', 'sk-'])).toBe('sk-...7xQ2');
    expect(keyHint('abcdefghijklmnop7xQ2')).toBe('...7xQ2');
  });

  it('shows a prefix only when more than eight characters follow it', () => {
    expect(keyHint('sk-12345678', ['sk-'])).toBe('...****');
    expect(keyHint('sk-123456789', ['sk-'])).toBe('sk-...****');
    expect(keyHint('sk-1234567890123', ['sk-'])).toBe('sk-...0123');
  });

  it('shows the last four characters from 16 characters on, never for shorter keys', () => {
    expect(keyHint('123456789012345')).toBe('...****');
    expect(keyHint('1234567890123456')).toBe('...3456');
  });
});

describe('Secret', () => {
  const key = 'sk-live-1234567890abcdef';

  it('reveals the key only through reveal()', () => {
    const secret = new Secret(key, 'sk-...cdef');
    expect(secret.reveal()).toBe(key);
    expect(secret.hint).toBe('sk-...cdef');
  });

  it('prints, serialises, coerces and inspects as its hint', () => {
    const secret = new Secret(key, 'sk-...cdef');
    expect(String(secret)).toBe('sk-...cdef');
    expect(secret.toString()).toBe('sk-...cdef');
    expect(`${secret}`).toBe('sk-...cdef');
    expect(`x${secret}` === 'xsk-...cdef' && `${secret}` === 'sk-...cdef').toBe(true);
    expect(JSON.stringify({ secret })).toBe('{"secret":"sk-...cdef"}');
    expect(inspect(secret)).toBe('Secret(sk-...cdef)');
    expect(inspect({ secret }, { depth: 5, showHidden: true })).not.toContain('1234567890');
  });

  it('makes its own hint when given none', () => {
    expect(new Secret(key).hint).toBe('...cdef');
    expect(new Secret('short').hint).toBe('...****');
  });

  it('cannot be changed', () => {
    const secret = new Secret(key, 'sk-...cdef');
    expect(Object.isFrozen(secret)).toBe(true);
    expect(() => {
      (secret as { hint: string }).hint = key;
    }).toThrow(TypeError);
  });

  it('refuses an empty secret and any value that is not a string', () => {
    for (const value of ['', 42, null, undefined, { toString: () => key }]) {
      let error: unknown;
      try {
        new Secret(value as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: '[byokit] [secret] a secret must be a non-empty string',
        issues: [{ path: 'value', message: 'must be a non-empty string' }],
      });
    }
  });

  it('refuses a hint that is not a string, and takes an empty one as given', () => {
    expect(() => new Secret(key, 42 as never)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: '[byokit] [secret] a hint must be a string',
        issues: [{ path: 'hint', message: 'must be a string' }],
      }),
    );
    expect(() => new Secret(key, null as never)).toThrow(/a hint must be a string/);
    expect(new Secret(key, '').hint).toBe('');
  });
});
