/**
 * Tokens that instrumented clients observe on calls resolved with an access
 * key are charged to that key: its daily usage record and its token budget,
 * with no `onUsage` hook and no `vault.recordUsage` call by the host. The
 * real openai SDK against a local server that answers with usage.
 */
import type { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, MemoryStore, accessKeys, createClient, createVault, type Outcome } from '../../src/index.js';
import { eventually, LOCAL } from './helpers.js';
import { startStreamServer, type StreamServer } from './stream-server.js';

const TENANT_KEY = 'sk-proj-CHARGEtenant00000000000000000001';

let server: StreamServer;
beforeAll(async () => {
  server = await startStreamServer();
});
afterAll(() => server.close());

async function setup(extra: { onUsage?: (o: Outcome) => void } = {}) {
  const errors: unknown[] = [];
  const vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate(),
    accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
    allowPrivateEndpoints: LOCAL,
    onHookError: (error) => void errors.push(error),
    ...extra,
  });
  const owner = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
  const cfg = await owner.createConfig({ name: 'prod', provider: 'openai', baseUrl: `${server.url}/v1` });
  await owner.setKey(cfg.id, TENANT_KEY);
  return { vault, owner, errors };
}

function answerWithUsage(prompt: number, completion: number): void {
  server.answer({
    body: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'hi', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    },
  });
}

async function chat(client: OpenAI): Promise<void> {
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
}

describe('tokens observed on access-key calls', () => {
  it('go to the key’s usage record without any host hook', async () => {
    const { vault, owner, errors } = await setup();
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app', providers: ['openai'] });
    answerWithUsage(12, 5);
    const r = await vault.resolve({ accessKey: secret, provider: 'openai' });
    await chat(await createClient(r, { expect: 'openai', clientOptions: { maxRetries: 0 } }));
    await eventually(async () => {
      const [record] = (await owner.listAccessKeyUsage({ keyId: accessKey.id })).items;
      expect(record).toMatchObject({ keyId: accessKey.id, requests: 1, tokens: 17 });
    });
    expect(errors).toStrictEqual([]);
  });

  it('spend the token budget: once it is used up, the next resolution is refused with QUOTA_EXCEEDED', async () => {
    const { vault, owner } = await setup();
    const { secret } = await owner.createAccessKey({ name: 'app', quota: { tokens: { limit: 30, per: 'day' } } });
    answerWithUsage(20, 15);
    const r = await vault.resolve({ accessKey: secret, provider: 'openai' });
    await chat(await createClient(r, { expect: 'openai', clientOptions: { maxRetries: 0 } }));
    await eventually(async () => {
      await expect(vault.resolve({ accessKey: secret, provider: 'openai' })).rejects.toMatchObject({
        code: 'QUOTA_EXCEEDED',
        quota: 'tokens',
      });
    });
  });

  it('are named in the outcome as the access key’s, and tenant-key calls charge no access key', async () => {
    const outcomes: Outcome[] = [];
    const { vault, owner } = await setup({ onUsage: (o) => void outcomes.push(o) });
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app' });
    answerWithUsage(3, 4);
    await chat(
      await createClient(await vault.resolve({ accessKey: secret, provider: 'openai' }), {
        expect: 'openai',
        clientOptions: { maxRetries: 0 },
      }),
    );
    await chat(
      await createClient(await vault.resolve({ tenantId: 'acme', provider: 'openai' }), {
        expect: 'openai',
        clientOptions: { maxRetries: 0 },
      }),
    );
    await eventually(() => expect(outcomes).toHaveLength(2));
    expect(outcomes.map((o) => o.accessKeyId)).toStrictEqual([accessKey.id, null]);
    await eventually(async () => {
      expect((await owner.listAccessKeyUsage({ keyId: accessKey.id })).items[0]).toMatchObject({
        requests: 1,
        tokens: 7,
      });
    });
  });
});
