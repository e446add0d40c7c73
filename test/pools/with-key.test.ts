/**
 * vault.withKey with the real SDKs (openai, @anthropic-ai/sdk) against a
 * local server that answers 429, 401 or 500 per key: the keys arrive in
 * the expected order in the provider's header, one request per key (the
 * SDK's own retries are off), bounded attempts and time, the host's
 * AbortSignal, the platform key only when opted in, every move in the
 * trace and in the usage outcomes.
 */
import type { Anthropic } from '@anthropic-ai/sdk';
import type { OpenAI } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome, Resolution } from '../../src/index.js';
import { refusal } from '../vault/helpers.js';
import { keyOf, poolVault } from './helpers.js';
import { startKeyServer, type KeyServer } from './key-server.js';

let server: KeyServer;
beforeAll(async () => {
  server = await startKeyServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.behaviour.clear();
  server.keys.length = 0;
});

const messages = [{ role: 'user' as const, content: 'hi' }];
const chat = (openai: OpenAI, _r: Resolution, { signal }: { signal: AbortSignal }) =>
  openai.chat.completions
    .create({ model: 'gpt-test', messages }, { signal })
    .then((c) => c.choices[0]!.message.content);

async function setup(labels: string[], extra: Parameters<typeof poolVault>[1] = {}) {
  const outcomes: Outcome[] = [];
  const made = await poolVault(labels, {
    baseUrl: server.openaiUrl,
    ...extra,
    vault: { onUsage: (o) => void outcomes.push(o), ...extra.vault },
  });
  return { ...made, outcomes };
}

/** The labels of the keys the server saw, in order. */
const seen = () => server.keys.map((key) => key.slice('sk-proj-'.length).split('0')[0]);

describe('withKey with the openai SDK', () => {
  it('a 429 moves the call to the next key of the pool, one request per key, and the answer comes from it', async () => {
    const s = await setup(['a', 'b', 'c']);
    server.behaviour.set(keyOf('c'), { status: 429, retryAfter: 30 });
    const answer = await s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat);
    expect(answer).toBe('answered with b');
    expect(seen()).toStrictEqual(['c', 'b']);
    // The next call passes the cooling key over from the start.
    await s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat);
    expect(seen()).toStrictEqual(['c', 'b', 'b']);
  });

  it('401 and 500 move too; the keys are tried in failover order, each once', async () => {
    const s = await setup(['a', 'b', 'c']);
    server.behaviour.set(keyOf('c'), 401);
    server.behaviour.set(keyOf('b'), 500);
    let last: Resolution | undefined;
    const answer = await s.vault.withKey(
      { tenantId: 'acme', provider: 'openai' },
      (openai: OpenAI, r, attempt) => {
        last = r;
        return chat(openai, r, attempt);
      },
      { maxAttempts: 3 },
    );
    expect(answer).toBe('answered with a');
    expect(seen()).toStrictEqual(['c', 'b', 'a']);
    // Every move is in the trace of the resolution that was used, with why.
    expect(last!.trace.filter((e) => e.step === 'retry')).toStrictEqual([
      { step: 'retry', scope: '', configId: s.ids.c, configName: 'c', outcome: 'skipped', reason: 'auth_failed' },
      { step: 'retry', scope: '', configId: s.ids.b, configName: 'b', outcome: 'skipped', reason: 'server_error' },
    ]);
    expect(last!.configId).toBe(s.ids.a);
    // And on the outcomes of the calls made after a move.
    expect(s.outcomes.map((o) => [s.labelOf(o.configId), o.status, o.move ?? null])).toStrictEqual([
      ['c', 'auth_failed', null],
      ['b', 'server_error', { attempt: 2, fromConfigId: s.ids.c, reason: 'auth_failed' }],
      ['a', 'ok', { attempt: 3, fromConfigId: s.ids.b, reason: 'server_error' }],
    ]);
  });

  it('attempts are bounded: with every key refused the last SDK error is thrown after maxAttempts requests', async () => {
    const s = await setup(['a', 'b', 'c', 'd']);
    for (const label of ['a', 'b', 'c', 'd']) server.behaviour.set(keyOf(label), 429);
    const error = await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { maxAttempts: 2 }));
    expect((error as { status?: number }).status).toBe(429);
    expect(seen()).toStrictEqual(['d', 'c']);
  });

  it('an exhausted pool never moves to the platform key unless opted in, per call or per vault', async () => {
    const platform = { openai: { apiKey: keyOf('p'), baseUrl: server.openaiUrl } };
    const s = await setup(['a', 'b'], { vault: { platformKeys: platform } });
    server.behaviour.set(keyOf('a'), 429);
    server.behaviour.set(keyOf('b'), 401);
    const error = await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { maxAttempts: 5 }));
    // The last key's error (b 401 first: newest; then a's 429), as the SDK threw it.
    expect((error as { status?: number }).status).toBe(429);
    expect(seen()).toStrictEqual(['b', 'a']);
    server.keys.length = 0;
    let used: Resolution | undefined;
    const answer = await s.vault.withKey(
      { tenantId: 'acme', provider: 'openai' },
      (openai: OpenAI, r, attempt) => ((used = r), chat(openai, r, attempt)),
      { maxAttempts: 5, onFailure: 'platform' },
    );
    expect(answer).toBe('answered with p');
    expect(used!.source).toBe('platform');
    expect(used!.trace.at(-1)).toStrictEqual({ step: 'platform', outcome: 'selected' });
    expect(s.outcomes.at(-1)).toMatchObject({
      source: 'platform',
      status: 'ok',
      move: { fromConfigId: expect.any(String) },
    });
    // Per vault.
    const v = await setup(['a'], { vault: { platformKeys: platform }, pools: { onFailure: 'platform' } });
    server.keys.length = 0;
    expect(await v.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat)).toBe('answered with p');
    expect(seen()).toStrictEqual(['a', 'p']);
  });

  it('a client error (400) or a success is not retried', async () => {
    const s = await setup(['a', 'b']);
    server.behaviour.set(keyOf('b'), { status: 404 });
    const error = await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat));
    expect((error as { status?: number }).status).toBe(404);
    expect(seen()).toStrictEqual(['b']);
  });

  it('the total time bounds the attempts: no move after timeoutMs, and attempt.signal aborts a slow call', async () => {
    const s = await setup(['a', 'b']);
    server.behaviour.set(keyOf('b'), { delayMs: 2000 });
    const started = Date.now();
    const error = await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.constructor.name).toMatch(/Abort|Timeout/);
    expect(seen()).toStrictEqual(['b']);
  });

  it('the host’s AbortSignal stops the calls: an aborted signal starts none, an abort mid-call ends it without a move', async () => {
    const s = await setup(['a', 'b']);
    const aborted = AbortSignal.abort();
    await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { signal: aborted }));
    expect(seen()).toStrictEqual([]);
    server.behaviour.set(keyOf('b'), { delayMs: 2000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { signal: controller.signal }));
    expect(seen()).toStrictEqual(['b']);
  });

  it('a named config is the only key: its failure is thrown, no other key tried', async () => {
    const s = await setup(['a', 'b']);
    server.behaviour.set(keyOf('a'), 429);
    const error = await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai', config: 'a' }, chat));
    expect((error as { status?: number }).status).toBe(429);
    expect(seen()).toStrictEqual(['a']);
  });

  it('bad arguments are typed errors', async () => {
    const s = await setup(['a']);
    expect((await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, 'nope' as never))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      (await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { maxAttempts: 0 }))).code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (await refusal(s.vault.withKey({ tenantId: 'acme', provider: 'openai' }, chat, { bogus: 1 } as never))).code,
    ).toBe('VALIDATION_FAILED');
    expect(seen()).toStrictEqual([]);
  });
});

describe('withKey with the anthropic SDK', () => {
  it('a 429 then a 500 move to the next key; the keys arrive in the provider’s header in order', async () => {
    const outcomes: Outcome[] = [];
    const made = await poolVault([], { vault: { onUsage: (o) => void outcomes.push(o) } });
    const labels = ['a', 'b', 'c'];
    for (const label of labels) {
      const cfg = await made.owner.createConfig({ name: label, provider: 'anthropic', baseUrl: server.anthropicUrl });
      await made.owner.setKey(cfg.id, `sk-ant-api03-${label}${'x'.repeat(40)}`);
    }
    server.behaviour.set(`sk-ant-api03-c${'x'.repeat(40)}`, 429);
    server.behaviour.set(`sk-ant-api03-b${'x'.repeat(40)}`, 500);
    const text = await made.vault.withKey(
      { tenantId: 'acme', provider: 'anthropic' },
      async (anthropic: Anthropic, _r, { signal }) => {
        const message = await anthropic.messages.create({ model: 'claude-test', max_tokens: 10, messages }, { signal });
        return message.content[0]?.type === 'text' ? message.content[0].text : '';
      },
    );
    expect(text).toBe('hello');
    expect(server.keys.map((k) => k.slice('sk-ant-api03-'.length, 'sk-ant-api03-'.length + 1))).toStrictEqual([
      'c',
      'b',
      'a',
    ]);
    expect(outcomes.map((o) => o.status)).toStrictEqual(['rate_limited', 'server_error', 'ok']);
  });
});
