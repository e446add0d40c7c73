import type { GoogleGenAI } from '@google/genai';
import type { GoogleGenerativeAI } from '@google/generative-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/providers/create-client.js';
import googleProvider from '../../src/providers/google.js';
import { runKeyValidation } from '../../src/providers/validate.js';
import { Secret } from '../../src/secret.js';
import { describeProviderContract } from './contract.js';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer } from './fake-server.js';
import { canaryKey, expectNoKeyLeak } from './leak.js';

const generateContentResponse = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'hi there' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3 },
};
const modelInfo = { name: 'models/gemini-2.0-flash', displayName: 'Gemini 2.0 Flash' };
const listResponse = { models: [modelInfo] };
const platformEnv = {
  GOOGLE_API_KEY: 'AIza-platform-key-from-env',
  GEMINI_API_KEY: 'AIza-platform-gemini-key-from-env',
  GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
  GOOGLE_GENAI_USE_VERTEXAI: 'true',
};

// Default SDK: @google/generative-ai.
describeProviderContract({
  id: 'google',
  key: canaryKey('AIza', 39),
  keyHeader: (key) => ['x-goog-api-key', key],
  baseUrl: (url) => `${url}/proxy`,
  platformEnv,
  call: {
    run: (client) => (client as GoogleGenerativeAI).getGenerativeModel({ model: 'gemini-2.0-flash' }).generateContent('hi'),
    method: 'POST',
    path: '/proxy/v1beta/models/gemini-2.0-flash:generateContent',
    response: generateContentResponse,
    check: (result) => expect((result as { response: { text(): string } }).response.text()).toBe('hi there'),
  },
  list: { method: 'GET', path: '/proxy/v1beta/models', response: listResponse },
  model: { name: 'gemini-2.0-flash', method: 'GET', path: '/proxy/v1beta/models/gemini-2.0-flash', response: modelInfo },
});

// options.sdk = 'genai': @google/genai.
describeProviderContract({
  id: 'google',
  key: canaryKey('AIza', 39),
  keyHeader: (key) => ['x-goog-api-key', key],
  baseUrl: (url) => `${url}/proxy`,
  options: { sdk: 'genai' },
  clientOptions: { httpOptions: { retryOptions: { attempts: 1 } } },
  platformEnv,
  call: {
    run: (client) => (client as GoogleGenAI).models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }),
    method: 'POST',
    path: '/proxy/v1beta/models/gemini-2.0-flash:generateContent',
    response: generateContentResponse,
    check: (result) => expect((result as { text: string }).text).toBe('hi there'),
  },
  list: { method: 'GET', path: '/proxy/v1beta/models', response: listResponse },
});

describe('google: SDK choice, API version, invalid-key answer', () => {
  let server: FakeServer;
  const key = canaryKey('AIza', 39);
  const source = (options: Record<string, string> = {}) => ({
    provider: 'google',
    baseUrl: `${server.url}/proxy/`,
    model: null,
    options,
    key: new Secret(key),
  });
  beforeAll(async () => {
    server = await startFakeServer(() => ({ status: 200, body: generateContentResponse }));
  });
  afterAll(() => server.close());

  it('the expectation picks the SDK over the config option', async () => {
    const genai = await createClient(source(), { expect: 'google-genai', ...LOCAL_ENDPOINTS });
    expect(typeof genai.models.generateContent).toBe('function');
    const legacy = await createClient(source({ sdk: 'genai' }), { expect: 'google', ...LOCAL_ENDPOINTS });
    expect(typeof legacy.getGenerativeModel).toBe('function');
  });

  it('honours options.apiVersion, and per-call request options cannot move the base URL', async () => {
    server.requests.length = 0;
    const client = await createClient(source({ apiVersion: 'v1' }), { expect: 'google', ...LOCAL_ENDPOINTS });
    await client
      .getGenerativeModel({ model: 'gemini-2.0-flash' }, { baseUrl: 'http://127.0.0.1:9/elsewhere' })
      .generateContent('hi');
    expect(server.requests[0]?.path).toBe('/proxy/v1/models/gemini-2.0-flash:generateContent');
    server.requests.length = 0;
    const genai = await createClient(source({ apiVersion: 'v1' }), { expect: 'google-genai', ...LOCAL_ENDPOINTS });
    await genai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' });
    expect(server.requests[0]?.path).toBe('/proxy/v1/models/gemini-2.0-flash:generateContent');
  });

  it('maps the 400 API_KEY_INVALID answer to invalid_key', async () => {
    server.respond(() => ({
      status: 400,
      body: { error: { code: 400, message: `API key not valid. Please pass a valid API key. (${key})`, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } },
    }));
    const result = await runKeyValidation(googleProvider, { apiKey: key, baseUrl: `${server.url}/proxy`, model: null, options: {} }, LOCAL_ENDPOINTS);
    expect(result).toMatchObject({ status: 'invalid_key', httpStatus: 400 });
    expectNoKeyLeak(result, key);
  });

  it('checks the sdk option', () => {
    expect(googleProvider.checkOptions?.({ sdk: 'vertex' }, null)).toEqual(['options.sdk must be one of "generative-ai", "genai"']);
    expect(googleProvider.checkOptions?.({ sdk: 'genai' }, null)).toEqual([]);
    expect(googleProvider.checkKeyFormat('sk-abcdefghijklmnopqrstuvwxyz0123456789')).toMatch(/start with "AIza"/);
  });
});
