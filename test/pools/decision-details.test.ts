/**
 * The pools decision's details (src/pools/decide.ts): a pool member whose
 * stored key is broken, a one-member pool's trace, who is in a deeper
 * scope's pool, the rotation counter per pool, and withKey's moves when the
 * callback itself changes the tenant's keys (the next decision is then a
 * platform key, another config or none). No request leaves the process.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, type Resolution, type StorageAdapter } from '../../src/index.js';
import { refusal } from '../vault/helpers.js';
import { keyOf, poolVault } from './helpers.js';

const unauthorized = () => Object.assign(new Error('401 Incorrect API key provided'), { status: 401 });

/** A memory store whose candidate rows for `broken()` ids come back with their sealed value removed behind the vault. */
function breakingStore(broken: () => Set<string>): StorageAdapter {
  const store = new MemoryStore();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'loadCandidates' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const rows =
          (await (value as (...a: unknown[]) => Promise<{ id: string; sealedKey: unknown }[]>).apply(target, args)) ??
          [];
        return rows.map((row) => (broken().has(row.id) ? { ...row, sealedKey: null } : row));
      };
    },
  });
}

describe('a pool member whose stored key is broken', () => {
  it('a broken winner does not hide its healthy pool member (round-robin), and the broken one fails closed when its turn comes', async () => {
    const broken = new Set<string>();
    const s = await poolVault(['a', 'b'], { store: breakingStore(() => broken) });
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    broken.add(s.ids.b); // b is the winner (most recent)
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        const r = await s.vault.resolve({ tenantId: 'acme', provider: 'openai' });
        expect(r.source).toBe('byok');
        expect(r.trace).toHaveLength(1);
        expect(r.trace[0]).toMatchObject({ step: 'byok', configId: s.ids.a, outcome: 'selected', pool: 'round-robin' });
        outcomes.push(r.configName!);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('KEY_UNDECRYPTABLE');
        outcomes.push('broken');
      }
    }
    expect(outcomes.filter((o) => o === 'a')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'broken')).toHaveLength(2);
  });

  it('a healthy winner whose pool turn falls on a broken member fails closed with KEY_UNDECRYPTABLE', async () => {
    const broken = new Set<string>();
    const s = await poolVault(['a', 'b'], { store: breakingStore(() => broken) });
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    broken.add(s.ids.a);
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const error = await s.vault.resolve({ tenantId: 'acme', provider: 'openai' }).then(
        (r) => r.configName!,
        (e: { code?: string }) => e.code ?? 'no code',
      );
      codes.push(error);
    }
    expect(codes.sort()).toEqual(['KEY_UNDECRYPTABLE', 'KEY_UNDECRYPTABLE', 'b', 'b']);
  });
});

describe('what a resolution with pools on carries', () => {
  it('a one-member pool keeps the walk’s own trace entry', async () => {
    const s = await poolVault(['a']);
    const r = await s.vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.trace).toEqual([{ step: 'byok', scope: '', configId: s.ids.a, configName: 'a', outcome: 'selected' }]);
  });

  it('a named config is not a pool: always that config, with the walk’s own trace', async () => {
    const s = await poolVault(['a', 'b']);
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    for (const explain of [false, true, false, true]) {
      const r = await s.vault.resolve({ tenantId: 'acme', provider: 'openai', config: 'a', explain });
      expect(r.configName).toBe('a');
      expect(r.trace.every((t) => t.pool === undefined)).toBe(true);
      expect(r.trace.at(-1)).toMatchObject({ configId: s.ids.a, outcome: 'selected' });
    }
  });

  it('a custom endpoint that routes the provider is not a pool: it wins every time, round-robin or not', async () => {
    const s = await poolVault(['a', 'b']);
    const gw = await s.owner.createConfig({
      name: 'gw',
      provider: 'custom',
      baseUrl: 'https://gw.example/v1',
      routes: ['openai'],
    });
    await s.owner.setKey(gw.id, 'gw-key-0000000000000000000001');
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    for (const explain of [false, true, false, true]) {
      const r = await s.vault.resolve({ tenantId: 'acme', provider: 'openai', explain });
      expect(r).toMatchObject({ source: 'custom', configId: gw.id });
    }
  });

  it('a platform key resolved with pools on is the platform key', async () => {
    const s = await poolVault([], { vault: { platformKeys: { openai: keyOf('platform') } } });
    const r = await s.vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.source).toBe('platform');
    expect((await refusal(s.vault.resolve({ tenantId: 'acme', provider: 'anthropic' }))).code).toBe('NO_KEY');
  });

  it('the pool of a deeper scope’s winner is that scope’s configs only, when the whole chain is read', async () => {
    const s = await poolVault(['a', 'b'], { scope: 'ws' });
    const top = await s.owner.createConfig({ name: 'top', provider: 'openai' });
    await s.owner.setKey(top.id, keyOf('top'));
    await s.owner.setPoolPolicy({ provider: 'openai', scope: 'ws', policy: 'round-robin' });
    const names = new Set<string>();
    for (let i = 0; i < 6; i++)
      names.add(
        (await s.vault.resolve({ tenantId: 'acme', provider: 'openai', scope: 'ws', explain: true })).configName!,
      );
    expect(names).toEqual(new Set(['a', 'b']));
  });
});

describe('the rotation counter', () => {
  it('each pool turns on its own: two tenants resolved in turn each alternate their members', async () => {
    const s = await poolVault(['a', 'b']);
    const other = s.vault.as({ tenantId: 'beta', actor: { id: 'o', role: 'owner' } });
    for (const label of ['a', 'b']) {
      const cfg = await other.createConfig({ name: label, provider: 'openai' });
      await other.setKey(cfg.id, keyOf(label));
    }
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    await other.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    const seen: Record<string, string[]> = { acme: [], beta: [] };
    for (let i = 0; i < 4; i++) {
      for (const tenantId of ['acme', 'beta'])
        seen[tenantId]!.push((await s.vault.resolve({ tenantId, provider: 'openai' })).configName!);
    }
    for (const names of Object.values(seen)) {
      expect(names[0]).not.toBe(names[1]);
      expect(names[1]).not.toBe(names[2]);
      expect(names[2]).not.toBe(names[3]);
    }
  });

  it('a failover pool does not move the counter: once switched to round-robin it starts where a fresh pool does', async () => {
    const fresh = await poolVault(['a', 'b']);
    await fresh.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    const first = (await fresh.vault.resolve({ tenantId: 'acme', provider: 'openai' })).configName;
    const s = await poolVault(['a', 'b']);
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'failover' });
    await s.vault.resolve({ tenantId: 'acme', provider: 'openai' });
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    expect((await s.vault.resolve({ tenantId: 'acme', provider: 'openai' })).configName).toBe(first);
  });
});

describe('withKey when the callback changed the keys before failing', () => {
  it('the next decision is the platform key: used when the call opted in, else the provider’s error', async () => {
    for (const onFailure of ['platform', undefined] as const) {
      const s = await poolVault(['a'], { vault: { platformKeys: { openai: keyOf('platform') } } });
      const seen: string[] = [];
      const run = s.vault.withKey(
        { tenantId: 'acme', provider: 'openai' },
        async (_client: unknown, r: Resolution) => {
          seen.push(r.source);
          if (r.source === 'platform') return 'ok';
          await s.owner.setEnabled(s.ids.a, false);
          throw unauthorized();
        },
        onFailure === undefined ? {} : { onFailure },
      );
      if (onFailure === 'platform') {
        expect(await run).toBe('ok');
        expect(seen).toEqual(['byok', 'platform']);
      } else {
        expect(await refusal(run)).toMatchObject({ status: 401 });
        expect(seen).toEqual(['byok']);
      }
    }
  });

  it('the next decision is no key at all: the provider’s error', async () => {
    const s = await poolVault(['a']);
    const seen: string[] = [];
    const error = await refusal(
      s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, async (_client: unknown, r: Resolution) => {
        seen.push(r.configName!);
        await s.owner.setEnabled(s.ids.a, false);
        throw unauthorized();
      }),
    );
    expect(error).toMatchObject({ status: 401, message: '401 Incorrect API key provided' });
    expect(seen).toEqual(['a']);
  });

  it('with the fallback "none", the next decision is no key at all: the provider’s error, with or without a provider named', async () => {
    for (const provider of ['openai', undefined]) {
      const s = await poolVault(['a'], { vault: { fallback: 'none' } });
      const seen: string[] = [];
      const error = await refusal(
        s.vault.withKey(
          provider === undefined ? { tenantId: 'acme' } : { tenantId: 'acme', provider },
          async (_client: unknown, r: Resolution) => {
            seen.push(r.configName!);
            await s.owner.setEnabled(s.ids.a, false);
            throw unauthorized();
          },
        ),
      );
      expect(error).toMatchObject({ status: 401, message: '401 Incorrect API key provided' });
      expect(seen).toEqual(['a']);
    }
  });

  it('a request without a provider moves to the config that now wins, with the move in its trace', async () => {
    const s = await poolVault(['a', 'b']);
    const traces: (readonly unknown[])[] = [];
    const answer = await s.vault.withKey({ tenantId: 'acme' }, async (_client: unknown, r: Resolution) => {
      traces.push(r.trace);
      if (r.configName === 'b') {
        await s.owner.setEnabled(s.ids.b, false);
        throw unauthorized();
      }
      return r.configName;
    });
    expect(answer).toBe('a');
    expect(traces).toHaveLength(2);
    expect(traces[1]![0]).toMatchObject({
      step: 'retry',
      configId: s.ids.b,
      outcome: 'skipped',
      reason: 'auth_failed',
    });
  });

  it('a request without a provider that opted into the platform key still ends on the provider’s error', async () => {
    const s = await poolVault(['a'], { vault: { platformKeys: { openai: keyOf('platform') } } });
    const seen: string[] = [];
    const error = await refusal(
      s.vault.withKey(
        { tenantId: 'acme' },
        (_client: unknown, r: Resolution) => {
          seen.push(r.source);
          throw unauthorized();
        },
        { onFailure: 'platform' },
      ),
    );
    expect(error).toMatchObject({ status: 401 });
    expect(seen).toEqual(['byok']);
  });
});
