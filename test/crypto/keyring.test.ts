import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/base64url.js';
import { Keyring } from '../../src/crypto/keyring.js';
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
});
