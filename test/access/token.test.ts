import { describe, expect, it } from 'vitest';
import {
  ACCESS_KEY_PREFIX,
  accessKeyHint,
  newAccessKeyToken,
  parseAccessKeyToken,
  randomBase62,
} from '../../src/access/token.js';
import { newId } from '../../src/ids.js';

describe('access key tokens', () => {
  it('carry the recognisable prefix, the record id and a 43-character base62 secret, and parse back', () => {
    const id = newId('ak');
    const { token, secret } = newAccessKeyToken(id);
    expect(token.startsWith(ACCESS_KEY_PREFIX)).toBe(true);
    expect(token).toMatch(/^byk_live_[0-9A-HJKMNP-TV-Z]{26}_[0-9A-Za-z]{49}$/);
    expect(token).toContain(`_${id.slice(3)}_`);
    expect(secret).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(parseAccessKeyToken(token)).toStrictEqual({ id, secret });
  });

  it('have at least 192 bits of entropy in the secret part (43 uniform base62 characters: ~256)', () => {
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(192);
    // Uniform: each of the 62 characters about 2,000 times in 124,000 (sd ~44). A plain `byte % 62`
    // would give the first 8 characters ~2,420 each and the rest ~1,940: outside these bounds.
    const counts = new Map<string, number>();
    for (const ch of Array.from({ length: 2000 }, () => randomBase62(62)).join(''))
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(1800);
      expect(n).toBeLessThan(2200);
    }
  });

  it('are fresh every time', () => {
    const id = newId('ak');
    expect(newAccessKeyToken(id).token).not.toBe(newAccessKeyToken(id).token);
  });

  it('refuse a changed character, a wrong prefix, a cut or padded token and other strings (checksum and shape)', () => {
    const { token } = newAccessKeyToken(newId('ak'));
    const flipped = (i: number) => token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
    for (const i of [9, 20, 36, 40, 60, token.length - 7, token.length - 1])
      expect(parseAccessKeyToken(flipped(i))).toBeNull();
    for (const bad of [
      token.replace('byk_live_', 'byk_test_'),
      token.slice(0, -1),
      `${token}x`,
      ` ${token}`,
      '',
      'byk_live_',
      'sk-proj-abc',
    ]) {
      expect(parseAccessKeyToken(bad)).toBeNull();
    }
  });

  it('hint as the prefix and the last four characters', () => {
    const { token } = newAccessKeyToken(newId('ak'));
    expect(accessKeyHint(token)).toBe(`byk_live_...${token.slice(-4)}`);
  });
});
