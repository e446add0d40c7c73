/**
 * Attack (on the operator's own mistakes): get the master key printed. A
 * `BYOKIT_MASTER_KEYS` entry written the wrong way round (`<key>:k1`), a
 * typo in the key, a truncated key or a key passed as an id made
 * `Keyring.parse` echo the key text in its error, which ends up in crash
 * logs and error trackers.
 *
 * What stops it: keyring messages name an entry by its position, and by
 * its id only when that is a valid KEK id (1-32 characters of
 * `A-Z a-z 0-9 _ -`, which a 32-byte key in base64 never is); every failure
 * is a typed KEYRING_INVALID.
 *
 * This attack involves no store, so unlike the others it runs once, not
 * once per adapter.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, createVault, MemoryStore } from '../../src/index.js';
import { renderEverywhere } from '../vault/helpers.js';

const standard = () => randomBytes(32).toString('base64'); // with + / and = padding, as most tools print it
const url = () => randomBytes(32).toString('base64url');

function failureOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  return expect.fail('expected the keyring to refuse this input');
}

/** Fails if any 8-character piece of `keyText` (or of its base64url spelling) shows in the error, anywhere. */
function expectNoKeyText(error: Error, keyTexts: string[]): void {
  const shown = renderEverywhere(error);
  for (const text of keyTexts) {
    for (const spelling of [text, text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')]) {
      for (let i = 0; i + 8 <= spelling.length; i++) {
        if (shown.includes(spelling.slice(i, i + 8))) expect.fail(`the error shows "${spelling.slice(i, i + 8)}" of a key: ${error.message}`);
      }
    }
  }
}

describe('keyring errors never show key text', () => {
  const a = standard();
  const b = url();
  const cases: Array<[string, string, string[]]> = [
    ['an entry written the wrong way round', `${a}:k1`, [a]],
    ['an entry written the wrong way round, base64url', `${b}:k1`, [b]],
    ['the second entry written the wrong way round', `k1:${a},${b}:k2`, [a, b]],
    ['a key without its id', a, [a]],
    ['a key with a typo', `k1:${a.slice(0, 20)}!${a.slice(21)}`, [a]],
    ['a truncated key', `k1:${a.slice(0, 30)}`, [a]],
    ['a key with a stray colon inside', `k1:${b.slice(0, 20)}:${b.slice(20)}`, [b]],
    ['a key split by a comma', `k1:${b.slice(0, 20)},${b.slice(20)}`, [b]],
    ['the same key under two ids', `k1:${a},k2:${a}`, [a]],
  ];

  it.each(cases)('Keyring.parse: %s', (_case, text, keys) => {
    const error = failureOf(() => Keyring.parse(text));
    expect(error).toMatchObject({ name: 'KeyringError', code: 'KEYRING_INVALID' });
    expect(error.message).toMatch(/^\[byokit\] \[keyring\] /);
    expectNoKeyText(error, keys);
  });

  it.each(cases)('Keyring.fromEnv and createVault from it: %s', (_case, text, keys) => {
    const error = failureOf(() => createVault({ store: new MemoryStore(), keyring: Keyring.fromEnv({ BYOKIT_MASTER_KEYS: text }) }));
    expect(error).toMatchObject({ code: 'KEYRING_INVALID' });
    expectNoKeyText(error, keys);
  });

  it('Keyring.fromKeys: a key text passed as an id, a key of the wrong type or length', () => {
    const text = standard();
    const bytes = Buffer.from(text, 'base64');
    for (const entries of [
      [{ id: text, key: new Uint8Array(bytes) }],
      [{ id: 'k1', key: text }],
      [{ id: 'k1', key: new Uint8Array(bytes.subarray(0, 31)) }],
      [{ id: 'k1', key: new Uint8Array(bytes) }, { id: text.slice(0, 40), key: new Uint8Array(32) }],
      [null],
      'k1:' + text,
    ]) {
      const error = failureOf(() => Keyring.fromKeys(entries as never));
      expect(error).toMatchObject({ name: 'KeyringError', code: 'KEYRING_INVALID' });
      expectNoKeyText(error, [text]);
    }
  });

  it('a valid id is still named, with the position, so the operator finds the entry', () => {
    const error = failureOf(() => Keyring.parse(`k1:${url()},k2:${url().slice(0, 10)}`));
    expect(error.message).toContain('entry 2 ("k2")');
    expect(failureOf(() => Keyring.parse(`${url()}:k1`)).message).toContain('entry 1: the key id must be');
  });
});
