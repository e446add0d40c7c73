import { describe, expect, it } from 'vitest';
import { hashAccessKeySecret, verifyAccessKeySecret, type AccessKeyGrants } from '../../src/access/hash.js';
import { randomBase62 } from '../../src/access/token.js';
import { Keyring } from '../../src/index.js';
import type { AccessKeyRecord } from '../../src/store/access-key-storage.js';

const grants: AccessKeyGrants = {
  id: 'ak_01JD3Q0000000000000000000A',
  tenantId: 'acme',
  scope: 'ws1',
  providers: ['openai'],
  models: ['gpt-4o-mini'],
  quota: { requests: { limit: 10, per: 'minute' } },
};

function recordFor(keyring: Keyring, secret: string, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    ...grants,
    name: 'app',
    hint: 'byk_live_...abcd',
    ...hashAccessKeySecret(keyring, grants, secret),
    expiresAt: null,
    revokedAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('access key hashing', () => {
  const keyring = Keyring.generate('h1');
  const secret = randomBase62(43);

  it('stores a base64url HMAC-SHA256 and the id of the hashing key, never the secret', () => {
    const record = recordFor(keyring, secret);
    expect(record.hashKeyId).toBe('h1');
    expect(record.secretHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(verifyAccessKeySecret(keyring, grants.id, record, secret)).toBe(true);
  });

  it('refuses another secret, and a record moved to another tenant, scope, id or widened in its allow-lists or quota', () => {
    const record = recordFor(keyring, secret);
    expect(verifyAccessKeySecret(keyring, grants.id, record, randomBase62(43))).toBe(false);
    const tampered: Partial<AccessKeyRecord>[] = [
      { tenantId: 'other' },
      { scope: '' },
      { providers: null },
      { providers: ['openai', 'anthropic'] },
      { models: null },
      { quota: null },
      { quota: { requests: { limit: 1000, per: 'minute' } } },
      { quota: { requests: { limit: 10, per: 'month' } } },
    ];
    for (const change of tampered)
      expect(verifyAccessKeySecret(keyring, grants.id, { ...record, ...change }, secret), JSON.stringify(change)).toBe(
        false,
      );
    expect(verifyAccessKeySecret(keyring, 'ak_01JD3Q0000000000000000000B', record, secret)).toBe(false);
  });

  it('needs the hashing key: another keyring, a garbled hash or an unknown hash key id fail; a rotated keyring still verifies', () => {
    const record = recordFor(keyring, secret);
    expect(verifyAccessKeySecret(Keyring.generate('h1'), grants.id, record, secret)).toBe(false);
    expect(
      verifyAccessKeySecret(keyring, grants.id, { ...record, secretHash: record.secretHash.slice(0, -2) }, secret),
    ).toBe(false);
    expect(verifyAccessKeySecret(keyring, grants.id, { ...record, secretHash: '' }, secret)).toBe(false);
    expect(verifyAccessKeySecret(keyring, grants.id, { ...record, hashKeyId: 'h9' }, secret)).toBe(false);
    const oldEntry = Keyring.generateEntry('h1');
    const madeByOld = recordFor(Keyring.parse(oldEntry), secret);
    const rotated = Keyring.parse(`${Keyring.generateEntry('h2')},${oldEntry}`);
    expect(verifyAccessKeySecret(rotated, grants.id, madeByOld, secret)).toBe(true);
    expect(hashAccessKeySecret(rotated, grants, secret).hashKeyId).toBe('h2');
  });

  it('returns false for an unknown id (no record) after computing a MAC all the same', () => {
    expect(verifyAccessKeySecret(keyring, grants.id, null, secret)).toBe(false);
  });
});
