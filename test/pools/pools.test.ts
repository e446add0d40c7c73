/**
 * Key pools through the vault: with no policy every eligible key of the
 * provider in the scope is a failover pool; cooldowns after a 429 and
 * failing keys are passed over (the trace says why); policies set through
 * the tenant handle (audited, permission-checked, validated); round-robin
 * and weighted spread exactly under concurrency; the single-config path
 * reads nothing more; the Provider Hub's view.
 */
import { describe, expect, it } from 'vitest';
import { keyPools, MemoryStore, type Resolution, type Vault } from '../../src/index.js';
import { makeVault, refusal } from '../vault/helpers.js';
import { counting, keyOf, poolVault } from './helpers.js';

const resolveOpenai = (setup: { vault: Vault }, scope = ''): Promise<Resolution> =>
  setup.vault.resolve({ tenantId: 'acme', scope, provider: 'openai' });

describe('key pools: failover out of the box', () => {
  it('with no policy the pool is every eligible key in resolution order: a rate-limited key is passed over until its retry-after', async () => {
    let clock = new Date('2030-01-01T00:00:00.000Z');
    const setup = await poolVault(['a', 'b', 'c'], { vault: { now: () => clock } });
    // Resolution order: no default, so newest first: c, b, a.
    const first = await resolveOpenai(setup);
    expect(setup.labelOf(first.configId)).toBe('c');
    expect(first.trace.at(-1)).toStrictEqual({
      step: 'byok',
      scope: '',
      configId: setup.ids.c,
      configName: 'c',
      outcome: 'selected',
      pool: 'failover',
    });
    setup.vault.report(first, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 20 });
    const second = await resolveOpenai(setup);
    expect(setup.labelOf(second.configId)).toBe('b');
    expect(second.trace.slice(-2)).toStrictEqual([
      {
        step: 'pool',
        scope: '',
        configId: setup.ids.c,
        configName: 'c',
        outcome: 'skipped',
        reason: 'cooling_down',
        until: '2030-01-01T00:00:20.000Z',
      },
      { step: 'byok', scope: '', configId: setup.ids.b, configName: 'b', outcome: 'selected', pool: 'failover' },
    ]);
    // The resolution names the chosen key.
    expect(second.key.reveal()).toBe(keyOf('b'));
    clock = new Date('2030-01-01T00:00:20.001Z');
    expect(setup.labelOf((await resolveOpenai(setup)).configId)).toBe('c');
  });

  it('a key that failed auth is passed over as failing until a success of it', async () => {
    const setup = await poolVault(['a', 'b']);
    const first = await resolveOpenai(setup);
    setup.vault.report(first, { status: 'auth_failed', httpStatus: 401, latencyMs: 5 });
    const next = await resolveOpenai(setup);
    expect(next.configId).not.toBe(first.configId);
    expect(next.trace.find((e) => e.step === 'pool')).toMatchObject({ configId: first.configId, reason: 'failing' });
    setup.vault.report(first, { status: 'ok', httpStatus: 200, latencyMs: 5 });
    expect((await resolveOpenai(setup)).configId).toBe(first.configId);
  });

  it('a failing key replaced with setKey is not failing: the news was about the old key', async () => {
    const setup = await poolVault(['a', 'b']);
    const first = await resolveOpenai(setup);
    setup.vault.report(first, { status: 'auth_failed', httpStatus: 401, latencyMs: 5 });
    expect((await resolveOpenai(setup)).configId).not.toBe(first.configId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await setup.owner.setKey(first.configId!, keyOf('renewed'));
    expect((await resolveOpenai(setup)).configId).toBe(first.configId);
  });

  it('without a retry-after the cooldown is a backoff that doubles with each 429 in a row', async () => {
    const clock = new Date('2030-01-01T00:00:00.000Z');
    const setup = await poolVault(['a', 'b'], { vault: { now: () => clock }, pools: { backoffMs: 1000 } });
    const first = await resolveOpenai(setup);
    const untils: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      setup.vault.report(first, { status: 'rate_limited', httpStatus: 429, latencyMs: 5 });
      untils.push((await resolveOpenai(setup)).trace.find((e) => e.reason === 'cooling_down')?.until);
    }
    expect(untils).toStrictEqual(['2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z', '2030-01-01T00:00:04.000Z']);
  });

  it('every key cooling down: the one whose cooldown ends first, never the platform key', async () => {
    const clock = new Date('2030-01-01T00:00:00.000Z');
    const setup = await poolVault(['a', 'b'], {
      vault: { now: () => clock, platformKeys: { openai: keyOf('platform') } },
    });
    const first = await resolveOpenai(setup);
    setup.vault.report(first, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 5 });
    const second = await resolveOpenai(setup);
    setup.vault.report(second, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 60 });
    const third = await resolveOpenai(setup);
    expect(third.source).toBe('byok');
    expect(third.configId).toBe(first.configId);
    expect(third.trace.at(-1)).toMatchObject({ outcome: 'selected', reason: 'cooling_down', pool: 'failover' });
  });

  it('a pool is one scope and one provider: the parent scope, other providers and unusable configs are not members', async () => {
    const setup = await poolVault(['a'], { scope: 'ws1' });
    const parent = await setup.owner.createConfig({ name: 'parent', provider: 'openai' });
    await setup.owner.setKey(parent.id, keyOf('parent'));
    const disabled = await setup.owner.createConfig({ name: 'off', provider: 'openai', scope: 'ws1' });
    await setup.owner.setKey(disabled.id, keyOf('off'));
    await setup.owner.setEnabled(disabled.id, false);
    const first = await resolveOpenai(setup, 'ws1');
    setup.vault.report(first, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 30 });
    // Alone in its pool: still chosen (cooling down), never the parent's key.
    const again = await resolveOpenai(setup, 'ws1');
    expect(again.configId).toBe(setup.ids.a);
  });

  it('a named config is never swapped for another pool key', async () => {
    const setup = await poolVault(['a', 'b']);
    const named = await setup.vault.resolve({ tenantId: 'acme', provider: 'openai', config: 'a' });
    setup.vault.report(named, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 30 });
    expect((await setup.vault.resolve({ tenantId: 'acme', provider: 'openai', config: 'a' })).configId).toBe(
      setup.ids.a,
    );
  });
});

describe('key pools: policies', () => {
  it('setPoolPolicy is audited, getPoolPolicies lists it, removePoolPolicy restores failover', async () => {
    const setup = await poolVault(['a', 'b']);
    const policy = await setup.owner.setPoolPolicy({
      provider: 'openai',
      policy: 'failover',
      members: [{ configId: setup.ids.a, priority: 0 }],
    });
    expect(policy).toStrictEqual({
      scope: '',
      provider: 'openai',
      policy: 'failover',
      members: [{ configId: setup.ids.a, priority: 0 }],
    });
    expect(await setup.owner.getPoolPolicies()).toStrictEqual([policy]);
    expect(setup.labelOf((await resolveOpenai(setup)).configId)).toBe('a');
    const events = (await setup.owner.listAudit({ type: 'pool.changed' })).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { id: 'owner-1' },
      detail: { scope: '', provider: 'openai', policy: 'failover', members: 1, revision: 1 },
    });
    expect(await setup.owner.removePoolPolicy({ provider: 'openai' })).toBe(true);
    expect(await setup.owner.removePoolPolicy({ provider: 'openai' })).toBe(false);
    expect(setup.labelOf((await resolveOpenai(setup)).configId)).toBe('b');
    expect((await setup.owner.listAudit({ type: 'pool.changed' })).items).toHaveLength(2);
  });

  it('bad input and a config outside the pool are refused with a typed error, nothing written', async () => {
    const setup = await poolVault(['a']);
    const other = await setup.owner.createConfig({ name: 'claude', provider: 'anthropic' });
    for (const input of [
      { provider: 'openai', policy: 'random' },
      { provider: 'OpenAI', policy: 'failover' },
      { provider: 'openai', policy: 'weighted', members: [{ configId: setup.ids.a, weight: -1 }] },
      { provider: 'openai', policy: 'failover', members: [{ configId: setup.ids.a }, { configId: setup.ids.a }] },
      { provider: 'openai', policy: 'failover', members: [{ configId: other.id }] },
      { provider: 'nope', policy: 'failover' },
    ]) {
      const error = await refusal(setup.owner.setPoolPolicy(input as never));
      expect(error.code).toBe('VALIDATION_FAILED');
    }
    expect(await setup.owner.getPoolPolicies()).toStrictEqual([]);
    expect((await setup.owner.listAudit({ type: 'pool.changed' })).items).toStrictEqual([]);
  });

  it('setting a policy needs key:manage in its scope; reading needs config:read', async () => {
    const setup = await poolVault(['a']);
    const viewer = setup.vault.as({ tenantId: 'acme', actor: { id: 'v1', role: 'member' } });
    expect((await refusal(viewer.setPoolPolicy({ provider: 'openai', policy: 'round-robin' }))).code).toBe(
      'PERMISSION_DENIED',
    );
    expect((await refusal(viewer.removePoolPolicy({ provider: 'openai' }))).code).toBe('PERMISSION_DENIED');
    expect(await viewer.getPoolPolicies()).toStrictEqual([]);
    expect(await setup.owner.getPoolPolicies()).toStrictEqual([]);
  });

  it('default: no pool, the resolution rule alone (a cooling key stays chosen)', async () => {
    const setup = await poolVault(['a', 'b']);
    await setup.owner.setPoolPolicy({ provider: 'openai', policy: 'default' });
    const first = await resolveOpenai(setup);
    setup.vault.report(first, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 30 });
    expect((await resolveOpenai(setup)).configId).toBe(first.configId);
  });

  it('failover by priority is deterministic and moves down the list as keys cool down', async () => {
    const setup = await poolVault(['a', 'b', 'c']);
    await setup.owner.setPoolPolicy({
      provider: 'openai',
      policy: 'failover',
      members: [
        { configId: setup.ids.b, priority: 1 },
        { configId: setup.ids.a, priority: 2 },
      ],
    });
    const picks: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await resolveOpenai(setup);
      picks.push(setup.labelOf(r.configId));
      picks.push(setup.labelOf((await resolveOpenai(setup)).configId));
      setup.vault.report(r, { status: 'rate_limited', httpStatus: 429, latencyMs: 5, retryAfter: 60 });
    }
    expect(picks).toStrictEqual(['b', 'b', 'a', 'a', 'c', 'c']);
  });

  it('round-robin spreads 10,000 concurrent resolutions evenly over its keys', async () => {
    const setup = await poolVault(['a', 'b', 'c'], { pools: { factsTtlMs: 1000 } });
    await setup.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 10; batch++) {
      const resolved = await Promise.all(Array.from({ length: 1000 }, () => resolveOpenai(setup)));
      for (const r of resolved) counts.set(setup.labelOf(r.configId), (counts.get(setup.labelOf(r.configId)) ?? 0) + 1);
    }
    expect([...counts.values()].reduce((x, y) => x + y, 0)).toBe(10_000);
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
    expect(counts.size).toBe(3);
  });

  it('weighted spreads in proportion to the weights; a cooling key’s share goes to the next', async () => {
    const setup = await poolVault(['a', 'b'], { pools: { factsTtlMs: 1000 } });
    await setup.owner.setPoolPolicy({
      provider: 'openai',
      policy: 'weighted',
      members: [
        { configId: setup.ids.a, weight: 3 },
        { configId: setup.ids.b, weight: 1 },
      ],
    });
    const resolved = await Promise.all(Array.from({ length: 4000 }, () => resolveOpenai(setup)));
    const a = resolved.filter((r) => r.configId === setup.ids.a).length;
    expect(a).toBe(3000);
    setup.vault.report(
      resolved[0]!.configId === setup.ids.a ? resolved[0]! : resolved.find((r) => r.configId === setup.ids.a)!,
      { status: 'rate_limited', httpStatus: 429, latencyMs: 1, retryAfter: 60 },
    );
    const after = await Promise.all(Array.from({ length: 100 }, () => resolveOpenai(setup)));
    expect(after.every((r) => r.configId === setup.ids.b)).toBe(true);
  });
});

describe('key pools: reads', () => {
  it('a single config: one store read per resolution, as without pools', async () => {
    const counted = counting(new MemoryStore());
    const setup = await poolVault(['a'], { store: counted.store });
    counted.reset();
    for (let i = 0; i < 5; i++) await resolveOpenai(setup);
    expect(Object.fromEntries(counted.calls)).toStrictEqual({ loadCandidates: 5 });
  });

  it('a pool of several keys reads its facts (policy, cooldowns, health) at most once per factsTtlMs', async () => {
    const counted = counting(new MemoryStore());
    const setup = await poolVault(['a', 'b'], { store: counted.store, pools: { factsTtlMs: 60_000 } });
    counted.reset();
    for (let i = 0; i < 5; i++) await resolveOpenai(setup);
    expect(Object.fromEntries(counted.calls)).toStrictEqual({
      loadCandidates: 5,
      getSettings: 1,
      loadKeyCooldowns: 1,
      loadKeyHealth: 1,
    });
  });

  it('a 429 writes one cooldown to the store; successes write nothing', async () => {
    const counted = counting(new MemoryStore());
    const setup = await poolVault(['a', 'b'], { store: counted.store });
    const r = await resolveOpenai(setup);
    counted.reset();
    for (let i = 0; i < 20; i++) setup.vault.report(r, { status: 'ok', httpStatus: 200, latencyMs: 1 });
    for (let i = 0; i < 3; i++)
      setup.vault.report(r, { status: 'rate_limited', httpStatus: 429, latencyMs: 1, retryAfter: 30 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Object.fromEntries(counted.calls)).toStrictEqual({ putKeyCooldown: 1 });
  });

  it('without keyPools: the one-winner read, and pool calls fail naming the option', async () => {
    const counted = counting(new MemoryStore());
    const { vault, owner } = makeVault({ store: counted.store });
    const cfg = await owner.createConfig({ name: 'a', provider: 'openai' });
    await owner.setKey(cfg.id, keyOf('a'));
    const loads: unknown[] = [];
    const spy = counted.store.loadCandidates.bind(counted.store);
    counted.store.loadCandidates = (...args: Parameters<typeof spy>) => (loads.push(args[2]), spy(...args));
    await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(loads).toStrictEqual([{ provider: 'openai', config: null, now: expect.any(String) }]);
    expect((await refusal(vault.withKey({ tenantId: 'acme', provider: 'openai' }, async () => 1))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refusal(owner.setPoolPolicy({ provider: 'openai', policy: 'failover' }))).message).toContain('pools');
  });

  it('keyPools options are checked', () => {
    expect(() => keyPools({ factsTtlMs: -1 })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => keyPools({ onFailure: 'sometimes' as never })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('key pools: the Provider Hub view', () => {
  it('lists each pool with its policy and members in failover order, with key state, health and cooldown', async () => {
    const clock = new Date('2030-01-01T00:00:00.000Z');
    const setup = await poolVault(['a', 'b'], { vault: { now: () => clock } });
    const off = await setup.owner.createConfig({ name: 'off', provider: 'openai' });
    await setup.owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://gw.example.com/v1',
      routes: ['openai'],
    });
    await setup.owner.setPoolPolicy({
      provider: 'openai',
      policy: 'weighted',
      members: [{ configId: setup.ids.a, weight: 5, priority: 0 }],
    });
    const r = await setup.vault.resolve({ tenantId: 'acme', provider: 'openai', config: 'b' });
    setup.vault.report(r, { status: 'rate_limited', httpStatus: 429, latencyMs: 1, retryAfter: 30 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const pools = await setup.owner.listPools();
    expect(pools).toHaveLength(1);
    expect(pools[0]).toMatchObject({ scope: '', provider: 'openai', policy: 'weighted', policySet: true });
    expect(
      pools[0]!.members.map((m) => [
        m.name,
        m.position,
        m.priority,
        m.weight,
        m.eligible,
        m.available,
        m.cooldown?.until ?? null,
        m.keyState,
      ]),
    ).toStrictEqual([
      ['a', 0, 0, 5, true, true, null, 'active'],
      ['b', 1, null, 1, true, false, '2030-01-01T00:00:30.000Z', 'active'],
      ['off', null, null, 1, false, false, null, 'missing'],
    ]);
    expect(pools[0]!.members[0]!.keyHint).toMatch(/^sk-proj-\.\.\./);
    expect(JSON.stringify(pools)).not.toContain(keyOf('a'));
    expect(await setup.owner.listPools({ provider: 'anthropic' })).toStrictEqual([]);
    void off;
  });
});
