import type { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import azureOpenAIProvider from '../../src/providers/azure-openai.js';
import { runKeyValidation } from '../../src/providers/validate.js';
import { describeProviderContract } from './contract.js';
import { LOCAL_ENDPOINTS, localTransport, startFakeServer, type FakeServer } from './fake-server.js';
import { canaryKey } from './leak.js';

const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
};
const options = { apiVersion: '2024-10-21', deployment: 'prod-gpt4o' };

describeProviderContract({
  id: 'azure-openai',
  key: canaryKey('', 84),
  keyHeader: (key) => ['api-key', key],
  baseUrl: (url) => `${url}/resource`,
  options,
  clientOptions: { maxRetries: 0 },
  platformEnv: {
    OPENAI_CUSTOM_HEADERS:
      'Authorization: Bearer sk-platform-from-env\nHelicone-Auth: Bearer helicone-from-env\napi-key: azure-from-env',
    AZURE_OPENAI_API_KEY: 'platform-azure-key-from-env',
    AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9/platform-from-env',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
    OPENAI_API_VERSION: '1999-01-01-from-env',
    OPENAI_ADMIN_KEY: 'sk-admin-platform-from-env',
  },
  call: {
    run: (client) =>
      (client as AzureOpenAI).chat.completions.create({
        model: 'ignored',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    method: 'POST',
    path: '/resource/openai/deployments/prod-gpt4o/chat/completions',
    response: chatCompletion,
    check: (result) => expect((result as typeof chatCompletion).choices[0]?.message.content).toBe('hi there'),
  },
  // With a deployment, validation probes the deployment (zero tokens).
  list: { method: 'POST', path: '/resource/openai/deployments/prod-gpt4o/chat/completions', response: chatCompletion },
});

describe('azure-openai: options and validation', () => {
  let server: FakeServer;
  const key = canaryKey('', 84);
  beforeAll(async () => {
    server = await startFakeServer();
  });
  afterAll(() => server.close());

  it('sends api-version on every request and the key only as api-key', async () => {
    server.respond(() => ({ status: 200, body: chatCompletion }));
    server.requests.length = 0;
    const client = await azureOpenAIProvider.createClient({
      apiKey: key,
      baseUrl: `${server.url}/`,
      model: null,
      options,
      clientOptions: { maxRetries: 0 },
      transport: localTransport('azure-openai'),
    });
    await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    const request = server.requests[0]!;
    expect(request.url).toBe('/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21');
    expect(request.headers['api-key']).toBe(key);
    expect(request.headers.authorization).toBeUndefined();
  });

  it('requires apiVersion and a base URL', async () => {
    await expect(
      azureOpenAIProvider.createClient({ apiKey: key, baseUrl: server.url, model: null, options: {} }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(azureOpenAIProvider.checkOptions?.({}, null)).toEqual([
      'a base URL is required for Azure OpenAI',
      'an Azure OpenAI config needs options.apiVersion',
    ]);
  });

  it('deployment probe: 400 -> valid, 404 -> forbidden_model; no deployment -> GET /models', async () => {
    const input = { apiKey: key, baseUrl: server.url, model: null, options };
    server.respond(() => ({
      status: 400,
      body: { error: { code: 'BadRequest', message: 'messages must not be empty' } },
    }));
    expect(await runKeyValidation(azureOpenAIProvider, input, LOCAL_ENDPOINTS)).toEqual({ status: 'valid' });
    server.respond(() => ({
      status: 404,
      body: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } },
    }));
    expect(await runKeyValidation(azureOpenAIProvider, input, LOCAL_ENDPOINTS)).toMatchObject({
      status: 'forbidden_model',
      httpStatus: 404,
    });
    server.requests.length = 0;
    server.respond(() => ({ status: 200, body: { object: 'list', data: [] } }));
    expect(
      await runKeyValidation(azureOpenAIProvider, { ...input, options: { apiVersion: '2024-10-21' } }, LOCAL_ENDPOINTS),
    ).toEqual({ status: 'valid' });
    expect(server.requests[0]?.url).toBe('/openai/models?api-version=2024-10-21');
  });
});
