import type { GoogleGenAI } from '@google/genai';
import type { GoogleGenerativeAI } from '@google/generative-ai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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

// Default SDK: @google/generative-ai. It has no fetch option, so byokit builds it for Google's own
// endpoint only; its tests below route that endpoint to a local server through the global fetch.

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

const GOOGLE = 'https://generativelanguage.googleapis.com';

describe('google: SDK choice, API version, invalid-key answer', () => {
  let server: FakeServer;
  const key = canaryKey('AIza', 39);
  const source = (options: Record<string, string> = {}, baseUrl: string | null = `${server.url}/proxy/`) => ({
    provider: 'google',
    baseUrl,
    model: null,
    options,
    key: new Secret(key),
  });
  const realFetch = globalThis.fetch;
  /**
   * @google/generative-ai calls the global fetch: route Google's endpoint to the local server,
   * the way a host's egress would, and leave every other URL alone.
   */
  function routeGoogleToServer() {
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      return realFetch(url.startsWith(GOOGLE) ? `${server.url}${url.slice(GOOGLE.length)}` : input, init);
    });
  }
  beforeAll(async () => {
    server = await startFakeServer(() => ({ status: 200, body: generateContentResponse }));
  });
  afterAll(() => server.close());
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    server.requests.length = 0;
  });

  it("@google/generative-ai (the default SDK): for Google's endpoint, the real SDK sends the key header there", async () => {
    routeGoogleToServer();
    for (const [name, value] of Object.entries(platformEnv)) vi.stubEnv(name, value);
    const client = (await createClient(source({}, null))) as GoogleGenerativeAI;
    const result = await client.getGenerativeModel({ model: 'gemini-2.0-flash' }).generateContent('hi');
    expect(result.response.text()).toBe('hi there');
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1beta/models/gemini-2.0-flash:generateContent',
    ]);
    expect(server.requests[0]!.headers['x-goog-api-key']).toBe(key);
    expect(Object.values(server.requests[0]!.headers).join('\n')).not.toContain('from-env');
  });

  it("@google/generative-ai is never built for another base URL (a tenant's): ENDPOINT_REFUSED, pointing to sdk 'genai', nothing sent", async () => {
    routeGoogleToServer();
    for (const baseUrl of [
      `${server.url}/proxy`,
      'https://gemini-proxy.example.com',
      `${GOOGLE}/v1beta`,
      'https://generativelanguage.googleapis.com.evil.example',
    ]) {
      const error = await createClient(source({}, baseUrl), { expect: 'google', ...LOCAL_ENDPOINTS }).catch(
        (e: unknown) => e,
      );
      expect(error, baseUrl).toMatchObject({
        code: 'ENDPOINT_REFUSED',
        message: expect.stringContaining("options.sdk: 'genai'"),
      });
      // Also without an expectation, and when a descriptor is called directly.
      await expect(createClient(source({}, baseUrl), LOCAL_ENDPOINTS)).rejects.toMatchObject({
        code: 'ENDPOINT_REFUSED',
      });
      await expect(
        googleProvider.createClient({ apiKey: key, baseUrl, model: null, options: {} }),
      ).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    }
    expect(server.requests).toHaveLength(0);
    // The same config builds a guarded client with @google/genai.
    const genai = await createClient(source({}, `${server.url}/proxy`), { expect: 'google-genai', ...LOCAL_ENDPOINTS });
    await genai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' });
    expect(server.requests.map((r) => r.path)).toEqual(['/proxy/v1beta/models/gemini-2.0-flash:generateContent']);
  });

  it('the expectation picks the SDK over the config option', async () => {
    const genai = await createClient(source(), { expect: 'google-genai', ...LOCAL_ENDPOINTS });
    expect(typeof genai.models.generateContent).toBe('function');
    const legacy = await createClient(source({ sdk: 'genai' }, null), 'google');
    expect(typeof legacy.getGenerativeModel).toBe('function');
  });

  it('honours options.apiVersion, and per-call request options cannot move the base URL', async () => {
    routeGoogleToServer();
    const client = await createClient(source({ apiVersion: 'v1' }, null), 'google');
    await client
      .getGenerativeModel({ model: 'gemini-2.0-flash' }, { baseUrl: 'http://127.0.0.1:9/elsewhere' })
      .generateContent('hi');
    expect(server.requests[0]?.path).toBe('/v1/models/gemini-2.0-flash:generateContent');
    server.requests.length = 0;
    const genai = await createClient(source({ apiVersion: 'v1' }), { expect: 'google-genai', ...LOCAL_ENDPOINTS });
    await genai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' });
    expect(server.requests[0]?.path).toBe('/proxy/v1/models/gemini-2.0-flash:generateContent');
  });

  it('maps the 400 API_KEY_INVALID answer to invalid_key', async () => {
    server.respond(() => ({
      status: 400,
      body: {
        error: {
          code: 400,
          message: `API key not valid. Please pass a valid API key. (${key})`,
          status: 'INVALID_ARGUMENT',
          details: [{ reason: 'API_KEY_INVALID' }],
        },
      },
    }));
    const result = await runKeyValidation(
      googleProvider,
      { apiKey: key, baseUrl: `${server.url}/proxy`, model: null, options: {} },
      LOCAL_ENDPOINTS,
    );
    expect(result).toMatchObject({ status: 'invalid_key', httpStatus: 400 });
    expectNoKeyLeak(result, key);
  });

  it('checks the sdk option', () => {
    expect(googleProvider.checkOptions?.({ sdk: 'vertex' }, null)).toEqual([
      'options.sdk must be one of "generative-ai", "genai"',
    ]);
    expect(googleProvider.checkOptions?.({ sdk: 'genai' }, null)).toEqual([]);
    expect(googleProvider.checkKeyFormat('sk-abcdefghijklmnopqrstuvwxyz0123456789')).toMatch(/start with "AIza"/);
  });
});
