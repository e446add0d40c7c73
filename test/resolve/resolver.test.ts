import { describe, expect, it } from 'vitest';
import { makeConfigRecord } from '../../src/testing/fixtures.js';
import { decideResolution, keyDisagrees, unusableReason, type DecisionInput } from '../../src/resolve/resolver.js';
import { scopeChain } from '../../src/resolve/scope.js';
import type { SealedConfigRecord } from '../../src/store/types.js';

const now = new Date('2026-06-01T00:00:00.000Z');

function candidate(overrides: Partial<SealedConfigRecord>): SealedConfigRecord {
  const { sealedKey = 'byokit:1:sealed', ...fields } = overrides;
  const at = now.toISOString();
  return {
    ...makeConfigRecord({
      tenantId: 't1',
      name: `c-${Math.random()}`,
      keyHint: 'sk-...abcd',
      kekId: 'k1',
      keySetAt: at,
      createdAt: at,
      updatedAt: at,
      ...fields,
    }),
    sealedKey,
    pendingSealedKey: null,
    previousSealedKey: null,
  };
}

function decide(candidates: SealedConfigRecord[], input: Partial<DecisionInput> & { scope?: string } = {}) {
  return decideResolution({
    candidates,
    chain: scopeChain(input.scope ?? ''),
    provider: 'provider' in input ? input.provider! : 'openai',
    explicit: input.explicit ?? null,
    fallback: input.fallback ?? 'platform',
    now,
  });
}

const picked = (d: ReturnType<typeof decide>) => (d.kind === 'config' ? d.record.name : d.kind);

describe('scopeChain', () => {
  it('walks from the asked scope up to the tenant', () => {
    expect(scopeChain('ws/proj')).toEqual(['ws/proj', 'ws', '']);
    expect(scopeChain('')).toEqual(['']);
  });
});

describe('decideResolution: precedence (rule 6)', () => {
  it('explicit config beats a custom endpoint and the default', () => {
    const explicit = candidate({ name: 'explicit' });
    const all = [
      candidate({ name: 'custom', provider: 'custom', routes: ['openai'] }),
      candidate({ name: 'default', isDefault: true }),
      explicit,
    ];
    const d = decide(all, { explicit });
    expect(picked(d)).toBe('explicit');
    expect(d.trace.at(-1)).toMatchObject({ step: 'explicit', outcome: 'selected' });
  });

  it('a custom endpoint routing the provider beats the BYOK default', () => {
    const d = decide([
      candidate({ name: 'default', isDefault: true }),
      candidate({ name: 'custom', provider: 'custom', routes: ['openai'] }),
    ]);
    expect(picked(d)).toBe('custom');
    expect(d.kind === 'config' && d.source).toBe('custom');
  });

  it('a custom endpoint that does not route the provider is ignored', () => {
    const d = decide([
      candidate({ name: 'byok' }),
      candidate({ name: 'custom', provider: 'custom', routes: ['anthropic'] }),
    ]);
    expect(picked(d)).toBe('byok');
  });

  it('the BYOK default beats a more recent config', () => {
    const older = candidate({ name: 'default', isDefault: true });
    const newer = candidate({ name: 'newer' });
    expect(picked(decide([newer, older]))).toBe('default');
  });

  it('without a default, the most recently created config wins', () => {
    const older = candidate({ name: 'older' });
    const newer = candidate({ name: 'newer' });
    expect(picked(decide([older, newer]))).toBe('newer');
  });

  it('the asked scope beats its parent, which beats the tenant', () => {
    const tenant = candidate({ name: 'tenant', isDefault: true });
    const ws = candidate({ name: 'ws', scope: 'ws' });
    const proj = candidate({ name: 'proj', scope: 'ws/proj' });
    expect(picked(decide([tenant, ws, proj], { scope: 'ws/proj' }))).toBe('proj');
    expect(picked(decide([tenant, ws], { scope: 'ws/proj' }))).toBe('ws');
    expect(picked(decide([tenant], { scope: 'ws/proj' }))).toBe('tenant');
    expect(picked(decide([tenant, proj], { scope: 'ws/other' }))).toBe('tenant');
  });

  it('a parent scope custom endpoint loses to a child scope BYOK config', () => {
    const d = decide(
      [
        candidate({ name: 'parent-custom', provider: 'custom', routes: ['openai'] }),
        candidate({ name: 'child', scope: 'ws' }),
      ],
      { scope: 'ws' },
    );
    expect(picked(d)).toBe('child');
  });

  it('falls to the platform after the tenant, unless fallback is none', () => {
    expect(decide([candidate({ provider: 'anthropic' })])).toMatchObject({ kind: 'platform', provider: 'openai' });
    const none = decide([], { fallback: 'none' });
    expect(none.kind).toBe('none');
    expect(none.trace.at(-1)).toMatchObject({ step: 'platform', reason: 'fallback_none' });
  });

  it('with no provider: the scope default, else the most recent config, of any provider', () => {
    const a = candidate({ name: 'a', provider: 'anthropic' });
    const b = candidate({ name: 'b', provider: 'mistral' });
    expect(picked(decide([a, b], { provider: null }))).toBe('b');
    expect(picked(decide([{ ...a, isDefault: true }, b], { provider: null }))).toBe('a');
    expect(decide([], { provider: null })).toMatchObject({ kind: 'none' });
  });
});

describe('decideResolution: fall-through (rule 7)', () => {
  it.each([
    ['disabled', { enabled: false }],
    ['missing_key', { sealedKey: null, keyHint: null }],
    ['expired', { keyExpiresAt: '2026-05-31T23:59:59.000Z' }],
  ] as const)('a %s config falls through to the next candidate', (reason, overrides) => {
    const d = decide([candidate({ name: 'backup' }), candidate({ name: 'primary', isDefault: true, ...overrides })]);
    expect(picked(d)).toBe('backup');
    expect(d.trace).toContainEqual(expect.objectContaining({ configName: 'primary', outcome: 'skipped', reason }));
  });

  it('a key expiring later is still used', () => {
    expect(picked(decide([candidate({ name: 'p', keyExpiresAt: '2026-06-02T00:00:00.000Z' })]))).toBe('p');
  });

  it('a disabled explicit config falls through to the normal order for its provider', () => {
    const explicit = candidate({ name: 'explicit', provider: 'anthropic', enabled: false });
    const d = decide([explicit, candidate({ name: 'other', provider: 'anthropic' })], { explicit, provider: null });
    expect(picked(d)).toBe('other');
  });

  it('a usable config never yields to the platform', () => {
    expect(decide([candidate({ name: 'mine' })]).kind).toBe('config');
  });
});

describe('decideResolution: a row whose hint and sealed key disagree fails closed', () => {
  const hintWithoutSealed = { sealedKey: null, keyHint: 'sk-...abcd' };
  const sealedWithoutHint = { sealedKey: 'byokit:1:k1:sealed', keyHint: null };

  it.each([
    // [case, overrides of the winning candidate, expected decision]
    ['a hint without a sealed key', hintWithoutSealed, 'undecryptable'],
    ['a sealed key without a hint', sealedWithoutHint, 'undecryptable'],
    ['neither (no key)', { sealedKey: null, keyHint: null }, 'backup'],
    ['both (a key)', {}, 'primary'],
    ['a hint without a sealed key, disabled', { ...hintWithoutSealed, enabled: false }, 'backup'],
    [
      'a hint without a sealed key, expired',
      { ...hintWithoutSealed, keyExpiresAt: '2026-05-31T23:59:59.000Z' },
      'backup',
    ],
  ] as const)('%s: %s', (_case, overrides, expected) => {
    const primary = candidate({ name: 'primary', isDefault: true, ...overrides });
    const d = decide([candidate({ name: 'backup' }), primary]);
    expect(d.kind === 'undecryptable' ? 'undecryptable' : picked(d)).toBe(expected);
    if (expected === 'undecryptable') {
      expect(d).toMatchObject({ kind: 'undecryptable', record: { name: 'primary' } });
      expect(d.trace.at(-1)).toMatchObject({ configName: 'primary', outcome: 'selected' });
    }
  });

  it('never falls through to the platform key, at any step of the order', () => {
    const broken = (extra: Partial<SealedConfigRecord>) =>
      candidate({ name: 'broken', ...hintWithoutSealed, ...extra });
    expect(decide([broken({})]).kind).toBe('undecryptable');
    expect(decide([broken({ provider: 'custom', routes: ['openai'] })]).kind).toBe('undecryptable');
    expect(decide([broken({ scope: 'ws' })], { scope: 'ws/proj' }).kind).toBe('undecryptable');
    expect(decide([broken({})], { provider: null }).kind).toBe('undecryptable');
    const explicit = broken({});
    expect(decide([explicit], { explicit }).kind).toBe('undecryptable');
    expect(decide([broken({})], { fallback: 'none' }).kind).toBe('undecryptable');
  });

  it('a more specific usable config still wins over a broken one further up', () => {
    const d = decide([candidate({ name: 'broken', ...hintWithoutSealed }), candidate({ name: 'proj', scope: 'ws' })], {
      scope: 'ws',
    });
    expect(picked(d)).toBe('proj');
  });
});

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('decideResolution: which config a request gets', () => {
  it('an explicitly named custom endpoint serves a provider it routes, and its own provider', () => {
    const gateway = candidate({ name: 'gateway', provider: 'custom', routes: ['openai'] });
    const byok = candidate({ name: 'byok', isDefault: true });
    const d = decide([byok, gateway], { explicit: gateway, provider: 'openai' });
    expect(d).toMatchObject({ kind: 'config', source: 'custom', record: { name: 'gateway' } });
    expect(d.trace).toEqual([
      { step: 'explicit', scope: '', configId: gateway.id, configName: 'gateway', outcome: 'selected' },
    ]);
    expect(decide([gateway], { explicit: gateway, provider: 'custom' })).toMatchObject({
      kind: 'config',
      source: 'custom',
    });
  });

  it('an explicitly named custom endpoint that does not route the provider is a mismatch, not another key', () => {
    const gateway = candidate({ name: 'gateway', provider: 'custom', routes: ['anthropic'] });
    const d = decide([candidate({ name: 'byok' }), gateway], { explicit: gateway, provider: 'openai' });
    expect(d).toMatchObject({ kind: 'mismatch', provider: 'openai', record: { name: 'gateway' } });
    expect(d.trace).toEqual([
      {
        step: 'explicit',
        scope: '',
        configId: gateway.id,
        configName: 'gateway',
        outcome: 'skipped',
        reason: 'provider_mismatch',
      },
    ]);
  });

  it('a disabled explicit config named without a provider falls back within its own provider only', () => {
    const explicit = candidate({ name: 'explicit', provider: 'anthropic', enabled: false });
    const sibling = candidate({ name: 'sibling', provider: 'anthropic' });
    // Created after the others and default: either would win a walk with no provider.
    const openaiDefault = candidate({ name: 'openai-default', provider: 'openai', isDefault: true });
    const openaiNewest = candidate({ name: 'openai-newest', provider: 'openai' });
    const d = decide([explicit, sibling, openaiDefault, openaiNewest], { explicit, provider: null });
    expect(picked(d)).toBe('sibling');
    expect(d.trace).toEqual([
      {
        step: 'explicit',
        scope: '',
        configId: explicit.id,
        configName: 'explicit',
        outcome: 'skipped',
        reason: 'disabled',
      },
      { step: 'byok', scope: '', configId: sibling.id, configName: 'sibling', outcome: 'selected' },
    ]);
    const alone = decide([explicit, openaiDefault], { explicit, provider: null, fallback: 'platform' });
    expect(alone).toMatchObject({ kind: 'platform', provider: 'anthropic' });
  });

  it('most recent wins whatever order the candidates arrive in', () => {
    const [first, second, third] = [
      candidate({ name: 'first' }),
      candidate({ name: 'second' }),
      candidate({ name: 'third' }),
    ];
    for (const order of permutations([first, second, third])) {
      expect(picked(decide(order))).toBe('third');
      expect(picked(decide(order, { provider: null }))).toBe('third');
    }
  });

  it('the default wins whatever order the candidates arrive in, and the most recent of the rest backs it up', () => {
    const [first, second, third] = [
      candidate({ name: 'first', isDefault: true }),
      candidate({ name: 'second' }),
      candidate({ name: 'third' }),
    ];
    for (const order of permutations([first, second, third])) {
      expect(picked(decide(order))).toBe('first');
      expect(picked(decide(order.map((c) => (c === first ? { ...c, enabled: false } : c))))).toBe('third');
    }
  });

  it('a key expiring exactly now is expired; one expiring a millisecond later is not', () => {
    const exactly = candidate({ name: 'exactly', keyExpiresAt: now.toISOString() });
    const d = decide([exactly]);
    expect(d.kind).toBe('platform');
    expect(d.trace[0]).toMatchObject({ configName: 'exactly', outcome: 'skipped', reason: 'expired' });
    expect(picked(decide([candidate({ name: 'later', keyExpiresAt: '2026-06-01T00:00:00.001Z' })]))).toBe('later');
  });

  it('a config the tenant is not entitled to is passed over with not_entitled', () => {
    const premium = candidate({ name: 'premium', isDefault: true });
    const basic = candidate({ name: 'basic' });
    const d = decideResolution({
      candidates: [premium, basic],
      chain: [''],
      provider: 'openai',
      explicit: null,
      fallback: 'platform',
      now,
      entitled: (r) => r.name !== 'premium',
    });
    expect(picked(d)).toBe('basic');
    expect(d.trace[0]).toMatchObject({ configName: 'premium', outcome: 'skipped', reason: 'not_entitled' });
    const explicit = decideResolution({
      candidates: [premium, basic],
      chain: [''],
      provider: 'openai',
      explicit: premium,
      fallback: 'platform',
      now,
      entitled: () => false,
    });
    expect(explicit).toMatchObject({ kind: 'platform' });
    expect(explicit.trace[0]).toMatchObject({ step: 'explicit', reason: 'not_entitled' });
  });
});

describe('decideResolution: the trace', () => {
  it('lists every step of the walk, scope by scope, up to the platform key', () => {
    const gateway = candidate({
      name: 'gateway',
      provider: 'custom',
      routes: ['openai'],
      scope: 'ws/proj',
      enabled: false,
    });
    const expired = candidate({
      name: 'expired',
      scope: 'ws/proj',
      keyExpiresAt: '2026-01-01T00:00:00.000Z',
      isDefault: true,
    });
    const noKey = candidate({ name: 'no-key', sealedKey: null, keyHint: null });
    const d = decide([gateway, expired, noKey, candidate({ name: 'other', provider: 'anthropic' })], {
      scope: 'ws/proj',
    });
    expect(d).toMatchObject({ kind: 'platform', provider: 'openai' });
    expect(d.trace).toEqual([
      {
        step: 'custom',
        scope: 'ws/proj',
        configId: gateway.id,
        configName: 'gateway',
        outcome: 'skipped',
        reason: 'disabled',
      },
      {
        step: 'byok',
        scope: 'ws/proj',
        configId: expired.id,
        configName: 'expired',
        outcome: 'skipped',
        reason: 'expired',
      },
      { step: 'byok', scope: 'ws', outcome: 'none' },
      { step: 'byok', scope: '', configId: noKey.id, configName: 'no-key', outcome: 'skipped', reason: 'missing_key' },
    ]);
  });

  it('with no provider: default and recent steps, and no platform key for want of a provider', () => {
    const def = candidate({ name: 'def', isDefault: true, enabled: false });
    const recent = candidate({ name: 'recent', enabled: false });
    const d = decide([recent, def], { provider: null, scope: 'ws' });
    expect(d).toEqual({
      kind: 'none',
      provider: null,
      trace: [
        { step: 'default', scope: 'ws', outcome: 'none' },
        { step: 'default', scope: '', configId: def.id, configName: 'def', outcome: 'skipped', reason: 'disabled' },
        {
          step: 'recent',
          scope: '',
          configId: recent.id,
          configName: 'recent',
          outcome: 'skipped',
          reason: 'disabled',
        },
        { step: 'platform', outcome: 'skipped', reason: 'no_provider' },
      ],
    });
  });

  it('a selected candidate ends the trace; no platform entry follows a fallback that never came', () => {
    const mine = candidate({ name: 'mine' });
    expect(decide([mine], { fallback: 'none' }).trace).toEqual([
      { step: 'byok', scope: '', configId: mine.id, configName: 'mine', outcome: 'selected' },
    ]);
    expect(decide([], { fallback: 'none' })).toEqual({
      kind: 'none',
      provider: 'openai',
      trace: [
        { step: 'byok', scope: '', outcome: 'none' },
        { step: 'platform', outcome: 'skipped', reason: 'fallback_none' },
      ],
    });
    expect(decide([], { fallback: 'platform' })).toEqual({
      kind: 'platform',
      provider: 'openai',
      trace: [{ step: 'byok', scope: '', outcome: 'none' }],
    });
  });
});

describe('unusableReason and keyDisagrees', () => {
  it('take the time as a Date or an ISO string alike', () => {
    const record = candidate({ keyExpiresAt: now.toISOString() });
    expect(unusableReason(record, now)).toBe('expired');
    expect(unusableReason(record, now.toISOString())).toBe('expired');
    expect(unusableReason(record, new Date(now.getTime() - 1))).toBeNull();
  });

  it('a key is missing only when both the sealed value and the hint are', () => {
    expect(unusableReason(candidate({ sealedKey: null, keyHint: null }), now)).toBe('missing_key');
    expect(unusableReason(candidate({ sealedKey: null }), now)).toBeNull();
    expect(unusableReason(candidate({ keyHint: null }), now)).toBeNull();
    expect(keyDisagrees(candidate({ sealedKey: null }))).toBe(true);
    expect(keyDisagrees(candidate({ keyHint: null }))).toBe(true);
    expect(keyDisagrees(candidate({}))).toBe(false);
    expect(keyDisagrees(candidate({ sealedKey: null, keyHint: null }))).toBe(false);
  });
});
