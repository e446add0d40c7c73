/**
 * withKey's moves where there is no pool to move in: a request without a
 * provider, a named config, a custom endpoint, a platform key. The callback
 * fails as an SDK call would (an error with an HTTP status); no request
 * leaves the process. With no other key, the host gets the provider's
 * error back, not byokit's NO_KEY.
 */
import { describe, expect, it } from 'vitest';
import type { Resolution } from '../../src/index.js';
import { refusal } from '../vault/helpers.js';
import { keyOf, poolVault } from './helpers.js';

const unauthorized = () => Object.assign(new Error('401 Incorrect API key provided'), { status: 401 });

describe('withKey with no other key to move to', () => {
  it('a request without a provider is not retried with the same key: the provider error, after one try', async () => {
    const s = await poolVault(['a', 'b']);
    const seen: string[] = [];
    const error = await refusal(
      s.vault.withKey({ tenantId: 'acme' }, (_client: unknown, r: Resolution) => {
        seen.push(r.configName!);
        throw unauthorized();
      }),
    );
    expect(seen).toEqual(['b']);
    expect(error).toMatchObject({ status: 401, message: '401 Incorrect API key provided' });
  });

  it('a named config is not a pool: the provider error once it failed, no other member tried', async () => {
    const s = await poolVault(['a', 'b']);
    const seen: string[] = [];
    const error = await refusal(
      s.vault.withKey({ tenantId: 'acme', provider: 'openai', config: 'a' }, (_client: unknown, r: Resolution) => {
        seen.push(r.configName!);
        throw unauthorized();
      }),
    );
    expect(seen).toEqual(['a']);
    expect(error).toMatchObject({ status: 401 });
  });

  it('an exhausted pool ends on the platform key when the call opted in and the vault’s fallback allows it', async () => {
    const s = await poolVault(['a'], { vault: { platformKeys: { openai: keyOf('platform') } } });
    const seen: string[] = [];
    const answer = await s.vault.withKey(
      { tenantId: 'acme', provider: 'openai' },
      (_client: unknown, r: Resolution) => {
        seen.push(r.source);
        if (r.source !== 'platform') throw unauthorized();
        return 'ok';
      },
      { onFailure: 'platform' },
    );
    expect(answer).toBe('ok');
    expect(seen).toEqual(['byok', 'platform']);
    const strict = await poolVault(['a'], { vault: { platformKeys: { openai: keyOf('platform') }, fallback: 'none' } });
    const sources: string[] = [];
    const error = await refusal(
      strict.vault.withKey(
        { tenantId: 'acme', provider: 'openai' },
        (_client: unknown, r: Resolution) => {
          sources.push(r.source);
          throw unauthorized();
        },
        { onFailure: 'platform' },
      ),
    );
    expect(sources).toEqual(['byok']);
    expect(error).toMatchObject({ status: 401 });
  });
});

describe('withKey in a pool', () => {
  it('moves to the next member, and the resolution after a move carries the pool’s trace', async () => {
    const s = await poolVault(['a', 'b', 'c']);
    const traces: (readonly unknown[])[] = [];
    const answer = await s.vault.withKey(
      { tenantId: 'acme', provider: 'openai' },
      (_client: unknown, r: Resolution) => {
        traces.push(r.trace);
        if (r.configName !== 'b') throw unauthorized();
        return r.configName;
      },
    );
    expect(answer).toBe('b');
    expect(traces).toHaveLength(2);
    expect(traces[1]).toEqual([
      { step: 'retry', scope: '', configId: s.ids.c, configName: 'c', outcome: 'skipped', reason: 'auth_failed' },
      { step: 'byok', scope: '', configId: s.ids.b, configName: 'b', outcome: 'selected', pool: 'failover' },
    ]);
  });
});

describe('who is in the winner’s pool', () => {
  it('round-robin turns over the usable configs of the winner’s scope and provider only', async () => {
    const s = await poolVault(['a', 'b']);
    // Not members: disabled, another scope, another provider, no key.
    const off = await s.owner.createConfig({ name: 'off', provider: 'openai' });
    await s.owner.setKey(off.id, keyOf('off'));
    await s.owner.setEnabled(off.id, false);
    const deeper = await s.owner.createConfig({ name: 'deeper', provider: 'openai', scope: 'ws' });
    await s.owner.setKey(deeper.id, keyOf('deeper'));
    const claude = await s.owner.createConfig({ name: 'claude', provider: 'anthropic' });
    await s.owner.setKey(claude.id, 'sk-ant-api03-AAAAaaaa1111bbbb2222cccc3333');
    await s.owner.createConfig({ name: 'empty', provider: 'openai' });
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    // explain: true reads every row of the chain, so the pool is drawn from all of them here, not from a filtered read.
    for (const explain of [false, true]) {
      const names: string[] = [];
      for (let i = 0; i < 6; i++)
        names.push((await s.vault.resolve({ tenantId: 'acme', provider: 'openai', explain })).configName!);
      expect(new Set(names)).toEqual(new Set(['a', 'b']));
      expect(names.filter((n) => n === 'a')).toHaveLength(3);
    }
  });

  it('failover does not turn: the same first member every time', async () => {
    const s = await poolVault(['a', 'b']);
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'failover' });
    const names = new Set<string>();
    for (let i = 0; i < 4; i++)
      names.add((await s.vault.resolve({ tenantId: 'acme', provider: 'openai', explain: true })).configName!);
    expect(names).toEqual(new Set(['b']));
  });

  it('a pool member chosen over the winner replaces the winner’s trace entry', async () => {
    const s = await poolVault(['a', 'b']);
    await s.owner.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
    const traces = [];
    for (let i = 0; i < 2; i++) traces.push((await s.vault.resolve({ tenantId: 'acme', provider: 'openai' })).trace);
    for (const trace of traces) {
      expect(trace).toHaveLength(1);
      expect(trace[0]).toMatchObject({ step: 'byok', outcome: 'selected', pool: 'round-robin' });
    }
  });
});
