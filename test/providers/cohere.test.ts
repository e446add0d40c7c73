import type { CohereClientV2 } from 'cohere-ai';
import { expect } from 'vitest';
import { describeProviderContract } from './contract.js';
import { canaryKey } from './leak.js';

const chatResponse = {
  id: 'chat-1',
  finish_reason: 'COMPLETE',
  message: { role: 'assistant', content: [{ type: 'text', text: 'hi there' }] },
  usage: { billed_units: { input_tokens: 1, output_tokens: 2 }, tokens: { input_tokens: 1, output_tokens: 2 } },
};
const modelInfo = { name: 'command-a-03-2025', endpoints: ['chat'], finetuned: false, context_length: 256000 };

describeProviderContract({
  id: 'cohere',
  key: canaryKey('', 40),
  keyHeader: (key) => ['authorization', `Bearer ${key}`],
  baseUrl: (url) => `${url}/proxy`,
  clientOptions: { maxRetries: 0 },
  platformEnv: { CO_API_KEY: 'platform-cohere-key-from-env' },
  call: {
    run: (client) =>
      (client as CohereClientV2).chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hi' }] }),
    method: 'POST',
    path: '/proxy/v2/chat',
    response: chatResponse,
    check: (result) => {
      const content = (result as { message: { content: Array<{ text: string }> } }).message.content;
      expect(content[0]?.text).toBe('hi there');
    },
  },
  list: { method: 'GET', path: '/proxy/v1/models', response: { models: [modelInfo] } },
  model: { name: 'command-a-03-2025', method: 'GET', path: '/proxy/v1/models/command-a-03-2025', response: modelInfo },
});
