/**
 * planConfigUpdate decides what an update means, with no I/O: a table of
 * patches against stored configs, each row the rule it shows (docs/concepts.md
 * "Permissions", docs/architecture.md rules 5 and 9).
 */
import { describe, expect, it } from 'vitest';
import type { ConfigRecord } from '../../src/store/types.js';
import { makeConfigRecord } from '../../src/testing/fixtures.js';
import { type ConfigUpdateInput, planConfigUpdate } from '../../src/vault/plan-config-update.js';

const plain = makeConfigRecord({ id: 'cfg_1', scope: 'ws1', provider: 'openai', baseUrl: null });
const keyed = makeConfigRecord({
  id: 'cfg_1',
  scope: 'ws1',
  provider: 'openai',
  keyHint: 'sk-...7xQ2',
  kekId: 'k1',
  keySetAt: '2026-01-01T00:00:00.000Z',
  lastValidatedAt: '2026-01-02T00:00:00.000Z',
  lastValidationStatus: 'valid',
});
const stagedOnly = makeConfigRecord({ id: 'cfg_1', scope: 'ws1', pendingKeyHint: 'sk-...AAAA' });
const keyedDefault = { ...keyed, isDefault: true };

type Row = {
  case: string;
  current: ConfigRecord;
  input: ConfigUpdateInput;
  changed: string[];
  /** `permission@scope` in the order asked. */
  asks: string[];
  keys: 'keep' | 'drop' | 'reseal';
  changes: string[];
  policy: boolean;
};

const rows: Row[] = [
  {
    case: 'nothing given: config:write asked, nothing changes',
    current: keyed,
    input: {},
    changed: [],
    asks: ['config:write@ws1'],
    keys: 'keep',
    changes: [],
    policy: false,
  },
  {
    case: 'the same values given: nothing changes',
    current: keyed,
    input: { name: keyed.name, routes: [], baseUrl: null },
    changed: [],
    asks: ['config:write@ws1'],
    keys: 'keep',
    changes: [],
    policy: false,
  },
  {
    case: 'undefined is "not given", not "clear"',
    current: keyed,
    input: { baseUrl: undefined, model: undefined },
    changed: [],
    asks: ['config:write@ws1'],
    keys: 'keep',
    changes: [],
    policy: false,
  },
  {
    case: 'a rename of a keyed config: config:write only',
    current: keyed,
    input: { name: 'renamed' },
    changed: ['name'],
    asks: ['config:write@ws1'],
    keys: 'keep',
    changes: ['name'],
    policy: false,
  },
  {
    case: 'model and options: config:write only',
    current: keyed,
    input: { model: 'gpt-4o', options: { deployment: 'x' } },
    changed: ['model', 'options'],
    asks: ['config:write@ws1'],
    keys: 'keep',
    changes: ['model', 'options'],
    policy: false,
  },
  {
    case: 'a base URL on a config without a key: key:manage (it decides where a key will go), nothing to re-seal',
    current: plain,
    input: { baseUrl: 'https://proxy.example.com/v1' },
    changed: ['baseUrl'],
    asks: ['config:write@ws1', 'key:manage@ws1'],
    keys: 'keep',
    changes: ['baseUrl'],
    policy: true,
  },
  {
    case: 'a base URL on a keyed config: key:manage, every key re-sealed',
    current: keyed,
    input: { baseUrl: 'https://proxy.example.com/v1' },
    changed: ['baseUrl'],
    asks: ['config:write@ws1', 'key:manage@ws1'],
    keys: 'reseal',
    changes: ['baseUrl', 'key'],
    policy: true,
  },
  {
    case: 'a base URL on a config with only a staged key: re-sealed too',
    current: stagedOnly,
    input: { baseUrl: 'https://proxy.example.com/v1' },
    changed: ['baseUrl'],
    asks: ['config:write@ws1', 'key:manage@ws1'],
    keys: 'reseal',
    changes: ['baseUrl', 'key'],
    policy: true,
  },
  {
    case: 'another provider on a keyed config: key:manage, the keys dropped',
    current: keyed,
    input: { provider: 'anthropic' },
    changed: ['provider'],
    asks: ['config:write@ws1', 'key:manage@ws1'],
    keys: 'drop',
    changes: ['provider', 'key'],
    policy: true,
  },
  {
    case: 'provider and base URL together: dropped, not re-sealed',
    current: keyed,
    input: { provider: 'anthropic', baseUrl: 'https://proxy.example.com' },
    changed: ['provider', 'baseUrl'],
    asks: ['config:write@ws1', 'key:manage@ws1'],
    keys: 'drop',
    changes: ['provider', 'baseUrl', 'key'],
    policy: true,
  },
  {
    case: 'routes of a keyed config: key:manage (which traffic reaches the key)',
    current: keyed,
    input: { routes: ['anthropic'] },
    changed: ['routes'],
    asks: ['config:write@ws1', 'key:manage@ws1'],
    keys: 'keep',
    changes: ['routes'],
    policy: false,
  },
  {
    case: 'routes of a config without a key: config:write only',
    current: plain,
    input: { routes: ['anthropic'] },
    changed: ['routes'],
    asks: ['config:write@ws1'],
    keys: 'keep',
    changes: ['routes'],
    policy: false,
  },
  {
    case: 'a move of a config without a key: config:write in both scopes',
    current: plain,
    input: { scope: 'ws2' },
    changed: ['scope'],
    asks: ['config:write@ws1', 'config:write@ws2'],
    keys: 'keep',
    changes: ['scope'],
    policy: false,
  },
  {
    case: 'a move of a keyed default: both permissions in both scopes, the default cleared',
    current: keyedDefault,
    input: { scope: '' },
    changed: ['scope'],
    asks: ['config:write@ws1', 'config:write@', 'key:manage@ws1', 'key:manage@'],
    keys: 'keep',
    changes: ['scope', 'isDefault'],
    policy: false,
  },
];

describe('planConfigUpdate', () => {
  it.each(rows)('$case', (row) => {
    const plan = planConfigUpdate(row.current, row.input);
    expect(plan.changed).toEqual(row.changed);
    expect(plan.authorizations.map((a) => `${a.permission}@${a.context.scope}`)).toEqual(row.asks);
    expect(plan.keys).toBe(row.keys);
    expect(plan.changes).toEqual(row.changes);
    expect(plan.checkEndpointPolicy).toBe(row.policy);
    for (const field of row.changed)
      expect(plan.patch).toHaveProperty(field, row.input[field as keyof ConfigUpdateInput]);
    for (const a of plan.authorizations) expect(a.context.fields).toEqual(row.changed);
  });

  it('tells the policy where a move goes, on every question of it', () => {
    const plan = planConfigUpdate(keyed, { scope: 'ws2' });
    expect(plan.authorizations.map((a) => a.context)).toEqual(
      ['ws1', 'ws2', 'ws1', 'ws2'].map((scope) => ({ scope, provider: 'openai', fields: ['scope'], toScope: 'ws2' })),
    );
    expect(plan.detail).toEqual({ fromScope: 'ws1', toScope: 'ws2' });
    expect(plan.patch.isDefault).toBeUndefined();
  });

  it('a provider change empties every key slot and the validation', () => {
    const plan = planConfigUpdate(
      { ...keyed, pendingKeyHint: 'sk-...BBBB', previousKeyHint: 'sk-...CCCC' },
      {
        provider: 'mistral',
      },
    );
    expect(plan.patch).toMatchObject({
      provider: 'mistral',
      sealedKey: null,
      keyHint: null,
      keySetAt: null,
      keyExpiresAt: null,
      lastValidatedAt: null,
      lastValidationStatus: null,
      pendingSealedKey: null,
      pendingKeyHint: null,
      previousSealedKey: null,
      previousKeyHint: null,
      previousKeyKeptUntil: null,
    });
    expect(plan.detail).toEqual({ fromProvider: 'openai', toProvider: 'mistral' });
  });

  it('a re-seal forgets the active key validation but leaves the keys to the handle', () => {
    const plan = planConfigUpdate(keyed, { baseUrl: 'https://proxy.example.com/v1' });
    expect(plan.patch).toEqual({
      baseUrl: 'https://proxy.example.com/v1',
      lastValidatedAt: null,
      lastValidationStatus: null,
    });
    expect(plan.detail).toEqual({ fromBaseUrl: null, toBaseUrl: 'https://proxy.example.com/v1' });
    expect(plan.next.baseUrl).toBe('https://proxy.example.com/v1');
    expect(plan.next.provider).toBe('openai');
  });

  it('a re-seal of a staged-only config keeps the active validation', () => {
    const plan = planConfigUpdate(stagedOnly, { baseUrl: 'https://proxy.example.com/v1' });
    expect(plan.patch).toEqual({ baseUrl: 'https://proxy.example.com/v1' });
  });

  it('decides without touching its inputs', () => {
    const current = structuredClone(keyedDefault);
    const input = { scope: 'ws9', provider: 'anthropic' };
    planConfigUpdate(current, input);
    expect(current).toEqual(keyedDefault);
    expect(input).toEqual({ scope: 'ws9', provider: 'anthropic' });
  });
});
