import type { Mistral } from '@mistralai/mistralai';
import { describe, expect, it } from 'vitest';
import mistralProvider from '../../src/providers/mistral.js';
import { describeProviderContract } from './contract.js';
import { canaryKey } from './leak.js';

const chatResponse = {
  id: 'cmpl-1',
  object: 'chat.completion',
  model: 'mistral-small-latest',
  created: 1,
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
};
const modelCard = {
  id: 'mistral-small-latest',
  object: 'model',
  created: 1,
  owned_by: 'mistralai',
  type: 'base',
  capabilities: { completion_chat: true },
};

describeProviderContract({
  id: 'mistral',
  key: canaryKey('', 32),
  keyHeader: (key) => ['authorization', `Bearer ${key}`],
  baseUrl: (url) => `${url}/proxy`,
  clientOptions: { retryConfig: { strategy: 'none' } },
  platformEnv: { MISTRAL_API_KEY: 'platform-mistral-key-from-env' },
  call: {
    run: (client) =>
      (client as Mistral).chat.complete({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }),
    method: 'POST',
    path: '/proxy/v1/chat/completions',
    response: chatResponse,
    check: (result) => expect((result as typeof chatResponse).choices[0]?.message.content).toBe('hi there'),
  },
  list: { method: 'GET', path: '/proxy/v1/models', response: { object: 'list', data: [modelCard] } },
  model: {
    name: 'mistral-small-latest',
    method: 'GET',
    path: '/proxy/v1/models/mistral-small-latest',
    response: modelCard,
  },
});

describe('mistral: key format', () => {
  it('has no prefix rule, only shape', () => {
    expect(mistralProvider.checkKeyFormat('AbCdEfGhIjKlMnOpQrStUvWxYz012345')).toBeNull();
    expect(mistralProvider.checkKeyFormat('short')).toMatch(/too short/);
  });
});
