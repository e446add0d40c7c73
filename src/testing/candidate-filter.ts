/**
 * Group `candidateFilter`: a filtered `loadCandidates` returns at least the
 * rows that can win the request (the named config, and the winner of the
 * walk: custom endpoints routing the provider, then the provider's configs,
 * per scope, default first, newest next, the first usable one), each equal
 * to its unfiltered row; with `pool`, the winner's whole pool too. With
 * `preciseCandidates` it returns nothing else.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { selectCandidates } from '../store/candidates.js';
import type { CandidateFilter, SealedConfigRecord, ConfigPatch, ConfigRecord, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeFakeKey, makeKeyPatch, makeTenantIds } from './fixtures.js';
import { createConfig, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

const NOW = '2030-06-15T12:00:00.000Z';
const PAST = '2030-06-15T11:59:59.999Z';
const FUTURE = '2030-06-15T12:00:00.001Z';
const CHAINS = [['ws1/p1', 'ws1', ''], ['ws1', ''], [''], ['ws2', '']];
const PROVIDERS = ['openai', 'anthropic', 'custom', 'mistral'];

/** The key state a test row is given. */
type KeyKind = 'sealed' | 'none' | 'hintOnly' | 'sealedOnly';

interface RowSpec {
  scope: string;
  provider: string;
  routes?: string[];
  enabled?: boolean;
  isDefault?: boolean;
  key?: KeyKind;
  keyExpiresAt?: string | null;
}

/** Creates one config as the spec says, through the adapter's own writes. */
async function createRow(store: StorageAdapter, tenantId: string, spec: RowSpec, name: string): Promise<ConfigRecord> {
  const record = await createConfig(store, {
    tenantId,
    name,
    scope: spec.scope,
    provider: spec.provider,
    routes: spec.routes ?? [],
    enabled: spec.enabled ?? true,
    isDefault: spec.isDefault ?? false,
  });
  const key = makeFakeKey();
  const patches: Record<KeyKind, ConfigPatch | null> = {
    sealed: makeKeyPatch(key),
    none: null,
    // A row whose hint and sealed key disagree (written behind the vault): it counts as keyed, so it fails closed.
    hintOnly: { keyHint: key.keyHint },
    sealedOnly: { sealedKey: key.sealedKey, keyHint: null },
  };
  const patch = patches[spec.key ?? 'sealed'];
  const expiry = spec.keyExpiresAt === undefined ? {} : { keyExpiresAt: spec.keyExpiresAt };
  if (patch === null && spec.keyExpiresAt === undefined) return record;
  return (await store.updateConfig(
    tenantId,
    record.id,
    { ...(patch ?? {}), ...expiry },
    { audit: makeAuditEventFor(record, 'key.set') },
  ))!;
}

/** A small deterministic PRNG, so a failing layout can be reproduced from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A tenant of varied rows: every provider, custom endpoints, every key state, expiries around NOW, defaults. */
function layout(seed: number, count: number): RowSpec[] {
  const random = prng(seed);
  const defaults = new Set<string>();
  return Array.from({ length: count }, () => {
    const scope = pick(random, ['ws1/p1', 'ws1', '', 'ws2', 'ws1/p2']);
    const provider = pick(random, ['openai', 'openai', 'anthropic', 'custom', 'mistral']);
    const isDefault = !defaults.has(scope) && random() < 0.25;
    if (isDefault) defaults.add(scope);
    return {
      scope,
      provider,
      routes: provider === 'custom' ? pick(random, [['openai'], ['anthropic', 'openai'], ['mistral'], []]) : [],
      enabled: random() < 0.75,
      isDefault,
      key: pick(random, ['sealed', 'sealed', 'sealed', 'none', 'hintOnly', 'sealedOnly'] as const),
      keyExpiresAt: pick(random, [null, null, null, PAST, FUTURE, NOW]),
    };
  });
}

/** Every filter shape a resolution sends, for one tenant's rows. */
function filters(rows: readonly ConfigRecord[]): CandidateFilter[] {
  const named =
    rows.length === 0
      ? []
      : [rows[0]!.id, rows[rows.length - 1]!.name, rows[Math.floor(rows.length / 2)]!.id, 'no-such-config'];
  return [
    ...PROVIDERS.map((provider) => ({ provider, config: null, now: NOW })),
    // Key pools: the winner and the rest of its pool.
    ...PROVIDERS.map((provider) => ({ provider, config: null, now: NOW, pool: true })),
    ...named.slice(0, 2).map((config) => ({ provider: 'openai', config, now: NOW, pool: true })),
    { provider: null, config: null, now: NOW },
    ...named.flatMap((config) => [
      { provider: null, config, now: NOW },
      ...PROVIDERS.map((provider) => ({ provider, config, now: NOW })),
    ]),
  ];
}

/**
 * Checks one filtered read against the unfiltered one: it holds every row
 * that can win (by the reference rule), every row equal to its unfiltered
 * self, no duplicate, nothing outside the chain; and with `precise`, nothing else.
 */
async function checkRead(
  store: StorageAdapter,
  tenantId: string,
  chain: string[],
  filter: CandidateFilter,
  precise: boolean,
): Promise<void> {
  const all = await store.loadCandidates(tenantId, chain);
  const got = await store.loadCandidates(tenantId, chain, filter);
  const required = selectCandidates(all, chain, filter)
    .map((row) => row.id)
    .sort();
  const ids = got.map((row) => row.id);
  const what = `filter ${JSON.stringify(filter)}, scopes ${JSON.stringify(chain)}`;
  expect(new Set(ids).size, `${what}: a row twice`).toBe(ids.length);
  for (const id of required) expect(ids, `${what}: a row that can win is missing`).toContain(id);
  for (const row of got)
    expect(row, `${what}: a row differs from the unfiltered read`).toStrictEqual(
      all.find((other) => other.id === row.id),
    );
  if (precise) expect([...ids].sort(), `${what}: rows that can't win`).toStrictEqual(required);
}

/** Registers the `candidateFilter` group. */
export function describeCandidateFilter(options: StorageAdapterTestOptions): void {
  const precise = options.preciseCandidates === true;
  describe(groupTitle(options, 'candidate filter'), () => {
    const sut = useStore(options);

    it(`returns every row that can win, for every filter shape and scope chain${precise ? ', and nothing else' : ''}`, async () => {
      const { store } = sut();
      for (const seed of [1, 2, 3]) {
        const { a } = makeTenantIds();
        const specs = layout(seed, 36);
        const rows: ConfigRecord[] = [];
        for (const [i, spec] of specs.entries()) rows.push(await createRow(store, a, spec, `s${seed}-${i}`));
        for (const chain of CHAINS)
          for (const filter of filters(rows)) await checkRead(store, a, chain, filter, precise);
      }
    });

    it('the winner: a usable custom endpoint routing the provider beats the provider’s own default in its scope; a child scope beats its parent', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const parentCustom = await createRow(
        store,
        a,
        { scope: '', provider: 'custom', routes: ['openai'] },
        'parent-custom',
      );
      const childDefault = await createRow(
        store,
        a,
        { scope: 'ws1', provider: 'openai', isDefault: true },
        'child-default',
      );
      const childCustom = await createRow(
        store,
        a,
        { scope: 'ws1', provider: 'custom', routes: ['anthropic', 'openai'] },
        'child-custom',
      );
      const openai = { provider: 'openai', config: null, now: NOW };
      expect((await store.loadCandidates(a, ['ws1', ''], openai)).map((r) => r.id)).toContain(childCustom.id);
      expect((await store.loadCandidates(a, [''], openai)).map((r) => r.id)).toContain(parentCustom.id);
      expect(
        (await store.loadCandidates(a, ['ws1', ''], { ...openai, provider: 'custom' })).map((r) => r.id),
      ).toContain(childCustom.id);
      await store.updateConfig(
        a,
        childCustom.id,
        { enabled: false },
        { audit: makeAuditEventFor(childCustom, 'key.disabled') },
      );
      expect((await store.loadCandidates(a, ['ws1', ''], openai)).map((r) => r.id)).toContain(childDefault.id);
      if (precise)
        expect((await store.loadCandidates(a, ['ws1', ''], openai)).map((r) => r.id)).toStrictEqual([childDefault.id]);
    });

    it('the winner skips disabled, keyless and expired rows (expired: keyExpiresAt not after `now`, as strings), default first', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const oldest = await createRow(store, a, { scope: '', provider: 'openai' }, 'oldest');
      const expiring = await createRow(store, a, { scope: '', provider: 'openai', keyExpiresAt: NOW }, 'expiring');
      await createRow(store, a, { scope: '', provider: 'openai', key: 'none' }, 'keyless');
      await createRow(store, a, { scope: '', provider: 'openai', enabled: false }, 'disabled');
      const ids = async (now: string) =>
        (await store.loadCandidates(a, [''], { provider: 'openai', config: null, now })).map((r) => r.id);
      expect(await ids(NOW)).toContain(oldest.id);
      expect(await ids(PAST)).toContain(expiring.id);
      const defaultRow = await createRow(
        store,
        a,
        { scope: '', provider: 'openai', isDefault: true, keyExpiresAt: FUTURE },
        'default',
      );
      expect(await ids(NOW)).toContain(defaultRow.id);
      expect(await ids(FUTURE)).toContain(oldest.id);
      if (precise) expect(await ids(FUTURE)).toStrictEqual([oldest.id]);
    });

    it('a row whose key hint and sealed key disagree counts as keyed, so it is returned where it wins', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      await createRow(store, a, { scope: '', provider: 'openai' }, 'older');
      const hintOnly = await createRow(store, a, { scope: '', provider: 'openai', key: 'hintOnly' }, 'hint-only');
      expect(
        (await store.loadCandidates(a, [''], { provider: 'openai', config: null, now: NOW })).map((r) => r.id),
      ).toContain(hintOnly.id);
      const sealedOnly = await createRow(store, a, { scope: '', provider: 'openai', key: 'sealedOnly' }, 'sealed-only');
      expect(
        (await store.loadCandidates(a, [''], { provider: null, config: null, now: NOW })).map((r) => r.id),
      ).toContain(sealedOnly.id);
    });

    it('a named config is returned by id or by name, usable or not, within the scopes only', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const disabled = await createRow(store, a, { scope: 'ws1', provider: 'anthropic', enabled: false }, 'named');
      await createRow(store, b, { scope: 'ws1', provider: 'anthropic' }, 'named');
      const ids = async (tenantId: string, config: string, scopes: string[]) =>
        (await store.loadCandidates(tenantId, scopes, { provider: null, config, now: NOW })).map((r) => r.id);
      expect(await ids(a, 'named', ['ws1', ''])).toContain(disabled.id);
      expect(await ids(a, disabled.id, ['ws1', ''])).toContain(disabled.id);
      expect(await ids(a, disabled.id, [''])).not.toContain(disabled.id);
      expect(await ids(a, 'named', ['ws2', ''])).toStrictEqual([]);
      if (precise) expect(await ids(a, 'named', ['ws1', ''])).toStrictEqual([disabled.id]);
    });

    it('many configs of one provider in one scope: the filtered read still holds the winner (newest usable), also after it changes', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const rows: SealedConfigRecord[] = [];
      for (let i = 0; i < 60; i++) {
        const record = await createRow(
          store,
          a,
          { scope: 'ws1', provider: 'openai', key: i % 3 === 0 ? 'sealed' : 'none' },
          `many-${i}`,
        );
        rows.push((await store.loadSealedConfig(a, record.id))!);
      }
      const filter = { provider: 'openai', config: null, now: NOW };
      const newestKeyed = rows.filter((r) => r.sealedKey !== null).at(-1)!;
      expect((await store.loadCandidates(a, ['ws1', ''], filter)).map((r) => r.id)).toContain(newestKeyed.id);
      if (precise) expect(await store.loadCandidates(a, ['ws1', ''], filter)).toHaveLength(1);
      await store.updateConfig(
        a,
        newestKeyed.id,
        { sealedKey: null, keyHint: null },
        { audit: makeAuditEventFor(newestKeyed, 'key.removed') },
      );
      const next = rows.filter((r) => r.sealedKey !== null).at(-2)!;
      expect((await store.loadCandidates(a, ['ws1', ''], filter)).map((r) => r.id)).toContain(next.id);
      const key = makeFakeKey();
      await store.updateConfig(a, rows[1]!.id, makeKeyPatch(key), { audit: makeAuditEventFor(rows[1]!, 'key.set') });
      await store.updateConfig(
        a,
        rows[1]!.id,
        { isDefault: true },
        { audit: makeAuditEventFor(rows[1]!, 'config.default_changed') },
      );
      expect((await store.loadCandidates(a, ['ws1', ''], filter)).find((r) => r.id === rows[1]!.id)?.sealedKey).toBe(
        key.sealedKey,
      );
    });

    it('with pool: the winner and every other usable config of its provider in its scope; none for a custom endpoint winner', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const older = await createRow(store, a, { scope: 'ws1', provider: 'openai' }, 'pool-older');
      const def = await createRow(store, a, { scope: 'ws1', provider: 'openai', isDefault: true }, 'pool-default');
      await createRow(store, a, { scope: 'ws1', provider: 'openai', enabled: false }, 'pool-disabled');
      await createRow(store, a, { scope: 'ws1', provider: 'openai', keyExpiresAt: PAST }, 'pool-expired');
      await createRow(store, a, { scope: 'ws1', provider: 'anthropic' }, 'pool-other-provider');
      await createRow(store, a, { scope: '', provider: 'openai' }, 'pool-parent');
      const newer = await createRow(store, a, { scope: 'ws1', provider: 'openai' }, 'pool-newer');
      const pooled = { provider: 'openai', config: null, now: NOW, pool: true };
      const ids = async () => (await store.loadCandidates(a, ['ws1', ''], pooled)).map((r) => r.id);
      for (const id of [def.id, older.id, newer.id]) expect(await ids()).toContain(id);
      if (precise) expect((await ids()).sort()).toStrictEqual([def.id, older.id, newer.id].sort());
      // Without pool: the one-winner read.
      if (precise)
        expect((await store.loadCandidates(a, ['ws1', ''], { ...pooled, pool: false })).map((r) => r.id)).toStrictEqual(
          [def.id],
        );
      // A custom endpoint routing the provider wins: it brings no pool.
      const custom = await createRow(store, a, { scope: 'ws1', provider: 'custom', routes: ['openai'] }, 'pool-custom');
      expect(await ids()).toContain(custom.id);
      if (precise) expect(await ids()).toStrictEqual([custom.id]);
    });

    it('another tenant’s rows are never returned, whatever the filter', async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const theirs = await createRow(store, b, { scope: '', provider: 'openai', isDefault: true }, 'theirs');
      for (const filter of [
        { provider: 'openai', config: null, now: NOW },
        { provider: null, config: null, now: NOW },
        { provider: null, config: theirs.id, now: NOW },
        { provider: 'openai', config: 'theirs', now: NOW },
        { provider: 'openai', config: null, now: NOW, pool: true },
      ]) {
        expect(await store.loadCandidates(a, [''], filter)).toStrictEqual([]);
      }
    });
  });
}
