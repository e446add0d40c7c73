import type { OpenAI } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import openaiProvider from '../../src/providers/openai.js';
import { describeProviderContract } from './contract.js';
import { localTransport, startFakeServer } from './fake-server.js';
import { canaryKey } from './leak.js';

const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'hi there', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
};

describeProviderContract({
  id: 'openai',
  key: canaryKey('sk-proj-'),
  keyHeader: (key) => ['authorization', `Bearer ${key}`],
  baseUrl: (url) => `${url}/proxy/v1`,
  clientOptions: { maxRetries: 0 },
  // Each of these would replace or accompany the tenant's key if the SDK read them.
  platformEnv: {
    OPENAI_CUSTOM_HEADERS:
      'Authorization: Bearer sk-platform-from-env\nHelicone-Auth: Bearer helicone-from-env\napi-key: azure-from-env',
    OPENAI_API_KEY: 'sk-platform-key-from-env',
    OPENAI_ADMIN_KEY: 'sk-admin-platform-key-from-env',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
    OPENAI_ORG_ID: 'org-platform-from-env',
    OPENAI_PROJECT_ID: 'proj-platform-from-env',
  },
  call: {
    run: (client) =>
      (client as OpenAI).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    method: 'POST',
    path: '/proxy/v1/chat/completions',
    response: chatCompletion,
    check: (result) => expect((result as typeof chatCompletion).choices[0]?.message.content).toBe('hi there'),
  },
  list: {
    method: 'GET',
    path: '/proxy/v1/models',
    response: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }] },
  },
  model: {
    name: 'gpt-4o-mini',
    method: 'GET',
    path: '/proxy/v1/models/gpt-4o-mini',
    response: { id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' },
  },
});

describe('openai: key format', () => {
  it('accepts current formats and rejects the wrong credential without echoing it', () => {
    expect(openaiProvider.checkKeyFormat('sk-proj-abcdefghijklmnopqrstuvwxyz0123')).toBeNull();
    expect(openaiProvider.checkKeyFormat('sk-abcdefghijklmnopqrstuvwxyz0123')).toBeNull();
    const problem = openaiProvider.checkKeyFormat('org-abcdefghijklmnopqrstuvwxyz');
    expect(problem).toMatch(/start with "sk-"/);
    expect(problem).not.toContain('abcdefghij');
    expect(openaiProvider.checkKeyFormat('sk-proj-abcdefghijklmnop qrstuvwxyz')).toMatch(/whitespace/);
    expect(openaiProvider.checkKeyFormat('sk-proj-abcdefghijklmnopqrstuvwxyz\n')).toMatch(/whitespace/);
    expect(openaiProvider.checkKeyFormat('sk-short')).toMatch(/too short/);
    expect(openaiProvider.checkKeyFormat('sk-proj-abcdéfghijklmnopqrstuvwxyz')).toMatch(/printable ASCII/);
  });

  it('checks the base URL option without echoing it', () => {
    expect(openaiProvider.checkOptions?.({}, null)).toEqual([]);
    expect(openaiProvider.checkOptions?.({}, 'not a url')).toEqual(['the OpenAI base URL is not a valid URL']);
    expect(openaiProvider.checkOptions?.({}, 'https://user:secret@example.com/v1')[0]).not.toContain('secret');
  });
});

describe('openai: organization and project options', () => {
  it('sends the config organization/project, never the environment ones', async () => {
    const server = await startFakeServer(() => ({ status: 200, body: { object: 'list', data: [] } }));
    try {
      const key = canaryKey('sk-proj-');
      const client = await openaiProvider.createClient({
        apiKey: key,
        baseUrl: `${server.url}/v1`,
        model: null,
        options: { organization: 'org-tenant', project: 'proj-tenant' },
        clientOptions: { maxRetries: 0 },
        transport: localTransport('openai'),
      });
      await client.models.list();
      expect(server.requests[0]?.headers['openai-organization']).toBe('org-tenant');
      expect(server.requests[0]?.headers['openai-project']).toBe('proj-tenant');
    } finally {
      await server.close();
    }
  });
});

describe('openai: platform admin key', () => {
  it('is never picked up from OPENAI_ADMIN_KEY for admin endpoints', async () => {
    const server = await startFakeServer(() => ({ status: 200, body: { object: 'list', data: [], has_more: false } }));
    vi.stubEnv('OPENAI_ADMIN_KEY', 'sk-admin-platform-key-from-env');
    try {
      const client = await openaiProvider.createClient({
        apiKey: canaryKey('sk-proj-'),
        baseUrl: `${server.url}/v1`,
        model: null,
        options: {},
        clientOptions: { maxRetries: 0 },
        transport: localTransport('openai'),
      });
      // Without the pin, this would authenticate as the platform's organisation admin.
      await client.admin.organization.auditLogs.list().catch(() => undefined);
      for (const request of server.requests) {
        expect(request.headers.authorization ?? '').not.toContain('platform');
      }
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }
  });
});
