/**
 * Attack (on the operator's own mistakes): get the master key printed. A
 * `BYOKIT_MASTER_KEYS` entry written the wrong way round (`<key>:k1`), a
 * typo in the key, a truncated key or a key passed as an id made
 * `Keyring.parse` echo the key text in its error, which ends up in crash
 * logs and error trackers.
 *
 * What stops it: keyring messages name an entry by its position only,
 * never by its id (up to 32 characters of a base64url key are a valid KEK
 * id, so a truncated key in the id position would be echoed); every
 * failure is a typed KEYRING_INVALID.
 *
 * This attack involves no store, so unlike the others it runs once, not
 * once per adapter.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
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
        if (shown.includes(spelling.slice(i, i + 8)))
          expect.fail(`the error shows "${spelling.slice(i, i + 8)}" of a key: ${error.message}`);
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
    ['a truncated key written the wrong way round', `${b.slice(0, 32)}:k1`, [b]],
    ['a key without its id, with a stray colon inside', `${b.slice(0, 32)}:${b.slice(32)}`, [b]],
    ['the second entry: a key with a stray colon and no id', `k1:${url()},${b.slice(0, 30)}:${b.slice(30)}`, [b]],
  ];

  it.each(cases)('Keyring.parse: %s', (_case, text, keys) => {
    const error = failureOf(() => Keyring.parse(text));
    expect(error).toMatchObject({ name: 'KeyringError', code: 'KEYRING_INVALID' });
    expect(error.message).toMatch(/^\[byokit\] \[keyring\] /);
    expectNoKeyText(error, keys);
  });

  it.each(cases)('Keyring.fromEnv and createVault from it: %s', (_case, text, keys) => {
    const error = failureOf(() =>
      createVault({ store: new MemoryStore(), keyring: Keyring.fromEnv({ BYOKIT_MASTER_KEYS: text }) }),
    );
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
      [
        { id: 'k1', key: new Uint8Array(bytes) },
        { id: text.slice(0, 40), key: new Uint8Array(32) },
      ],
      [{ id: Buffer.from(bytes).toString('base64url').slice(0, 32), key: new Uint8Array(31) }],
      [
        { id: 'k1', key: new Uint8Array(bytes) },
        { id: Buffer.from(bytes).toString('base64url').slice(0, 32), key: new Uint8Array(bytes) },
      ],
      [null],
      `k1:${text}`,
    ]) {
      const error = failureOf(() => Keyring.fromKeys(entries as never));
      expect(error).toMatchObject({ name: 'KeyringError', code: 'KEYRING_INVALID' });
      expectNoKeyText(error, [text]);
    }
  });

  it('entries are named by position only, so the operator still finds the entry', () => {
    expect(failureOf(() => Keyring.parse(`k1:${url()},k2:${url().slice(0, 12)}`)).message).toMatch(
      /entry 2: the key must be 32 bytes, got 9$/,
    );
    expect(failureOf(() => Keyring.parse(`${url()}:k1`)).message).toContain('entry 1: the key id must be');
    expect(failureOf(() => Keyring.parse(`k1:${url()},k1:${url()}`)).message).toMatch(
      /entry 2: the key id is listed twice \(also entry 1\)$/,
    );
  });
});

/** Key text (base64url or standard, maybe truncated) misplaced in an entry of BYOKIT_MASTER_KEYS or of fromKeys. */
const misplaced = fc
  .record({
    bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    standard: fc.boolean(),
    cut: fc.tuple(fc.nat(44), fc.nat(44)),
    split: fc.nat(44),
    form: fc.nat(8),
    other: fc.constantFrom('none', 'before', 'after'),
  })
  .map(({ bytes, standard, cut, split, form, other }) => {
    const key = Buffer.from(bytes).toString(standard ? 'base64' : 'base64url');
    const [from, to] = cut[0] <= cut[1] ? cut : [cut[1], cut[0]];
    const piece = key.slice(from, Math.max(to, from + 1));
    const [head, tail] = [key.slice(0, split), key.slice(split)];
    const entry = [
      `${piece}:k1`,
      `k1:${piece}`,
      piece,
      `${head}:${tail}`,
      `k1:${head}:${tail}`,
      `k1:${head},${tail}`,
      `${piece}:${piece}`,
      `${piece}:${url()}`,
      `k1:${key},k2:${key}`,
    ][form]!;
    const valid = `k9:${url()}`;
    const text = other === 'before' ? `${valid},${entry}` : other === 'after' ? `${entry},${valid}` : entry;
    return { key, piece, text };
  });

/**
 * Every piece of the keyring's own wording: a 5-character run of a random
 * key that happens to spell one ("entry", "bytes") is not an echo. Such
 * keys are skipped, so the property can't fail by chance.
 */
const OWN_WORDS =
  readFileSync(new URL('../../src/crypto/keyring.ts', import.meta.url), 'utf8') +
  readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8');

function runsShown(shown: string, key: string): string[] {
  const runs: string[] = [];
  for (const spelling of new Set([
    key,
    key.replace(/\+/g, '-').replace(/\//g, '_'),
    key.replace(/-/g, '+').replace(/_/g, '/'),
  ])) {
    for (let i = 0; i + 5 <= spelling.length; i++) {
      const run = spelling.slice(i, i + 5);
      if (shown.includes(run)) runs.push(run);
    }
  }
  return runs;
}

const ownWord = (key: string) => runsShown(OWN_WORDS, key).length > 0;

describe('keyring errors: no 5-character run of a misplaced key, whatever the mistake (property)', () => {
  it('Keyring.parse', () => {
    fc.assert(
      fc.property(misplaced, ({ key, text }) => {
        fc.pre(!ownWord(key));
        let shown = '';
        try {
          Keyring.parse(text);
          return;
        } catch (error) {
          expect(error).toMatchObject({ code: 'KEYRING_INVALID' });
          // The stack is the message plus file paths: the message and any cause are what can echo.
          shown = `${(error as Error).name} ${(error as Error).message} ${String((error as Error).cause ?? '')}`;
        }
        expect(runsShown(shown, key), shown).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('Keyring.fromKeys, with key text as an id or as the key', () => {
    fc.assert(
      fc.property(misplaced, fc.nat(40), fc.boolean(), ({ key, piece }, length, first) => {
        fc.pre(!ownWord(key));
        const suspect = [
          { id: piece, key: new Uint8Array(length) },
          { id: piece.slice(0, 32), key: new Uint8Array(32).fill(7) },
          { id: 'k1', key: piece },
        ];
        for (const entry of suspect) {
          const valid = { id: 'k9', key: new Uint8Array(32).fill(9) };
          let shown = '';
          try {
            Keyring.fromKeys((first ? [entry, valid] : [valid, entry, entry]) as never);
            continue;
          } catch (error) {
            expect(error).toMatchObject({ code: 'KEYRING_INVALID' });
            shown = `${(error as Error).name} ${(error as Error).message}`;
          }
          expect(runsShown(shown, key), shown).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });
});
