/**
 * The pool choice as a pure function: orders per policy, rotation, weights,
 * cooldowns and failing keys passed over with the reason, the least bad
 * key when all are, exclusions.
 */
import { describe, expect, it } from 'vitest';
import { choosePoolMember, poolOrder, type PoolFacts, type PoolPolicy } from '../../src/resolve/pool.js';
import type { SealedConfigRecord } from '../../src/store/types.js';
import { makeConfigRecord } from '../../src/testing/fixtures.js';

const NOW = '2030-01-01T00:00:00.000Z';
const LATER = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString();

function member(id: string, isDefault = false): SealedConfigRecord {
  const record = makeConfigRecord({
    id,
    tenantId: 't',
    scope: '',
    name: `n-${id}`,
    provider: 'openai',
    isDefault,
    keyHint: 'sk-...abcd',
    kekId: 'k1',
    keySetAt: NOW,
    createdAt: NOW,
    updatedAt: NOW,
  });
  return { ...record, sealedKey: 'byokit:1:k1:x', pendingSealedKey: null, previousSealedKey: null };
}

// Ids sort by creation: c is the newest. Resolution order: default (a), then newest first (c, b).
const a = member('cfg_a', true);
const b = member('cfg_b');
const c = member('cfg_c');
const members = [b, c, a];
const none: PoolFacts = { cooldownUntil: () => null, failing: () => false };
const policy = (kind: PoolPolicy['policy'], settings: PoolPolicy['members'] = []): PoolPolicy => ({
  scope: '',
  provider: 'openai',
  policy: kind,
  members: settings,
});
const ids = (records: SealedConfigRecord[]) => records.map((r) => r.id);

describe('poolOrder', () => {
  it('no policy and failover: resolution order (default, then newest), priorities first when given', () => {
    expect(ids(poolOrder(members, null, 7))).toStrictEqual(['cfg_a', 'cfg_c', 'cfg_b']);
    expect(ids(poolOrder(members, policy('failover'), 7))).toStrictEqual(['cfg_a', 'cfg_c', 'cfg_b']);
    const prioritised = policy('failover', [
      { configId: 'cfg_b', priority: 0 },
      { configId: 'cfg_a', priority: 5 },
    ]);
    expect(ids(poolOrder(members, prioritised, 0))).toStrictEqual(['cfg_b', 'cfg_a', 'cfg_c']);
  });

  it('default: the resolution winner alone', () => {
    expect(ids(poolOrder(members, policy('default'), 3))).toStrictEqual(['cfg_a']);
  });

  it('round-robin: rotated by the turn', () => {
    const rr = policy('round-robin');
    expect([0, 1, 2, 3].map((turn) => poolOrder(members, rr, turn)[0]!.id)).toStrictEqual([
      'cfg_a',
      'cfg_c',
      'cfg_b',
      'cfg_a',
    ]);
    expect(ids(poolOrder(members, rr, 1))).toStrictEqual(['cfg_c', 'cfg_b', 'cfg_a']);
  });

  it('weighted: each member first in proportion to its weight; weight 0 never first; all 0 is failover', () => {
    const weighted = policy('weighted', [
      { configId: 'cfg_a', weight: 3 },
      { configId: 'cfg_c', weight: 0 },
    ]);
    const firsts = Array.from({ length: 400 }, (_, turn) => poolOrder(members, weighted, turn)[0]!.id);
    expect(firsts.filter((id) => id === 'cfg_a')).toHaveLength(300);
    expect(firsts.filter((id) => id === 'cfg_b')).toHaveLength(100);
    expect(firsts).not.toContain('cfg_c');
    const zero = policy('weighted', [
      { configId: 'cfg_a', weight: 0 },
      { configId: 'cfg_b', weight: 0 },
      { configId: 'cfg_c', weight: 0 },
    ]);
    expect(ids(poolOrder(members, zero, 5))).toStrictEqual(['cfg_a', 'cfg_c', 'cfg_b']);
  });
});

describe('choosePoolMember', () => {
  it('the first member neither cooling down nor failing; the keys passed over are in the trace with why', () => {
    const facts: PoolFacts = {
      cooldownUntil: (id) => (id === 'cfg_a' ? LATER(30) : null),
      failing: (id) => id === 'cfg_c',
    };
    const choice = choosePoolMember({ members, policy: null, facts, rotation: 0, exclude: new Set(), now: NOW });
    expect(choice.record?.id).toBe('cfg_b');
    expect(choice.trace).toStrictEqual([
      {
        step: 'pool',
        scope: '',
        configId: 'cfg_a',
        configName: 'n-cfg_a',
        outcome: 'skipped',
        reason: 'cooling_down',
        until: LATER(30),
      },
      { step: 'pool', scope: '', configId: 'cfg_c', configName: 'n-cfg_c', outcome: 'skipped', reason: 'failing' },
      { step: 'byok', scope: '', configId: 'cfg_b', configName: 'n-cfg_b', outcome: 'selected', pool: 'failover' },
    ]);
  });

  it('a cooldown that has ended is no reason to pass a key over', () => {
    const facts: PoolFacts = { cooldownUntil: () => NOW, failing: () => false };
    expect(
      choosePoolMember({ members, policy: null, facts, rotation: 0, exclude: new Set(), now: NOW }).record?.id,
    ).toBe('cfg_a');
  });

  it('every key cooling down or failing: the cooldown ending first is still chosen, and its entry says so', () => {
    const facts: PoolFacts = {
      cooldownUntil: (id) => ({ cfg_a: LATER(60), cfg_b: LATER(5) })[id] ?? null,
      failing: (id) => id === 'cfg_c',
    };
    const choice = choosePoolMember({ members, policy: null, facts, rotation: 0, exclude: new Set(), now: NOW });
    expect(choice.record?.id).toBe('cfg_b');
    expect(choice.trace.at(-1)).toStrictEqual({
      step: 'byok',
      scope: '',
      configId: 'cfg_b',
      configName: 'n-cfg_b',
      outcome: 'selected',
      reason: 'cooling_down',
      until: LATER(5),
      pool: 'failover',
    });
    const allFailing = choosePoolMember({
      members,
      policy: null,
      facts: { cooldownUntil: () => null, failing: () => true },
      rotation: 0,
      exclude: new Set(),
      now: NOW,
    });
    expect(allFailing.record?.id).toBe('cfg_a');
  });

  it('excluded members are never chosen; all excluded is no choice', () => {
    expect(
      choosePoolMember({ members, policy: null, facts: none, rotation: 0, exclude: new Set(['cfg_a']), now: NOW })
        .record?.id,
    ).toBe('cfg_c');
    expect(
      choosePoolMember({
        members,
        policy: null,
        facts: none,
        rotation: 0,
        exclude: new Set(['cfg_a', 'cfg_b', 'cfg_c']),
        now: NOW,
      }).record,
    ).toBeNull();
  });

  it('failover is deterministic: the same facts give the same choice whatever the members’ order', () => {
    const facts: PoolFacts = { cooldownUntil: (id) => (id === 'cfg_a' ? LATER(1) : null), failing: () => false };
    const choices = [members, [a, b, c], [c, a, b]].map(
      (m) =>
        choosePoolMember({ members: m, policy: null, facts, rotation: 9, exclude: new Set(), now: NOW }).record?.id,
    );
    expect(choices).toStrictEqual(['cfg_c', 'cfg_c', 'cfg_c']);
  });
});

describe('pool choice: edges', () => {
  it('a cooldown ending exactly now has ended: the key is chosen with no entry for a pass-over', () => {
    const facts: PoolFacts = { cooldownUntil: (id) => (id === 'cfg_a' ? NOW : null), failing: () => false };
    const choice = choosePoolMember({ members, policy: null, facts, rotation: 0, exclude: new Set(), now: NOW });
    expect(choice.trace).toStrictEqual([
      { step: 'byok', scope: '', configId: 'cfg_a', configName: 'n-cfg_a', outcome: 'selected', pool: 'failover' },
    ]);
  });

  it('a cooling key is preferred to a failing one, whichever comes first in the order', () => {
    const failingFirst: PoolFacts = {
      cooldownUntil: (id) => (id === 'cfg_c' ? LATER(9) : null),
      failing: (id) => id !== 'cfg_c',
    };
    expect(
      choosePoolMember({
        members,
        policy: null,
        facts: failingFirst,
        rotation: 0,
        exclude: new Set(['cfg_b']),
        now: NOW,
      }).record?.id,
    ).toBe('cfg_c');
    const coolingFirst: PoolFacts = {
      cooldownUntil: (id) => (id === 'cfg_a' ? LATER(9) : null),
      failing: (id) => id !== 'cfg_a',
    };
    expect(
      choosePoolMember({ members, policy: null, facts: coolingFirst, rotation: 0, exclude: new Set(), now: NOW }).record
        ?.id,
    ).toBe('cfg_a');
  });

  it('of several failing keys the first in the order is chosen', () => {
    const facts: PoolFacts = { cooldownUntil: () => null, failing: () => true };
    expect(
      choosePoolMember({ members, policy: policy('round-robin'), facts, rotation: 1, exclude: new Set(), now: NOW })
        .record?.id,
    ).toBe('cfg_c');
  });

  it('weighted and round-robin orders list every member exactly once', () => {
    const weighted = policy('weighted', [{ configId: 'cfg_b', weight: 2 }]);
    for (let turn = 0; turn < 8; turn++) {
      expect([...ids(poolOrder(members, weighted, turn))].sort()).toStrictEqual(['cfg_a', 'cfg_b', 'cfg_c']);
      expect([...ids(poolOrder(members, policy('round-robin'), turn))].sort()).toStrictEqual([
        'cfg_a',
        'cfg_b',
        'cfg_c',
      ]);
    }
    expect(ids(poolOrder(members, weighted, 1))).toStrictEqual(['cfg_c', 'cfg_a', 'cfg_b']);
    expect(ids(poolOrder([a], policy('round-robin'), 5))).toStrictEqual(['cfg_a']);
    expect(ids(poolOrder([], policy('weighted'), 5))).toStrictEqual([]);
  });
});
