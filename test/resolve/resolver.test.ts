import { describe, expect, it } from 'vitest';
import { makeConfigRecord } from '../../src/testing/fixtures.js';
import { decideResolution, type DecisionInput } from '../../src/resolve/resolver.js';
import { scopeChain } from '../../src/resolve/scope.js';
import type { CandidateRecord } from '../../src/store/types.js';

const now = new Date('2026-06-01T00:00:00.000Z');

function candidate(overrides: Partial<CandidateRecord>): CandidateRecord {
  const { sealedKey = 'byokit:1:sealed', ...fields } = overrides;
  const at = now.toISOString();
  return {
    ...makeConfigRecord({ tenantId: 't1', name: `c-${Math.random()}`, keyHint: 'sk-...abcd', kekId: 'k1', keySetAt: at, createdAt: at, updatedAt: at, ...fields }),
    sealedKey,
    pendingSealedKey: null,
    previousSealedKey: null,
  };
}

function decide(candidates: CandidateRecord[], input: Partial<DecisionInput> & { scope?: string } = {}) {
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

describe('decideResolution: precedence (DESIGN rule 6)', () => {
  it('explicit config beats a custom endpoint and the default', () => {
    const explicit = candidate({ name: 'explicit' });
    const all = [candidate({ name: 'custom', provider: 'custom', routes: ['openai'] }), candidate({ name: 'default', isDefault: true }), explicit];
    const d = decide(all, { explicit });
    expect(picked(d)).toBe('explicit');
    expect(d.trace.at(-1)).toMatchObject({ step: 'explicit', outcome: 'selected' });
  });

  it('a custom endpoint routing the provider beats the BYOK default', () => {
    const d = decide([candidate({ name: 'default', isDefault: true }), candidate({ name: 'custom', provider: 'custom', routes: ['openai'] })]);
    expect(picked(d)).toBe('custom');
    expect(d.kind === 'config' && d.source).toBe('custom');
  });

  it('a custom endpoint that does not route the provider is ignored', () => {
    const d = decide([candidate({ name: 'byok' }), candidate({ name: 'custom', provider: 'custom', routes: ['anthropic'] })]);
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
    const d = decide([candidate({ name: 'parent-custom', provider: 'custom', routes: ['openai'] }), candidate({ name: 'child', scope: 'ws' })], { scope: 'ws' });
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

describe('decideResolution: fall-through (DESIGN rule 7)', () => {
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
    ['a hint without a sealed key, expired', { ...hintWithoutSealed, keyExpiresAt: '2026-05-31T23:59:59.000Z' }, 'backup'],
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
    const broken = (extra: Partial<CandidateRecord>) => candidate({ name: 'broken', ...hintWithoutSealed, ...extra });
    expect(decide([broken({})]).kind).toBe('undecryptable');
    expect(decide([broken({ provider: 'custom', routes: ['openai'] })]).kind).toBe('undecryptable');
    expect(decide([broken({ scope: 'ws' })], { scope: 'ws/proj' }).kind).toBe('undecryptable');
    expect(decide([broken({})], { provider: null }).kind).toBe('undecryptable');
    const explicit = broken({});
    expect(decide([explicit], { explicit }).kind).toBe('undecryptable');
    expect(decide([broken({})], { fallback: 'none' }).kind).toBe('undecryptable');
  });

  it('a more specific usable config still wins over a broken one further up', () => {
    const d = decide([candidate({ name: 'broken', ...hintWithoutSealed }), candidate({ name: 'proj', scope: 'ws' })], { scope: 'ws' });
    expect(picked(d)).toBe('proj');
  });
});
