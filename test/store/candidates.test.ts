/**
 * The candidate rule every adapter shares (`src/store/candidates.ts`):
 * expiry, resolution order, routing, and what a filtered read returns.
 */
import { describe, expect, it } from 'vitest';
import {
  byResolutionPreference,
  keyExpired,
  poolOf,
  routesProvider,
  selectCandidates,
} from '../../src/store/candidates.js';
import type { SealedConfigRecord } from '../../src/store/types.js';
import { makeConfigRecord } from '../../src/testing/fixtures.js';

const NOW = '2030-01-01T00:00:00.000Z';

function row(id: string, fields: Partial<SealedConfigRecord> = {}): SealedConfigRecord {
  const { sealedKey = 'byokit:1:k1:x', pendingSealedKey = null, previousSealedKey = null, ...record } = fields;
  const base = makeConfigRecord({
    id,
    tenantId: 't',
    scope: '',
    name: `n-${id}`,
    provider: 'openai',
    keyHint: 'sk-...abcd',
    kekId: 'k1',
    keySetAt: NOW,
    createdAt: NOW,
    updatedAt: NOW,
    ...record,
  });
  return { ...base, sealedKey, pendingSealedKey, previousSealedKey };
}

describe('the candidate rule', () => {
  it('a key expires at its expiry time, not after; no expiry never expires', () => {
    expect(keyExpired(NOW, NOW)).toBe(true);
    expect(keyExpired('2030-01-01T00:00:00.001Z', NOW)).toBe(false);
    expect(keyExpired(null, NOW)).toBe(false);
  });

  it('orders the default first, then the newest id, whatever the input order', () => {
    const rows = [row('cfg_1'), row('cfg_3'), row('cfg_2', { isDefault: true }), row('cfg_0')];
    for (const start of [0, 1, 2, 3]) {
      const rotated = [...rows.slice(start), ...rows.slice(0, start)];
      expect(rotated.sort(byResolutionPreference).map((r) => r.id)).toStrictEqual(['cfg_2', 'cfg_3', 'cfg_1', 'cfg_0']);
    }
    expect(byResolutionPreference(row('cfg_1'), row('cfg_1'))).toBe(0);
  });

  it('only a custom endpoint routes a provider, and never the provider custom itself', () => {
    expect(routesProvider({ provider: 'custom', routes: ['openai'] }, 'openai')).toBe(true);
    expect(routesProvider({ provider: 'custom', routes: ['openai'] }, 'anthropic')).toBe(false);
    expect(routesProvider({ provider: 'openai', routes: ['anthropic'] }, 'anthropic')).toBe(false);
    expect(routesProvider({ provider: 'custom', routes: ['custom'] }, 'custom')).toBe(false);
  });
});

describe('selectCandidates', () => {
  const tenantDefault = row('cfg_1', { isDefault: true });
  const wsNewest = row('cfg_2', { scope: 'ws' });
  const wsOlder = row('cfg_0', { scope: 'ws', name: 'older' });
  const other = row('cfg_3', { scope: 'other' });
  const claude = row('cfg_4', { scope: 'ws', provider: 'anthropic', name: 'claude' });
  const rows = [tenantDefault, wsNewest, wsOlder, other, claude];

  it('without a filter: every row in the scopes asked, none outside', () => {
    expect(selectCandidates(rows, ['ws', '']).map((r) => r.id)).toStrictEqual(['cfg_1', 'cfg_2', 'cfg_0', 'cfg_4']);
  });

  it('with a provider: the winner alone', () => {
    expect(selectCandidates(rows, ['ws', ''], { provider: 'openai', config: null, now: NOW })).toStrictEqual([
      wsNewest,
    ]);
  });

  it('with a named config and no provider: the named rows alone', () => {
    expect(selectCandidates(rows, ['ws', ''], { provider: null, config: 'older', now: NOW })).toStrictEqual([wsOlder]);
    expect(selectCandidates(rows, ['ws', ''], { provider: null, config: 'cfg_3', now: NOW })).toStrictEqual([]);
  });

  it('with a named config and a provider: the named rows, then the winner once', () => {
    expect(selectCandidates(rows, ['ws', ''], { provider: 'openai', config: 'claude', now: NOW })).toStrictEqual([
      claude,
      wsNewest,
    ]);
    expect(selectCandidates(rows, ['ws', ''], { provider: 'openai', config: 'cfg_2', now: NOW })).toStrictEqual([
      wsNewest,
    ]);
  });

  it('with pool: the winner and the other usable configs of its scope and provider, once each', () => {
    const disabled = row('cfg_5', { scope: 'ws', enabled: false });
    const withPool = selectCandidates([...rows, disabled], ['ws', ''], {
      provider: 'openai',
      config: 'older',
      now: NOW,
      pool: true,
    });
    expect(withPool).toStrictEqual([wsOlder, wsNewest]);
    expect(selectCandidates(rows, ['ws', ''], { provider: null, config: null, now: NOW, pool: true })).toStrictEqual([
      claude,
    ]);
  });

  it('poolOf: nothing without a provider or for a winner of another provider', () => {
    expect(poolOf(rows, wsNewest, 'openai', NOW)).toStrictEqual([wsOlder]);
    expect(poolOf(rows, wsNewest, null, NOW)).toStrictEqual([]);
    expect(poolOf(rows, claude, 'openai', NOW)).toStrictEqual([]);
  });
});
