import type { GoogleGenAI } from '@google/genai';
import type { GoogleGenerativeAI } from '@google/generative-ai';
import type { AzureOpenAI, OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { ProviderMismatchError } from '../../src/errors.js';
import { createClient } from '../../src/providers/create-client.js';
import { loadSdk } from '../../src/providers/load-sdk.js';
import type { ProviderRegistry } from '../../src/providers/registry.js';
import type { ProviderDescriptor } from '../../src/providers/types.js';
import { Secret } from '../../src/secret.js';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer } from './fake-server.js';
import { canaryKey, expectNoKeyLeak } from './leak.js';

const source = (
  provider: string,
  extra: Partial<{ baseUrl: string | null; options: Record<string, string> }> = {},
) => ({
  provider,
  baseUrl:
    extra.baseUrl ?? (provider === 'custom' || provider === 'azure-openai' ? 'https://gateway.example.test/v1' : null),
  model: null,
  options: extra.options ?? (provider === 'azure-openai' ? { apiVersion: '2024-10-21' } : {}),
  key: new Secret(
    canaryKey(
      provider === 'openai' ? 'sk-' : provider === 'anthropic' ? 'sk-ant-' : provider === 'google' ? 'AIza' : '',
    ),
  ),
  configName: 'cfg',
});

describe('createClient: the registry', () => {
  it('holds the built-in providers under their ids', () => {
    expect(Object.keys(builtinProviders).sort()).toEqual(
      [
        'anthropic',
        'azure-openai',
        'cohere',
        'custom',
        'google',
        'mistral',
        'ollama',
        'openai',
        'deepseek',
        'xai',
        'groq',
        'openrouter',
        'together',
        'fireworks',
        'perplexity',
        'bedrock',
        'vertex',
      ].sort(),
    );
    for (const [id, descriptor] of Object.entries(builtinProviders)) {
      expect(descriptor.id).toBe(id);
      expect(typeof descriptor.validateKey).toBe('function');
    }
  });

  it('throws PROVIDER_UNKNOWN for an unregistered provider', async () => {
    await expect(createClient(source('nope'))).rejects.toMatchObject({ code: 'PROVIDER_UNKNOWN' });
  });
});

describe('createClient: expectations', () => {
  it('types the client by expectation (checked by tsc; never run)', () => {
    const typeOnly = (r: ReturnType<typeof source>) => {
      expectTypeOf(createClient(r, 'openai')).resolves.toEqualTypeOf<OpenAI>();
      expectTypeOf(createClient(r, { expect: 'azure-openai' })).resolves.toEqualTypeOf<AzureOpenAI>();
      expectTypeOf(createClient(r, 'google')).resolves.toEqualTypeOf<GoogleGenerativeAI>();
      expectTypeOf(createClient(r, 'google-genai')).resolves.toEqualTypeOf<GoogleGenAI>();
      expectTypeOf(createClient(r)).resolves.toEqualTypeOf<unknown>();
      expectTypeOf(createClient(r, 'not-augmented')).resolves.toEqualTypeOf<unknown>();
    };
    expect(typeof typeOnly).toBe('function');
  });

  it("'openai' accepts openai, custom and azure-openai resolutions (all OpenAI instances)", async () => {
    const { OpenAI } = await import('openai');
    for (const provider of ['openai', 'custom', 'azure-openai']) {
      const client = await createClient(source(provider), 'openai');
      expect(client).toBeInstanceOf(OpenAI);
    }
  });

  it('a custom endpoint routing anthropic is a typed mismatch when Anthropic is expected', async () => {
    const error = await createClient(source('custom'), { expect: 'anthropic' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderMismatchError);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_MISMATCH', expected: 'anthropic', actual: 'custom' });
    expect((error as Error).message).toContain('"custom"');
  });

  it("'azure-openai' does not accept a plain openai resolution", async () => {
    await expect(createClient(source('openai'), 'azure-openai')).rejects.toBeInstanceOf(ProviderMismatchError);
  });

  it('without an expectation, the config option picks the Google SDK', async () => {
    const genai = (await createClient(source('google', { options: { sdk: 'genai' } }))) as GoogleGenAI;
    expect(typeof genai.models.generateContent).toBe('function');
    const legacy = (await createClient(source('google'))) as GoogleGenerativeAI;
    expect(typeof legacy.getGenerativeModel).toBe('function');
  });
});

describe('createClient: keys', () => {
  it('refuses a resolution without a usable key before touching a descriptor', async () => {
    let called = false;
    const providers: ProviderRegistry = {
      spy: {
        id: 'spy',
        label: 'Spy',
        keyPrefixes: [],
        checkKeyFormat: () => null,
        createClient: async () => (called = true),
      },
    };
    const noKey = { ...source('spy'), key: { reveal: () => '' } as unknown as Secret };
    await expect(createClient(noKey, { providers })).rejects.toMatchObject({ code: 'KEY_FORMAT_INVALID' });
    const undefinedKey = { ...source('spy'), key: undefined as unknown as Secret };
    await expect(createClient(undefinedKey, { providers })).rejects.toMatchObject({ code: 'KEY_FORMAT_INVALID' });
    expect(called).toBe(false);
  });

  it('scrubs a construction failure that mentions the key', async () => {
    const r = source('leaky');
    const key = r.key.reveal();
    const providers: ProviderRegistry = {
      leaky: {
        id: 'leaky',
        label: 'Leaky',
        keyPrefixes: [],
        checkKeyFormat: () => null,
        createClient: async (input) => {
          const inner = new Error(`socket closed while sending ${input.apiKey}`);
          throw Object.assign(
            new Error(`bad key "${input.apiKey}" (tail ${input.apiKey.slice(-12)})`, { cause: inner }),
            {
              request: { headers: { authorization: `Bearer ${input.apiKey}` } },
            },
          );
        },
      },
    };
    const error = await createClient(r, { providers }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_REQUEST_FAILED' });
    expect((error as Error).message).toMatch(/^\[byokit\] \[providers\] building the Leaky client: bad key/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(((error as Error).cause as Error).cause).toBeInstanceOf(Error);
    expectNoKeyLeak(error, key);
  });

  it('passes clientOptions through and the resolution key/base URL always win', async () => {
    let seen: unknown;
    const providers: ProviderRegistry = {
      echo: {
        id: 'echo',
        label: 'Echo',
        keyPrefixes: [],
        checkKeyFormat: () => null,
        createClient: async (input) => (seen = input),
      },
    };
    const r = { ...source('echo'), baseUrl: 'https://echo.example', model: 'm1', options: { region: 'eu' } };
    await createClient(r, { providers, clientOptions: { timeout: 5 } });
    expect(seen).toEqual({
      apiKey: r.key.reveal(),
      baseUrl: 'https://echo.example',
      model: 'm1',
      options: { region: 'eu' },
      clientOptions: { timeout: 5 },
      transport: expect.objectContaining({ fetch: expect.any(Function) }),
    });
  });
});

describe('createClient: missing SDK', () => {
  it('loadSdk turns a missing package into PROVIDER_SDK_MISSING naming it', async () => {
    const name = 'byokit-test-sdk-that-is-not-installed';
    const error = await loadSdk(name, () => import(/* @vite-ignore */ name)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_SDK_MISSING' });
    expect((error as Error).message).toContain(`npm install ${name}`);
  });

  it('reaches the host through createClient with its code intact', async () => {
    const name = 'byokit-test-voice-sdk-not-installed';
    const providers: ProviderRegistry = {
      voice: {
        id: 'voice',
        label: 'Voice',
        keyPrefixes: [],
        checkKeyFormat: () => null,
        createClient: () => loadSdk(name, () => import(/* @vite-ignore */ name)),
      },
    };
    await expect(createClient(source('voice'), { providers })).rejects.toMatchObject({ code: 'PROVIDER_SDK_MISSING' });
  });

  it('does not call a broken dependency of an installed SDK "missing"', async () => {
    const error = Object.assign(
      new Error("Cannot find package 'some-transitive-dep' imported from /x/node_modules/openai/index.mjs"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    await expect(loadSdk('openai', () => Promise.reject(error))).rejects.toBe(error);
  });
});

/** A host's own keyed service: a text-to-speech API, client built on fetch. */
interface SpeechClient {
  speak(text: string): Promise<{ audio: string }>;
}
const speechProvider: ProviderDescriptor<SpeechClient> = {
  id: 'speech',
  label: 'Acme Voice',
  keyPrefixes: ['av_'],
  requiresBaseUrl: true,
  checkKeyFormat: (key) => (key.startsWith('av_') ? null : 'Acme Voice keys start with "av_"'),
  createClient: async ({ apiKey, baseUrl, transport }) => ({
    async speak(text) {
      // The guarded transport byokit hands every descriptor: policy-checked, no redirects.
      const response = await (transport?.fetch ?? fetch)(`${baseUrl}/v1/speech`, {
        method: 'POST',
        headers: { 'xi-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      return (await response.json()) as { audio: string };
    },
  }),
};

describe('createClient: a host-registered, non-LLM provider', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer(() => ({ status: 200, body: { audio: 'UklGRg==' } }));
  });
  afterAll(() => server.close());

  it('goes through createClient like a built-in one', async () => {
    const key = canaryKey('av_');
    const r = { provider: 'speech', baseUrl: `${server.url}/tts`, model: null, options: {}, key: new Secret(key) };
    const speech = (await createClient(r, {
      expect: 'speech',
      providers: { speech: speechProvider },
      ...LOCAL_ENDPOINTS,
    })) as SpeechClient;
    expect(await speech.speak('hello')).toEqual({ audio: 'UklGRg==' });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/tts/v1/speech' });
    expect(server.requests[0]?.headers['xi-api-key']).toBe(key);
  });

  it('requires its base URL since the descriptor says so', async () => {
    const r = { provider: 'speech', baseUrl: null, model: null, options: {}, key: new Secret(canaryKey('av_')) };
    await expect(createClient(r, { providers: { speech: speechProvider } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
