/**
 * `byokit/ai-sdk`: the real `ai` package and the real `@ai-sdk/*` providers,
 * built from vault resolutions, against a local server per test. Each
 * provider case runs `generateText` and `streamText` and checks the key
 * arrived in that API's header at the config's base URL, the answer reached
 * the caller, and the vault's outcome loop saw the call (token counts from
 * JSON and from the stream; a refused key turns the config `failing`).
 */
import { generateText, streamText } from 'ai';
import { aiSdkModel, createAiSdkProvider, type AiSdkFactory } from 'byokit/ai-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessKeys, createVault, isByokitError, Keyring, MemoryStore } from '../../src/index.js';
import { canaryKey } from '../providers/leak.js';
import { eventually, expectNothingSecret, keyed, LOCAL, outcomeVault } from '../outcomes/helpers.js';
import { sse, startStreamServer, type Answer, type SeenRequest, type StreamServer } from '../outcomes/stream-server.js';

// The AI SDK logs a warning for the unknown test model's token limit: not ours to see.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const PROMPT = 'PROMPT-CANARY-what-is-my-secret';
const COMPLETION = 'COMPLETION-CANARY-here-it-is';

interface Case {
  provider: 'openai' | 'anthropic' | 'google' | 'custom';
  key: string;
  /** The base URL's path on the local server, as the config stores it. */
  prefix: string;
  /** The path a call of `model` must reach (streamed or not). */
  path: (streamed: boolean) => string;
  /** The key as the request carries it. */
  keyIn: (request: SeenRequest) => string | undefined;
  json: { answer: Answer; input: number; output: number };
  stream: { answer: Answer; input: number; output: number };
  refused: Answer;
}

const MODEL = 'test-model';
const bearer = (request: SeenRequest) => /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];

const responsesMessage = {
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: COMPLETION, annotations: [] }],
};
const chatChunk = (delta: object, finish: string | null) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: MODEL,
  choices: [{ index: 0, delta, finish_reason: finish }],
});

const CASES: Case[] = [
  {
    provider: 'openai',
    key: canaryKey('sk-proj-'),
    prefix: '/openai/v1',
    path: () => '/openai/v1/responses',
    keyIn: bearer,
    json: {
      answer: {
        body: {
          id: 'resp_1',
          object: 'response',
          created_at: 1,
          model: MODEL,
          status: 'completed',
          output: [responsesMessage],
          usage: { input_tokens: 12, output_tokens: 5, total_tokens: 17 },
        },
      },
      input: 12,
      output: 5,
    },
    stream: {
      answer: {
        chunks: sse([
          {
            type: 'response.created',
            sequence_number: 0,
            response: {
              id: 'resp_1',
              object: 'response',
              created_at: 1,
              model: MODEL,
              status: 'in_progress',
              output: [],
            },
          },
          {
            type: 'response.output_item.added',
            sequence_number: 1,
            output_index: 0,
            item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] },
          },
          {
            type: 'response.output_text.delta',
            sequence_number: 2,
            item_id: 'msg_1',
            output_index: 0,
            content_index: 0,
            delta: COMPLETION.slice(0, 9),
          },
          {
            type: 'response.output_text.delta',
            sequence_number: 3,
            item_id: 'msg_1',
            output_index: 0,
            content_index: 0,
            delta: COMPLETION.slice(9),
          },
          { type: 'response.output_item.done', sequence_number: 4, output_index: 0, item: responsesMessage },
          {
            type: 'response.completed',
            sequence_number: 5,
            response: {
              id: 'resp_1',
              object: 'response',
              created_at: 1,
              model: MODEL,
              status: 'completed',
              output: [responsesMessage],
              usage: { input_tokens: 31, output_tokens: 17, total_tokens: 48 },
            },
          },
        ]),
      },
      input: 31,
      output: 17,
    },
    refused: {
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          param: null,
        },
      },
    },
  },
  {
    provider: 'custom',
    key: canaryKey('gw_', 36),
    prefix: '/gateway/v1',
    path: () => '/gateway/v1/chat/completions',
    keyIn: bearer,
    json: {
      answer: {
        body: {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: MODEL,
          choices: [{ index: 0, message: { role: 'assistant', content: COMPLETION }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
        },
      },
      input: 7,
      output: 3,
    },
    stream: {
      answer: {
        chunks: sse(
          [
            chatChunk({ role: 'assistant', content: COMPLETION.slice(0, 9) }, null),
            chatChunk({ content: COMPLETION.slice(9) }, 'stop'),
            {
              id: 'c1',
              object: 'chat.completion.chunk',
              created: 1,
              model: MODEL,
              choices: [],
              usage: { prompt_tokens: 31, completion_tokens: 17, total_tokens: 48 },
            },
          ],
          { done: true },
        ),
      },
      input: 31,
      output: 17,
    },
    refused: {
      status: 401,
      body: {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      },
    },
  },
  {
    provider: 'anthropic',
    key: canaryKey('sk-ant-api03-', 60),
    prefix: '/anthropic',
    path: () => '/anthropic/v1/messages',
    keyIn: (request) => request.headers['x-api-key'] as string | undefined,
    json: {
      answer: {
        body: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: MODEL,
          content: [{ type: 'text', text: COMPLETION }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 6 },
        },
      },
      input: 10,
      output: 6,
    },
    stream: {
      answer: {
        chunks: sse([
          {
            event: 'message_start',
            data: {
              type: 'message_start',
              message: {
                id: 'msg_1',
                type: 'message',
                role: 'assistant',
                model: MODEL,
                content: [],
                stop_reason: null,
                stop_sequence: null,
                usage: { input_tokens: 25, output_tokens: 1 },
              },
            },
          },
          {
            event: 'content_block_start',
            data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          },
          {
            event: 'content_block_delta',
            data: {
              type: 'content_block_delta',
              index: 0,
              delta: { type: 'text_delta', text: COMPLETION.slice(0, 11) },
            },
          },
          {
            event: 'content_block_delta',
            data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: COMPLETION.slice(11) } },
          },
          { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
          {
            event: 'message_delta',
            data: {
              type: 'message_delta',
              delta: { stop_reason: 'end_turn', stop_sequence: null },
              usage: { output_tokens: 15 },
            },
          },
          { event: 'message_stop', data: { type: 'message_stop' } },
        ]),
      },
      input: 25,
      output: 15,
    },
    refused: {
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    },
  },
  {
    provider: 'google',
    key: canaryKey('AIza', 39),
    prefix: '/google',
    path: (streamed) => `/google/v1beta/models/${MODEL}:${streamed ? 'streamGenerateContent' : 'generateContent'}`,
    keyIn: (request) => request.headers['x-goog-api-key'] as string | undefined,
    json: {
      answer: {
        body: {
          candidates: [{ content: { role: 'model', parts: [{ text: COMPLETION }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 4, totalTokenCount: 12 },
          modelVersion: MODEL,
        },
      },
      input: 8,
      output: 4,
    },
    stream: {
      answer: {
        chunks: sse([
          {
            candidates: [{ content: { role: 'model', parts: [{ text: COMPLETION.slice(0, 8) }] }, index: 0 }],
            usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
            modelVersion: MODEL,
          },
          {
            candidates: [
              { content: { role: 'model', parts: [{ text: COMPLETION.slice(8) }] }, finishReason: 'STOP', index: 0 },
            ],
            usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 6, totalTokenCount: 15 },
            modelVersion: MODEL,
          },
        ]),
      },
      input: 9,
      output: 6,
    },
    refused: {
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
        },
      },
    },
  },
];

let server: StreamServer;
beforeAll(async () => {
  server = await startStreamServer();
});
afterAll(() => server.close());

describe.each(CASES)('byokit/ai-sdk with $provider', (spec) => {
  async function setup() {
    const vault = outcomeVault();
    const { resolution, configId } = await keyed(vault, {
      provider: spec.provider,
      key: spec.key,
      baseUrl: `${server.url}${spec.prefix}`,
    });
    return { ...vault, resolution, configId, model: await aiSdkModel(resolution, { defaultModel: MODEL }) };
  }

  it("generateText: the key in the API's header at the config's base URL, the answer back, the tokens counted", async () => {
    const { model, outcomes, configId } = await setup();
    server.answer(spec.json.answer);
    const seen = server.requests.length;
    const { text } = await generateText({ model, prompt: PROMPT, maxRetries: 0 });
    expect(text).toBe(COMPLETION);
    const request = server.requests[seen]!;
    expect(request.path).toBe(spec.path(false));
    expect(spec.keyIn(request)).toBe(spec.key);
    expect(request.body).toContain(PROMPT);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      configId,
      provider: spec.provider,
      status: 'ok',
      httpStatus: 200,
      inputTokens: spec.json.input,
      outputTokens: spec.json.output,
      via: 'client',
    });
    expectNothingSecret(outcomes, spec.key, [PROMPT, COMPLETION]);
  });

  it('streamText: the text arrives in pieces, and the streamed token counts reach the vault', async () => {
    const { model, outcomes } = await setup();
    server.answer(spec.stream.answer);
    const seen = server.requests.length;
    const result = streamText({ model, prompt: PROMPT, maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(COMPLETION);
    const request = server.requests[seen]!;
    expect(request.path).toBe(spec.path(true));
    expect(spec.keyIn(request)).toBe(spec.key);
    // A compatible server sends a stream's usage only when asked: the bridge asks, so streamed tokens are counted.
    if (spec.provider === 'custom')
      expect(JSON.parse(request.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    await eventually(() => expect(outcomes).toHaveLength(1));
    expect(outcomes[0]).toMatchObject({
      status: 'ok',
      streamed: true,
      inputTokens: spec.stream.input,
      outputTokens: spec.stream.output,
    });
  });

  it('a refused key: the call fails, and the config shows failing', async () => {
    const { model, outcomes, health, owner, configId } = await setup();
    server.answer(spec.refused);
    await expect(generateText({ model, prompt: PROMPT, maxRetries: 0 })).rejects.toBeDefined();
    expect(outcomes).toMatchObject([{ status: 'auth_failed', httpStatus: spec.refused.status }]);
    await eventually(() => expect(health).toHaveLength(1));
    expect((await owner.getConfig(configId)).health).toMatchObject({ state: 'failing', failureCount: 1 });
    expectNothingSecret({ outcomes, health }, spec.key, [PROMPT]);
  });
});

describe('createAiSdkProvider', () => {
  it('types and checks the expected provider: a custom endpoint is not handed out as OpenAI', async () => {
    const setup = outcomeVault();
    const { resolution } = await keyed(setup, {
      provider: 'custom',
      key: canaryKey('gw_', 36),
      baseUrl: `${server.url}/gateway/v1`,
    });
    const custom = await createAiSdkProvider(resolution, 'custom');
    expect(custom.chatModel(MODEL).provider).toBe('custom.chat');
    const error = await createAiSdkProvider(resolution, 'openai').catch((e: unknown) => e);
    expect(isByokitError(error, 'PROVIDER_MISMATCH')).toBe(true);
  });

  it('the openai provider can also call chat completions (provider.chat), with the same key', async () => {
    const setup = outcomeVault();
    const key = canaryKey('sk-proj-');
    const { resolution } = await keyed(setup, { provider: 'openai', key, baseUrl: `${server.url}/v1` });
    const openai = await createAiSdkProvider(resolution, 'openai');
    server.answer({
      body: {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
      },
    });
    const { text } = await generateText({ model: openai.chat(MODEL), prompt: 'hi', maxRetries: 0 });
    expect(text).toBe('ok');
    expect(server.requests.at(-1)).toMatchObject({ path: '/v1/chat/completions' });
    expect(bearer(server.requests.at(-1)!)).toBe(key);
    expect(setup.outcomes).toMatchObject([{ inputTokens: 2, outputTokens: 1 }]);
  });

  it('host settings never replace the key or the endpoint: apiKey, baseURL and auth headers are dropped, a host fetch is wrapped', async () => {
    const setup = outcomeVault();
    const key = canaryKey('sk-ant-api03-', 60);
    const { resolution } = await keyed(setup, { provider: 'anthropic', key, baseUrl: `${server.url}/anthropic` });
    const hostCalls: string[] = [];
    const hostFetch: typeof fetch = (input, init) => {
      hostCalls.push(String(input));
      return fetch(input, init);
    };
    const anthropic = await createAiSdkProvider(resolution, {
      expect: 'anthropic',
      settings: {
        apiKey: 'sk-ant-api03-PLATFORM',
        baseURL: 'http://evil.example/v1',
        headers: { 'X-Api-Key': 'other', 'x-trace': 't1' },
        fetch: hostFetch,
      },
    });
    server.answer(CASES[2]!.json.answer);
    await generateText({ model: anthropic(MODEL), prompt: 'hi', maxRetries: 0 });
    const request = server.requests.at(-1)!;
    expect(request.path).toBe('/anthropic/v1/messages');
    expect(request.headers['x-api-key']).toBe(key);
    expect(request.headers['x-trace']).toBe('t1');
    expect(hostCalls).toStrictEqual([`${server.url}/anthropic/v1/messages`]);
  });

  it("refuses an endpoint the vault's policy refuses, when the provider is built", async () => {
    const setup = outcomeVault({ allowPrivateEndpoints: LOCAL });
    const { resolution } = await keyed(setup, {
      provider: 'openai',
      key: canaryKey('sk-proj-'),
      baseUrl: `${server.url}/v1`,
    });
    const error = await createAiSdkProvider(resolution, { allowPrivateEndpoints: false }).catch((e: unknown) => e);
    expect(isByokitError(error, 'ENDPOINT_REFUSED')).toBe(true);
  });

  it('a provider with no built-in factory: PROVIDER_UNKNOWN, unless the host passes one', async () => {
    const setup = outcomeVault();
    const key = canaryKey('', 32);
    const { resolution } = await keyed(setup, { provider: 'mistral', key, baseUrl: `${server.url}/mistral` });
    const error = await createAiSdkProvider(resolution).catch((e: unknown) => e);
    expect(isByokitError(error, 'PROVIDER_UNKNOWN')).toBe(true);
    expect(String(error)).toContain('options.factories');
    // Mistral speaks the chat completions API: the OpenAI-compatible package will do for this test.
    const mistral: AiSdkFactory = async ({ apiKey, baseUrl, fetch, settings }) => {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({ ...settings, name: 'mistral', apiKey, baseURL: `${baseUrl}/v1`, fetch });
    };
    const provider = (await createAiSdkProvider(resolution, {
      factories: { mistral },
    })) as unknown as import('@ai-sdk/openai-compatible').OpenAICompatibleProvider;
    server.answer(CASES[1]!.json.answer);
    const { text } = await generateText({ model: provider(MODEL), prompt: 'hi', maxRetries: 0 });
    expect(text).toBe(COMPLETION);
    expect(server.requests.at(-1)?.path).toBe('/mistral/v1/chat/completions');
    expect(bearer(server.requests.at(-1)!)).toBe(key);
    expect(setup.outcomes).toMatchObject([{ provider: 'mistral', inputTokens: 7, outputTokens: 3 }]);
  });

  it("aiSdkModel: the config's model wins over defaultModel; no model at all is a typed error", async () => {
    const setup = outcomeVault();
    const { resolution } = await keyed(setup, {
      provider: 'custom',
      key: canaryKey('gw_', 36),
      baseUrl: `${server.url}/gateway/v1`,
    });
    expect((await aiSdkModel({ ...resolution, model: 'from-config' }, { defaultModel: 'fallback' })).modelId).toBe(
      'from-config',
    );
    expect((await aiSdkModel(resolution, { defaultModel: 'fallback' })).modelId).toBe('fallback');
    const error = await aiSdkModel(resolution).catch((e: unknown) => e);
    expect(isByokitError(error, 'VALIDATION_FAILED')).toBe(true);
  });

  it('an access-key resolution: the tokens of a streamed AI SDK call are charged to the access key, with no host hook', async () => {
    const vault = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
      allowPrivateEndpoints: LOCAL,
    });
    const owner = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
    const config = await owner.createConfig({
      name: 'gateway',
      provider: 'custom',
      baseUrl: `${server.url}/gateway/v1`,
    });
    await owner.setKey(config.id, canaryKey('gw_', 36));
    const { accessKey, secret } = await owner.createAccessKey({ name: 'app' });
    const resolution = await vault.resolve({ accessKey: secret });
    server.answer(CASES[1]!.stream.answer);
    const result = streamText({
      model: await aiSdkModel(resolution, { defaultModel: MODEL }),
      prompt: 'hi',
      maxRetries: 0,
    });
    expect(await result.text).toBe(COMPLETION);
    await eventually(async () => {
      expect((await owner.listAccessKeyUsage({ keyId: accessKey.id })).items).toMatchObject([
        { requests: 1, tokens: 48 },
      ]);
    });
  });

  it('bad arguments: typed errors, no key in them', async () => {
    for (const bad of [null, 'openai', { provider: '' }]) {
      const error = await createAiSdkProvider(bad as never).catch((e: unknown) => e);
      expect(isByokitError(error, 'VALIDATION_FAILED')).toBe(true);
    }
    const error = await createAiSdkProvider({
      provider: 'openai',
      key: null,
      baseUrl: null,
      model: null,
      options: {},
    } as never).catch((e: unknown) => e);
    expect(isByokitError(error, 'KEY_FORMAT_INVALID')).toBe(true);
  });
});
