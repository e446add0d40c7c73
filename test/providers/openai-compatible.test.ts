import type { OpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { createClient } from '../../src/providers/create-client.js';
import { Secret } from '../../src/secret.js';
import { describeProviderContract } from './contract.js';
import { canaryKey } from './leak.js';

const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
};

/** Each API: its key prefix, the path prefix of its default base URL, and its validation call. */
const APIS = [
  { id: 'deepseek', prefix: 'sk-', base: 'https://api.deepseek.com', list: { method: 'GET', path: '/models' } },
  { id: 'xai', prefix: 'xai-', base: 'https://api.x.ai/v1', list: { method: 'GET', path: '/v1/models' } },
  {
    id: 'groq',
    prefix: 'gsk_',
    base: 'https://api.groq.com/openai/v1',
    list: { method: 'GET', path: '/openai/v1/models' },
  },
  {
    id: 'openrouter',
    prefix: 'sk-or-v1-',
    base: 'https://openrouter.ai/api/v1',
    list: { method: 'GET', path: '/api/v1/key' },
  },
  {
    id: 'together',
    prefix: 'tgp_v1_',
    base: 'https://api.together.xyz/v1',
    list: { method: 'GET', path: '/v1/models' },
  },
  {
    id: 'fireworks',
    prefix: 'fw_',
    base: 'https://api.fireworks.ai/inference/v1',
    list: { method: 'GET', path: '/inference/v1/models' },
  },
  {
    id: 'perplexity',
    prefix: 'pplx-',
    base: 'https://api.perplexity.ai',
    list: { method: 'POST', path: '/chat/completions' },
  },
] as const;

for (const api of APIS) {
  const basePath = new URL(api.base).pathname.replace(/\/$/, '');
  describeProviderContract({
    id: api.id,
    key: canaryKey(api.prefix, 56),
    keyHeader: (key) => ['authorization', `Bearer ${key}`],
    // The provider's own path under the local server: the SDK appends to the base URL as it would to the real one.
    baseUrl: (url) => `${url}${basePath}`,
    clientOptions: { maxRetries: 0 },
    platformEnv: {
      OPENAI_CUSTOM_HEADERS: 'Authorization: Bearer sk-platform-from-env',
      OPENAI_API_KEY: 'sk-platform-key-from-env',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
      OPENAI_ORG_ID: 'org-from-env',
    },
    call: {
      run: (client) =>
        (client as OpenAI).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      method: 'POST',
      path: `${basePath}/chat/completions`,
      response: chatCompletion,
      check: (result) => expect((result as typeof chatCompletion).choices[0]?.message.content).toBe('hi there'),
    },
    list: {
      ...api.list,
      response: api.id === 'openrouter' ? { data: { label: 'sk-or-v1-...' } } : { object: 'list', data: [] },
    },
  });
}

describe('OpenAI-compatible providers: defaults', () => {
  it.each(APIS)('$id: default base URL, hint prefix, and a key of another provider refused', ({ id, prefix, base }) => {
    const descriptor = builtinProviders[id]!;
    expect(descriptor.defaultBaseUrl).toBe(base);
    expect(descriptor.keyPrefixes).toContain(prefix);
    const wrong = id === 'deepseek' ? 'gsk_0123456789abcdefghijklmnop' : 'zz-0123456789abcdefghijklmnop';
    if (!['together', 'fireworks'].includes(id)) expect(descriptor.checkKeyFormat(wrong)).toMatch(/should start with/);
  });

  it.each(APIS)('$id: a client built without a base URL is pinned to the default one', async ({ id, prefix, base }) => {
    const client = await createClient(
      { provider: id, baseUrl: null, model: null, options: {}, key: new Secret(canaryKey(prefix, 56)) },
      'openai',
    );
    expect(client.baseURL).toBe(base);
  });

  it("code written against OpenAI takes any of them (expect: 'openai')", async () => {
    const source = {
      provider: 'deepseek',
      baseUrl: null,
      model: null,
      options: {},
      key: new Secret(canaryKey('sk-', 56)),
    };
    await expect(createClient(source, 'openai')).resolves.toBeDefined();
    await expect(createClient(source, 'anthropic')).rejects.toMatchObject({ code: 'PROVIDER_MISMATCH' });
  });
});
