import type { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ollamaProvider from '../../src/providers/ollama.js';
import { describeProviderContract } from './contract.js';
import { localTransport, startFakeServer, type FakeServer } from './fake-server.js';
import { canaryKey } from './leak.js';

const chatResponse = {
  model: 'llama3.2',
  created_at: '2025-01-01T00:00:00Z',
  message: { role: 'assistant', content: 'hi there' },
  done: true,
  done_reason: 'stop',
};

describeProviderContract({
  id: 'ollama',
  key: canaryKey('', 32),
  keyHeader: (key) => ['authorization', `Bearer ${key}`],
  baseUrl: (url) => `${url}/proxy`,
  platformEnv: { OLLAMA_API_KEY: 'platform-ollama-key-from-env' },
  call: {
    run: (client) =>
      (client as Ollama).chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false }),
    method: 'POST',
    path: '/proxy/api/chat',
    response: chatResponse,
    check: (result) => expect((result as typeof chatResponse).message.content).toBe('hi there'),
  },
  list: { method: 'GET', path: '/proxy/api/tags', response: { models: [{ name: 'llama3.2', model: 'llama3.2' }] } },
  model: {
    name: 'llama3.2',
    method: 'POST',
    path: '/proxy/api/show',
    response: { modelfile: '', parameters: '', template: '' },
  },
});

describe('ollama: headers', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer(() => ({ status: 200, body: { models: [] } }));
  });
  afterAll(() => server.close());

  it('keeps host headers but never a host Authorization header over the key', async () => {
    const key = canaryKey('', 32);
    const client = await ollamaProvider.createClient({
      apiKey: key,
      baseUrl: server.url,
      model: null,
      options: {},
      clientOptions: { headers: { authorization: 'Bearer host-token', 'x-trace': 'abc' } },
      transport: localTransport('ollama'),
    });
    await client.list();
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(server.requests[0]?.headers['x-trace']).toBe('abc');
  });
});
