import type { Anthropic } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import anthropicProvider from '../../src/providers/anthropic.js';
import { describeProviderContract } from './contract.js';
import { canaryKey } from './leak.js';

const message = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-test-model',
  content: [{ type: 'text', text: 'hi there' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 2 },
};
const modelInfo = {
  type: 'model',
  id: 'claude-test-model',
  display_name: 'Claude Test Model',
  created_at: '2025-01-01T00:00:00Z',
};

describeProviderContract({
  id: 'anthropic',
  key: canaryKey('sk-ant-api03-', 60),
  // @anthropic-ai/sdk 1.x sends the key as a Bearer token (0.x used `x-api-key`).
  keyHeader: (key) => ['authorization', `Bearer ${key}`],
  baseUrl: (url) => `${url}/proxy`,
  clientOptions: { maxRetries: 0 },
  platformEnv: {
    ANTHROPIC_CUSTOM_HEADERS:
      'Authorization: Bearer sk-platform-from-env\nHelicone-Auth: Bearer helicone-from-env\napi-key: azure-from-env',
    ANTHROPIC_API_KEY: 'sk-ant-platform-key-from-env',
    ANTHROPIC_AUTH_TOKEN: 'platform-token-from-env',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
  },
  call: {
    run: (client) =>
      (client as Anthropic).messages.create({
        model: 'claude-test-model',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    method: 'POST',
    path: '/proxy/v1/messages',
    response: message,
    check: (result) => expect((result as typeof message).content[0]?.text).toBe('hi there'),
  },
  list: {
    method: 'GET',
    path: '/proxy/v1/models',
    response: { data: [modelInfo], has_more: false, first_id: modelInfo.id, last_id: modelInfo.id },
  },
  model: { name: 'claude-test-model', method: 'GET', path: '/proxy/v1/models/claude-test-model', response: modelInfo },
});

describe('anthropic: key format', () => {
  it('requires the sk-ant- prefix', () => {
    expect(anthropicProvider.checkKeyFormat('sk-ant-api03-abcdefghijklmnopqrstuvwxyz')).toBeNull();
    expect(anthropicProvider.checkKeyFormat('sk-proj-abcdefghijklmnopqrstuvwxyz')).toMatch(/start with "sk-ant-"/);
  });
});
