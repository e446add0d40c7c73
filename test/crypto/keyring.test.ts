import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/base64url.js';
import { Keyring, keyringEntry } from '../../src/crypto/keyring.js';
import { KeyringError } from '../../src/errors.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

describe('Keyring.parse / fromEnv', () => {
  it('reads id:base64 entries, first is primary, any opens', () => {
    const keyring = Keyring.parse(`k2:${key(2)}, k1:${key(1)}`);
    expect(keyring.primaryKekId).toBe('k2');
    expect(keyring.kekIds).toEqual(['k2', 'k1']);
    expect(keyring.hasKek('k1')).toBe(true);
    expect(keyring.hasKek('k3')).toBe(false);
  });

  it('accepts base64url and unpadded keys', () => {
    const url = Buffer.alloc(32, 0xfb).toString('base64url');
    expect(Keyring.parse(`a:${url}`).primaryKekId).toBe('a');
  });

  it('reads BYOKIT_MASTER_KEYS from the given environment', () => {
    expect(Keyring.fromEnv({ BYOKIT_MASTER_KEYS: `main:${key(9)}` }).primaryKekId).toBe('main');
  });

  it.each([
    ['unset', undefined, /not set/],
    ['empty', '', /empty/],
    ['no colon', key(1), /entry 1 is not/],
    ['bad base64', 'k1:not*base64', /not valid base64/],
    ['short key', `k1:${Buffer.alloc(16, 1).toString('base64')}`, /must be 32 bytes, got 16/],
    ['duplicate id', `k1:${key(1)},k1:${key(2)}`, /entry 2: the key id is listed twice \(also entry 1\)/],
    ['the same key twice', `k1:${key(1)},k2:${key(1)}`, /entry 2: the same key as entry 1/],
    ['bad id', `k 1:${key(1)}`, /key id must be/],
  ])('rejects %s with a clear KEYRING_INVALID error that echoes no key', (_, value, message) => {
    const secretText = key(1);
    let error: unknown;
    try {
      Keyring.fromEnv(value === undefined ? {} : { BYOKIT_MASTER_KEYS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('KEYRING_INVALID');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(secretText.slice(0, 12));
  });

  it('generates entries that parse back', () => {
    const entry = Keyring.generateEntry('k7');
    expect(entry).toMatch(/^k7:[A-Za-z0-9_-]{43}$/);
    expect(Keyring.parse(entry).primaryKekId).toBe('k7');
  });

  it('never shows key bytes when printed or serialised', () => {
    const raw = Buffer.alloc(32, 0x41);
    const keyring = Keyring.fromKeys([{ id: 'k1', key: raw }]);
    const shown = `${inspect(keyring, { showHidden: true, depth: 5 })} ${JSON.stringify(keyring)} ${String(keyring)}`;
    expect(shown).not.toContain('AAAA');
    expect(shown).not.toContain('65, 65');
    expect(inspect(keyring)).toBe('Keyring(primary=k1, ids=[k1])');
  });

  it('copies the key bytes it is given', async () => {
    const raw = new Uint8Array(32).fill(7);
    const keyring = Keyring.fromKeys([{ id: 'k1', key: raw }]);
    const wrapped = await keyring.wrapDek({ kekId: 'k1', dek: new Uint8Array(32), aad: new Uint8Array() });
    raw.fill(0);
    expect(await keyring.unwrapDek({ kekId: 'k1', wrapped, aad: new Uint8Array() })).toEqual(new Uint8Array(32));
  });
});

describe('base64url', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = encodeBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(decodeBase64Url(text)).toEqual(bytes);
    }
  });

  it('rejects non-canonical text', () => {
    expect(decodeBase64Url('QR')).toBeNull(); // unused bits set: 'QQ' is the canonical spelling
    expect(decodeBase64Url('QQ')).toEqual(Uint8Array.of(0x41));
    expect(decodeBase64Url('Q')).toBeNull();
    expect(decodeBase64Url('QQ==')).toBeNull();
    expect(decodeBase64Url('Q+')).toBeNull();
  });

  it('refuses lengths of 1 mod 4: no fifth character can complete a byte', () => {
    for (const text of ['A', 'AAAAA', 'QUJDA', 'QUJDREVGR']) {
      expect(decodeBase64Url(text)).toBeNull();
    }
    expect(decodeBase64Url('QUJDREVG')).toEqual(new TextEncoder().encode('ABCDEF'));
  });

  it('refuses any character past ASCII, also one whose low byte is a letter of the alphabet', () => {
    for (const char of ['\u0080', '\u0141', 'é', '€', '🔑']) {
      expect(decodeBase64Url(`AA${char}A`)).toBeNull();
      expect(decodeBase64Url(`${char}AAA`)).toBeNull();
    }
  });
});

describe('master key text', () => {
  // 0xfb bytes spell "+/v7" in standard base64 and "-_v7" in base64url.
  const bytes = Buffer.alloc(32, 0xfb);

  it('standard base64 with + and / names the same key as its base64url spelling', async () => {
    const standard = bytes.toString('base64');
    expect(standard).toMatch(/\+/);
    expect(standard).toMatch(/\//);
    const fromStandard = Keyring.parse(`k1:${standard}`);
    const fromUrl = Keyring.parse(`k1:${bytes.toString('base64url')}`);
    const wrapped = await fromStandard.wrapDek({ kekId: 'k1', dek: new Uint8Array(32).fill(3), aad: new Uint8Array() });
    expect(await fromUrl.unwrapDek({ kekId: 'k1', wrapped, aad: new Uint8Array() })).toEqual(
      new Uint8Array(32).fill(3),
    );
  });

  it('allows spaces around the id and the key, and padding only at the end', () => {
    expect(Keyring.parse(` k1: ${bytes.toString('base64')} `).primaryKekId).toBe('k1');
    const unpadded = bytes.toString('base64url');
    expect(() => Keyring.parse(`k1:${unpadded.slice(0, 10)}=${unpadded.slice(10)}`)).toThrow(
      /entry 1: the key is not valid base64/,
    );
  });

  it.each([
    ['whitespace only', '   ', /^\[byokit\] \[keyring\] BYOKIT_MASTER_KEYS is empty/],
    [
      'an entry with no id before the colon',
      `:${bytes.toString('base64')}`,
      /^\[byokit\] \[keyring\] entry 1 is not "id:base64key"$/,
    ],
    [
      'the id listed twice further down',
      `k1:${key(1)},k2:${key(2)},k2:${key(3)}`,
      /entry 3: the key id is listed twice \(also entry 2\)/,
    ],
    ['a key repeated further down', `k1:${key(1)},k2:${key(2)},k3:${key(2)}`, /entry 3: the same key as entry 2/],
  ])('refuses %s with a message that names it', (_, text, message) => {
    expect(() => Keyring.parse(text)).toThrow(message);
  });

  it('refuses text that is not a string with a typed error', () => {
    for (const value of [42, null, undefined, ['k1:x']]) {
      expect(() => Keyring.parse(value as never)).toThrow(KeyringError);
    }
  });
});

describe('Keyring.fromKeys', () => {
  const good = { id: 'k1', key: new Uint8Array(32).fill(1) };

  it.each([
    ['not an array', 'k1', /a keyring needs an array of \{ id, key \} entries/],
    ['an object', { 0: good, length: 1 }, /a keyring needs an array/],
    ['no entries', [], /a keyring needs at least one key/],
    ['a numeric id', [{ id: 1, key: good.key }], /entry 1: the key id must be 1-32 characters/],
    [
      'a key that is an array of numbers',
      [{ id: 'k1', key: Array.from(good.key) }],
      /entry 1: the key must be a Uint8Array/,
    ],
    // biome-ignore lint/suspicious/noSparseArray: the hole is what this case tests.
    ['a hole', [good, , { id: 'k3', key: new Uint8Array(32).fill(3) }], /entry 2: the key id must be/],
  ])('refuses %s', (_, entries, message) => {
    expect(() => Keyring.fromKeys(entries as never)).toThrow(message);
    expect(() => Keyring.fromKeys(entries as never)).toThrow(KeyringError);
  });
});

describe('Keyring.fromEnv', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the process environment when no env, undefined or null is given', () => {
    vi.stubEnv('BYOKIT_MASTER_KEYS', `penv:${key(4)}`);
    expect(Keyring.fromEnv().primaryKekId).toBe('penv');
    expect(Keyring.fromEnv(undefined).primaryKekId).toBe('penv');
    expect(Keyring.fromEnv(null as never).primaryKekId).toBe('penv');
  });

  it('reads another variable when named', () => {
    expect(Keyring.fromEnv({ OTHER_KEYS: `o1:${key(5)}` }, 'OTHER_KEYS').primaryKekId).toBe('o1');
    expect(() => Keyring.fromEnv({ BYOKIT_MASTER_KEYS: `k1:${key(5)}` }, 'OTHER_KEYS')).toThrow(
      /OTHER_KEYS is not set/,
    );
  });

  it('refuses an empty or non-string variable name and an env that is not an object', () => {
    for (const variable of ['', 42]) {
      expect(() => Keyring.fromEnv({ '': `k1:${key(5)}` }, variable as never)).toThrow(
        /^\[byokit\] \[keyring\] the variable name must be a non-empty string$/,
      );
    }
    expect(() => Keyring.fromEnv(`k1:${key(5)}` as never)).toThrow(
      /^\[byokit\] \[keyring\] env must be an object of environment variables$/,
    );
  });

  it('reads no inherited property as a variable', () => {
    const env = Object.create({ BYOKIT_MASTER_KEYS: `k1:${key(6)}` }) as Record<string, string>;
    expect(() => Keyring.fromEnv(env)).toThrow(/not set/);
  });

  it('on a runtime without process, finds the variable unset', () => {
    const saved = globalThis.process;
    let error: unknown;
    try {
      (globalThis as { process?: unknown }).process = undefined;
      Keyring.fromEnv();
    } catch (e) {
      error = e;
    } finally {
      globalThis.process = saved;
    }
    expect((error as Error).message).toMatch(/BYOKIT_MASTER_KEYS is not set/);
  });
});

describe('Keyring.generate and generateEntry', () => {
  it('name the first key k1 unless told', () => {
    expect(Keyring.generate().primaryKekId).toBe('k1');
    expect(Keyring.generateEntry()).toMatch(/^k1:[A-Za-z0-9_-]{43}$/);
    expect(Keyring.generate('main').kekIds).toEqual(['main']);
  });

  it.each([['with a space'], [''], [42], ['x'.repeat(33)]])('refuse the id %j', (id) => {
    expect(() => Keyring.generate(id as never)).toThrow(/^\[byokit\] \[keyring\] the key id must be 1-32 characters/);
    expect(() => Keyring.generateEntry(id as never)).toThrow(
      /^\[byokit\] \[keyring\] the key id must be 1-32 characters/,
    );
  });
});

describe('wrapDek and unwrapDek', () => {
  const keyring = Keyring.fromKeys([
    { id: 'k1', key: new Uint8Array(32).fill(1) },
    { id: 'k2', key: new Uint8Array(32).fill(2) },
  ]);
  const dek = new Uint8Array(32).fill(9);
  const aad = Uint8Array.of(1, 2, 3);

  it.each([
    ['no argument', undefined],
    ['null', null],
    ['a numeric kekId', { kekId: 1, dek, wrapped: dek, aad }],
    ['bytes as an array', { kekId: 'k1', dek: Array.from(dek), wrapped: Array.from(dek), aad }],
    ['aad as a string', { kekId: 'k1', dek, wrapped: dek, aad: 'aad' }],
  ])('refuse %s with a typed error that names the method and its arguments', async (_, args) => {
    await expect(keyring.wrapDek(args as never)).rejects.toThrow(
      /^\[byokit\] \[keyring\] wrapDek takes \{ kekId: string, dek: Uint8Array, aad: Uint8Array \}$/,
    );
    await expect(keyring.unwrapDek(args as never)).rejects.toThrow(
      /^\[byokit\] \[keyring\] unwrapDek takes \{ kekId: string, wrapped: Uint8Array, aad: Uint8Array \}$/,
    );
    await expect(keyring.unwrapDek(args as never)).rejects.toMatchObject({ code: 'KEYRING_INVALID' });
  });

  it('name an unknown KEK id', async () => {
    await expect(keyring.wrapDek({ kekId: 'k9', dek, aad })).rejects.toThrow(
      /^\[byokit\] \[keyring\] no key with id "k9" in this keyring$/,
    );
    await expect(keyring.unwrapDek({ kekId: 'k9', wrapped: dek, aad })).rejects.toMatchObject({ code: 'KEK_UNKNOWN' });
  });

  it('wrap under the KEK named, not the primary, as nonce ‖ ciphertext ‖ tag', async () => {
    const wrapped = await keyring.wrapDek({ kekId: 'k2', dek, aad });
    expect(wrapped).toHaveLength(12 + 32 + 16);
    expect(await keyring.unwrapDek({ kekId: 'k2', wrapped, aad })).toEqual(dek);
    await expect(keyring.unwrapDek({ kekId: 'k1', wrapped, aad })).rejects.toThrow();
    await expect(keyring.unwrapDek({ kekId: 'k2', wrapped, aad: Uint8Array.of(1, 2) })).rejects.toThrow();
  });

  it('refuse a wrapped key shorter than a nonce and a tag before decrypting', async () => {
    for (const length of [0, 12, 27]) {
      await expect(keyring.unwrapDek({ kekId: 'k1', wrapped: new Uint8Array(length), aad })).rejects.toThrow(
        new RangeError('[byokit] [keyring] wrapped key too short'),
      );
    }
    // 28 bytes is an empty ciphertext: it reaches the cipher, whose tag check refuses it.
    await expect(keyring.unwrapDek({ kekId: 'k1', wrapped: new Uint8Array(28), aad })).rejects.not.toThrow(/too short/);
  });
});

describe('what a keyring shows', () => {
  const keyring = Keyring.fromKeys([
    { id: 'k2', key: new Uint8Array(32).fill(2) },
    { id: 'k1', key: new Uint8Array(32).fill(1) },
  ]);

  it('serialises to its ids, primary first', () => {
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({ primaryKekId: 'k2', kekIds: ['k2', 'k1'] });
    expect(inspect(keyring)).toBe('Keyring(primary=k2, ids=[k2, k1])');
  });

  it('hands its entry bytes to byokit itself, and nothing for anything else', () => {
    expect(keyringEntry(keyring, 'k1')).toEqual(new Uint8Array(32).fill(1));
    expect(keyringEntry(keyring, 'k3')).toBeUndefined();
    expect(keyringEntry({ kekIds: ['k1'] } as never, 'k1')).toBeUndefined();
  });
});
