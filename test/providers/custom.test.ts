import type { OpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/providers/create-client.js';
import customProvider from '../../src/providers/custom.js';
import { Secret } from '../../src/secret.js';
import { describeProviderContract } from './contract.js';
import { canaryKey } from './leak.js';

const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'llama-3.1-8b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
};

describeProviderContract({
  id: 'custom',
  key: canaryKey('gw_', 36),
  keyHeader: (key) => ['authorization', `Bearer ${key}`],
  baseUrl: (url) => `${url}/gateway/v1`,
  clientOptions: { maxRetries: 0 },
  platformEnv: {
    OPENAI_CUSTOM_HEADERS:
      'Authorization: Bearer sk-platform-from-env\nHelicone-Auth: Bearer helicone-from-env\napi-key: azure-from-env',
    OPENAI_API_KEY: 'sk-platform-key-from-env',
    OPENAI_ADMIN_KEY: 'sk-admin-platform-from-env',
  },
  call: {
    run: (client) =>
      (client as OpenAI).chat.completions.create({
        model: 'llama-3.1-8b',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    method: 'POST',
    path: '/gateway/v1/chat/completions',
    response: chatCompletion,
    check: (result) => expect((result as typeof chatCompletion).choices[0]?.message.content).toBe('hi there'),
  },
  list: { method: 'GET', path: '/gateway/v1/models', response: { object: 'list', data: [] } },
});

describe('custom: base URL', () => {
  it('is required, at createClient and in checkOptions', async () => {
    await expect(
      createClient(
        { provider: 'custom', baseUrl: null, model: null, options: {}, key: new Secret(canaryKey('', 30)) },
        'openai',
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      customProvider.createClient({ apiKey: canaryKey('', 30), baseUrl: null, model: null, options: {} }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(customProvider.checkOptions?.({}, null)).toEqual(['a base URL is required for custom endpoint']);
    expect(customProvider.checkOptions?.({}, 'ftp://example.com')).toEqual([
      'the custom endpoint base URL must use http or https',
    ]);
  });

  it('accepts placeholder keys local servers take', () => {
    expect(customProvider.checkKeyFormat('EMPTY')).toBeNull();
    expect(customProvider.checkKeyFormat(' ')).toMatch(/whitespace/);
  });
});
