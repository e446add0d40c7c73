/**
 * Instrumented clients: the real SDK packages, built by createClient from a
 * vault with onUsage and key health on, against local servers that answer
 * with usage (JSON and streams), 401, 429 and 500. Token counts are
 * asserted per provider; every outcome and event is scanned for the key,
 * the prompt and the completion.
 */
import type { Anthropic } from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai';
import type { Mistral } from '@mistralai/mistralai';
import type { CohereClientV2 } from 'cohere-ai';
import type { Ollama } from 'ollama';
import type { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConfigOptions } from '../../src/index.js';
import { canaryKey } from '../providers/leak.js';
import { clientFor, eventually, expectNothingSecret, keyed, outcomeVault } from './helpers.js';
import { ndjson, sse, startStreamServer, type Answer, type StreamServer } from './stream-server.js';

/** Text that must never leave the SDK call: what the user asked and what the model answered. */
const PROMPT = 'PROMPT-CANARY-what-is-my-secret';
const COMPLETION = 'COMPLETION-CANARY-here-it-is';
const messages = [{ role: 'user' as const, content: PROMPT }];

interface ProviderCase {
  provider: string;
  key: string;
  expect: string;
  /** Path prefix of the base URL (proves the base URL is honoured). */
  prefix: string;
  options?: ConfigOptions;
  clientOptions?: Record<string, unknown>;
  json: {
    run: (client: any) => Promise<string | undefined>;
    answer: Answer;
    input: number;
    output: number;
    model: string;
  };
  stream: { run: (client: any) => Promise<string>; answer: Answer; input: number; output: number; model: string };
  /** The provider's answer to a refused key, and the error code it carries. */
  refused: { answer: Answer; code: string };
}

const openaiChat = (model: string, usage: object) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: COMPLETION, refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage,
});
const openaiChunks = (model: string) =>
  sse(
    [
      {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: [{ index: 0, delta: { role: 'assistant', content: COMPLETION.slice(0, 9) }, finish_reason: null }],
        usage: null,
      },
      {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: [{ index: 0, delta: { content: COMPLETION.slice(9) }, finish_reason: 'stop' }],
        usage: null,
      },
      {
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: [],
        usage: { prompt_tokens: 31, completion_tokens: 17, total_tokens: 48 },
      },
    ],
    { done: true },
  );
const openaiRefusal = {
  status: 401,
  body: {
    error: {
      message: 'Incorrect API key provided',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
    },
  },
};
async function openaiStream(client: OpenAI, model: string): Promise<string> {
  const stream = await client.chat.completions.create({
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

const CASES: ProviderCase[] = [
  {
    provider: 'openai',
    key: canaryKey('sk-proj-'),
    expect: 'openai',
    prefix: '/v1',
    clientOptions: { maxRetries: 0 },
    json: {
      run: async (c: OpenAI) =>
        (await c.chat.completions.create({ model: 'gpt-4o-mini', messages })).choices[0]?.message.content ?? undefined,
      answer: {
        body: openaiChat('gpt-4o-mini-2024-07-18', {
          prompt_tokens: 12,
          completion_tokens: 5,
          total_tokens: 17,
          prompt_tokens_details: { cached_tokens: 4 },
        }),
      },
      input: 12,
      output: 5,
      model: 'gpt-4o-mini-2024-07-18',
    },
    stream: {
      run: (c: OpenAI) => openaiStream(c, 'gpt-4o-mini'),
      answer: { chunks: openaiChunks('gpt-4o-mini-2024-07-18') },
      input: 31,
      output: 17,
      model: 'gpt-4o-mini-2024-07-18',
    },
    refused: { answer: openaiRefusal, code: 'invalid_api_key' },
  },
  {
    provider: 'azure-openai',
    key: canaryKey('', 84),
    expect: 'azure-openai',
    prefix: '/resource',
    options: { apiVersion: '2024-10-21', deployment: 'prod-gpt4o' },
    clientOptions: { maxRetries: 0 },
    json: {
      run: async (c: OpenAI) =>
        (await c.chat.completions.create({ model: 'ignored', messages })).choices[0]?.message.content ?? undefined,
      answer: { body: openaiChat('gpt-4o-2024-08-06', { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 }) },
      input: 20,
      output: 9,
      model: 'gpt-4o-2024-08-06',
    },
    stream: {
      run: (c: OpenAI) => openaiStream(c, 'ignored'),
      answer: { chunks: openaiChunks('gpt-4o-2024-08-06') },
      input: 31,
      output: 17,
      model: 'gpt-4o-2024-08-06',
    },
    refused: {
      answer: {
        status: 401,
        body: { error: { code: '401', message: 'Access denied due to invalid subscription key.' } },
      },
      code: '401',
    },
  },
  {
    provider: 'custom',
    key: canaryKey('gw_', 36),
    expect: 'openai',
    prefix: '/gateway/v1',
    clientOptions: { maxRetries: 0 },
    json: {
      run: async (c: OpenAI) =>
        (await c.chat.completions.create({ model: 'llama-3.1-8b', messages })).choices[0]?.message.content ?? undefined,
      answer: { body: openaiChat('llama-3.1-8b', { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 }) },
      input: 7,
      output: 3,
      model: 'llama-3.1-8b',
    },
    stream: {
      run: (c: OpenAI) => openaiStream(c, 'llama-3.1-8b'),
      answer: { chunks: openaiChunks('llama-3.1-8b') },
      input: 31,
      output: 17,
      model: 'llama-3.1-8b',
    },
    refused: { answer: openaiRefusal, code: 'invalid_api_key' },
  },
  {
    provider: 'anthropic',
    key: canaryKey('sk-ant-api03-', 60),
    expect: 'anthropic',
    prefix: '/proxy',
    clientOptions: { maxRetries: 0 },
    json: {
      run: async (c: Anthropic) => {
        const message = await c.messages.create({ model: 'claude-test', max_tokens: 64, messages });
        return message.content[0]?.type === 'text' ? message.content[0].text : undefined;
      },
      answer: {
        body: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-test-20250101',
          content: [{ type: 'text', text: COMPLETION }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: {
            input_tokens: 10,
            cache_creation_input_tokens: 100,
            cache_read_input_tokens: 1000,
            output_tokens: 6,
          },
        },
      },
      input: 1110,
      output: 6,
      model: 'claude-test-20250101',
    },
    stream: {
      run: async (c: Anthropic) => {
        const stream = await c.messages.create({ model: 'claude-test', max_tokens: 64, messages, stream: true });
        let text = '';
        for await (const event of stream)
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
        return text;
      },
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
                model: 'claude-test-20250101',
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
          { event: 'ping', data: { type: 'ping' } },
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
      model: 'claude-test-20250101',
    },
    refused: {
      answer: {
        status: 401,
        body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
      },
      code: 'authentication_error',
    },
  },
  {
    provider: 'google',
    key: canaryKey('AIza', 39),
    expect: 'google-genai',
    prefix: '/proxy',
    clientOptions: { httpOptions: { retryOptions: { attempts: 1 } } },
    json: {
      run: async (c: GoogleGenAI) =>
        (await c.models.generateContent({ model: 'gemini-2.0-flash', contents: PROMPT })).text,
      answer: {
        body: {
          candidates: [{ content: { role: 'model', parts: [{ text: COMPLETION }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 4, thoughtsTokenCount: 30, totalTokenCount: 42 },
          modelVersion: 'gemini-2.0-flash-001',
        },
      },
      input: 8,
      output: 34,
      model: 'gemini-2.0-flash-001',
    },
    stream: {
      run: async (c: GoogleGenAI) => {
        let text = '';
        for await (const chunk of await c.models.generateContentStream({ model: 'gemini-2.0-flash', contents: PROMPT }))
          text += chunk.text ?? '';
        return text;
      },
      answer: {
        chunks: sse(
          [
            {
              candidates: [{ content: { role: 'model', parts: [{ text: COMPLETION.slice(0, 8) }] }, index: 0 }],
              usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
              modelVersion: 'gemini-2.0-flash-001',
            },
            {
              candidates: [
                { content: { role: 'model', parts: [{ text: COMPLETION.slice(8) }] }, finishReason: 'STOP', index: 0 },
              ],
              usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 6, totalTokenCount: 15 },
              modelVersion: 'gemini-2.0-flash-001',
            },
          ],
          { crlf: true },
        ),
      },
      input: 9,
      output: 6,
      model: 'gemini-2.0-flash-001',
    },
    refused: {
      answer: {
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
      code: 'API_KEY_INVALID',
    },
  },
  {
    provider: 'mistral',
    key: canaryKey('', 32),
    expect: 'mistral',
    prefix: '/proxy',
    clientOptions: { retryConfig: { strategy: 'none' } },
    json: {
      run: async (c: Mistral) =>
        (await c.chat.complete({ model: 'mistral-small-latest', messages })).choices?.[0]?.message?.content as
          | string
          | undefined,
      answer: {
        body: {
          id: 'cmpl-1',
          object: 'chat.completion',
          model: 'mistral-small-2503',
          created: 1,
          choices: [{ index: 0, message: { role: 'assistant', content: COMPLETION }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22 },
        },
      },
      input: 14,
      output: 8,
      model: 'mistral-small-2503',
    },
    stream: {
      run: async (c: Mistral) => {
        let text = '';
        for await (const event of await c.chat.stream({ model: 'mistral-small-latest', messages }))
          text += (event.data.choices[0]?.delta.content as string | undefined) ?? '';
        return text;
      },
      answer: {
        chunks: sse(
          [
            {
              id: 'c',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'mistral-small-2503',
              choices: [
                { index: 0, delta: { role: 'assistant', content: COMPLETION.slice(0, 5) }, finish_reason: null },
              ],
            },
            {
              id: 'c',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'mistral-small-2503',
              choices: [{ index: 0, delta: { content: COMPLETION.slice(5) }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 16, completion_tokens: 11, total_tokens: 27 },
            },
          ],
          { done: true },
        ),
      },
      input: 16,
      output: 11,
      model: 'mistral-small-2503',
    },
    refused: { answer: { status: 401, body: { message: 'Unauthorized', request_id: 'r1' } }, code: 'NONE' },
  },
  {
    provider: 'cohere',
    key: canaryKey('', 40),
    expect: 'cohere',
    prefix: '/proxy',
    clientOptions: { maxRetries: 0 },
    json: {
      run: async (c: CohereClientV2) => {
        const response = await c.chat({ model: 'command-a-03-2025', messages });
        const part = response.message.content?.[0];
        return part && 'text' in part ? part.text : undefined;
      },
      answer: {
        body: {
          id: 'chat-1',
          finish_reason: 'COMPLETE',
          message: { role: 'assistant', content: [{ type: 'text', text: COMPLETION }] },
          usage: {
            billed_units: { input_tokens: 5, output_tokens: 3 },
            tokens: { input_tokens: 71, output_tokens: 3 },
          },
        },
      },
      input: 5,
      output: 3,
      model: 'NONE',
    },
    stream: {
      run: async (c: CohereClientV2) => {
        let text = '';
        for await (const event of await c.chatStream({ model: 'command-a-03-2025', messages })) {
          if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
        }
        return text;
      },
      answer: {
        chunks: sse([
          {
            event: 'message-start',
            data: {
              id: 'x',
              type: 'message-start',
              delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
            },
          },
          {
            event: 'content-start',
            data: { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
          },
          {
            event: 'content-delta',
            data: {
              type: 'content-delta',
              index: 0,
              delta: { message: { content: { text: COMPLETION.slice(0, 13) } } },
            },
          },
          {
            event: 'content-delta',
            data: { type: 'content-delta', index: 0, delta: { message: { content: { text: COMPLETION.slice(13) } } } },
          },
          { event: 'content-end', data: { type: 'content-end', index: 0 } },
          {
            event: 'message-end',
            data: {
              type: 'message-end',
              delta: {
                finish_reason: 'COMPLETE',
                usage: {
                  billed_units: { input_tokens: 6, output_tokens: 4 },
                  tokens: { input_tokens: 80, output_tokens: 4 },
                },
              },
            },
          },
        ]),
      },
      input: 6,
      output: 4,
      model: 'NONE',
    },
    refused: { answer: { status: 401, body: { id: 'e1', message: 'invalid api token' } }, code: 'NONE' },
  },
  {
    provider: 'ollama',
    key: canaryKey('', 32),
    expect: 'ollama',
    prefix: '/proxy',
    json: {
      run: async (c: Ollama) => (await c.chat({ model: 'llama3.2', messages, stream: false })).message.content,
      answer: {
        body: {
          model: 'llama3.2:latest',
          created_at: '2025-01-01T00:00:00Z',
          message: { role: 'assistant', content: COMPLETION },
          done: true,
          done_reason: 'stop',
          total_duration: 1,
          load_duration: 1,
          prompt_eval_count: 26,
          prompt_eval_duration: 1,
          eval_count: 298,
          eval_duration: 1,
        },
      },
      input: 26,
      output: 298,
      model: 'llama3.2:latest',
    },
    stream: {
      run: async (c: Ollama) => {
        let text = '';
        for await (const part of await c.chat({ model: 'llama3.2', messages, stream: true }))
          text += part.message.content;
        return text;
      },
      answer: {
        headers: { 'content-type': 'application/x-ndjson' },
        chunks: ndjson([
          {
            model: 'llama3.2:latest',
            created_at: '2025-01-01T00:00:00Z',
            message: { role: 'assistant', content: COMPLETION.slice(0, 10) },
            done: false,
          },
          {
            model: 'llama3.2:latest',
            created_at: '2025-01-01T00:00:00Z',
            message: { role: 'assistant', content: COMPLETION.slice(10) },
            done: false,
          },
          {
            model: 'llama3.2:latest',
            created_at: '2025-01-01T00:00:00Z',
            message: { role: 'assistant', content: '' },
            done: true,
            done_reason: 'stop',
            total_duration: 5,
            prompt_eval_count: 33,
            eval_count: 41,
          },
        ]),
      },
      input: 33,
      output: 41,
      model: 'llama3.2:latest',
    },
    refused: { answer: { status: 401, body: { error: 'unauthorized' } }, code: 'NONE' },
  },
];

describe.each(CASES)('instrumented $provider client', (spec) => {
  let server: StreamServer;
  beforeAll(async () => {
    server = await startStreamServer();
  });
  afterAll(() => server.close());

  async function setup() {
    const setup = outcomeVault();
    const { resolution, configId } = await keyed(setup, {
      provider: spec.provider,
      key: spec.key,
      baseUrl: `${server.url}${spec.prefix}`,
      ...(spec.options ? { options: spec.options } : {}),
    });
    const client = await clientFor(resolution, spec.expect, spec.clientOptions);
    return { ...setup, resolution, configId, client };
  }

  it('reports one outcome with status, latency, token counts and model for a call, and the SDK gets the answer unchanged', async () => {
    const { client, outcomes, configId } = await setup();
    server.answer(spec.json.answer);
    expect(await spec.json.run(client)).toBe(COMPLETION);
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes;
    expect(outcome).toMatchObject({
      tenantId: 'acme',
      scope: '',
      configId,
      source: spec.provider === 'custom' ? 'custom' : 'byok',
      provider: spec.provider,
      status: 'ok',
      httpStatus: 200,
      inputTokens: spec.json.input,
      outputTokens: spec.json.output,
      via: 'client',
    });
    if (spec.json.model !== 'NONE') expect(outcome!.model).toBe(spec.json.model);
    expect(outcome!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome!.durationMs).toBeGreaterThanOrEqual(outcome!.latencyMs);
    expect(outcome!.streamed).toBeUndefined();
    expect(Date.parse(outcome!.at)).not.toBeNaN();
    expectNothingSecret(outcomes, spec.key, [PROMPT, COMPLETION]);
  });

  it('reports the token counts of a streamed call; every event reaches the SDK', async () => {
    const { client, outcomes } = await setup();
    server.answer(spec.stream.answer);
    expect(await spec.stream.run(client)).toBe(COMPLETION);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      status: 'ok',
      httpStatus: 200,
      streamed: true,
      inputTokens: spec.stream.input,
      outputTokens: spec.stream.output,
    });
    if (spec.stream.model !== 'NONE') expect(outcomes[0]!.model).toBe(spec.stream.model);
    expectNothingSecret(outcomes, spec.key, [PROMPT, COMPLETION]);
  });

  it('a refused key: auth_failed with the provider’s error code, and the key starts failing (view, audit event, onKeyHealth)', async () => {
    const { client, outcomes, health, owner, configId, audit, hookErrors } = await setup();
    server.answer(spec.refused.answer);
    await expect(spec.json.run(client)).rejects.toBeDefined();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'auth_failed', httpStatus: spec.refused.answer.status });
    if (spec.refused.code === 'NONE') expect(outcomes[0]!.providerCode).toBeUndefined();
    else expect(outcomes[0]!.providerCode).toBe(spec.refused.code);
    await eventually(() => expect(health).toHaveLength(1));
    expect(health[0]).toMatchObject({
      configId,
      transition: 'failing',
      via: 'traffic',
      status: 'auth_failed',
      health: { state: 'failing', failureCount: 1 },
    });
    const view = await owner.getConfig(configId);
    expect(view.health).toMatchObject({ state: 'failing', failureCount: 1 });
    expect(view.keyState).toBe('active');
    expect(audit.filter((e) => e.type === 'key.failing')).toHaveLength(1);
    const trail = (await owner.listAudit({ configId })).items;
    expectNothingSecret({ outcomes, health, audit, view, trail, hookErrors }, spec.key, [PROMPT, COMPLETION]);
    expect(hookErrors).toStrictEqual([]);
  });

  it('a 429 is rate_limited with the wait the provider asked for; a 500 is server_error', async () => {
    const { client, outcomes, health } = await setup();
    server.answer({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
    });
    await expect(spec.json.run(client)).rejects.toBeDefined();
    server.answer({ status: 500, body: { error: { message: 'boom' } } });
    await expect(spec.json.run(client)).rejects.toBeDefined();
    expect(outcomes.map((o) => [o.status, o.httpStatus])).toStrictEqual([
      ['rate_limited', 429],
      ['server_error', 500],
    ]);
    expect(outcomes[0]!.retryAfter).toBe(7);
    expect(health).toStrictEqual([]);
  });
});

describe('instrumented clients: retries, attempts, network failures', () => {
  let server: StreamServer;
  beforeAll(async () => {
    server = await startStreamServer();
  });
  afterAll(() => server.close());

  it('one outcome per HTTP response: a 429 the SDK retried, then the success, each with its attempt number', async () => {
    const setup = outcomeVault();
    const { resolution } = await keyed(setup, {
      provider: 'openai',
      key: canaryKey('sk-proj-'),
      baseUrl: `${server.url}/v1`,
    });
    const client = (await clientFor(resolution, 'openai', { maxRetries: 2 })) as OpenAI;
    server.answer(
      {
        status: 429,
        headers: { 'retry-after-ms': '10' },
        body: { error: { message: 'slow', type: 'requests', code: 'rate_limit_exceeded' } },
      },
      { body: openaiChat('gpt-4o-mini', { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }) },
    );
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(setup.outcomes.map((o) => [o.status, o.attempt, o.retryAfter, o.inputTokens])).toStrictEqual([
      ['rate_limited', 1, 0.01, undefined],
      ['ok', 2, undefined, 3],
    ]);
  });

  it('no answer at all is a network outcome, and the SDK still sees its own connection error', async () => {
    const setup = outcomeVault();
    const dead = await startStreamServer();
    const url = dead.url;
    await dead.close();
    const { resolution } = await keyed(setup, {
      provider: 'anthropic',
      key: canaryKey('sk-ant-api03-', 60),
      baseUrl: url,
    });
    const client = (await clientFor(resolution, 'anthropic', { maxRetries: 0 })) as Anthropic;
    const error = await client.messages.create({ model: 'm', max_tokens: 5, messages }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('APIConnectionError');
    expect(setup.outcomes).toMatchObject([{ status: 'network', provider: 'anthropic' }]);
    expect(setup.outcomes[0]!.httpStatus).toBeUndefined();
  });

  it('a stream that breaks off is a network outcome; one the caller stops early is reported once, as it stood', async () => {
    const setup = outcomeVault();
    const { resolution } = await keyed(setup, {
      provider: 'openai',
      key: canaryKey('sk-proj-'),
      baseUrl: `${server.url}/v1`,
    });
    const client = (await clientFor(resolution, 'openai', { maxRetries: 0 })) as OpenAI;
    server.answer({ chunks: openaiChunks('gpt-4o-mini').slice(0, 4), breakOff: true });
    await expect(openaiStream(client, 'gpt-4o-mini')).rejects.toBeDefined();
    expect(setup.outcomes).toMatchObject([{ status: 'network', httpStatus: 200, streamed: true }]);
    setup.outcomes.length = 0;
    server.answer({ chunks: openaiChunks('gpt-4o-mini') });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _chunk of stream) break;
    await eventually(() => expect(setup.outcomes).toHaveLength(1));
    expect(setup.outcomes[0]).toMatchObject({ status: 'ok', streamed: true });
    expect(setup.outcomes[0]!.outputTokens).toBeUndefined();
  });

  it('without stream_options.include_usage an OpenAI stream has no usage to report: the outcome has no token counts', async () => {
    const setup = outcomeVault();
    const { resolution } = await keyed(setup, {
      provider: 'openai',
      key: canaryKey('sk-proj-'),
      baseUrl: `${server.url}/v1`,
    });
    const client = (await clientFor(resolution, 'openai', { maxRetries: 0 })) as OpenAI;
    const chunk = (content: string) => ({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    server.answer({ chunks: sse([chunk(COMPLETION.slice(0, 5)), chunk(COMPLETION.slice(5))], { done: true }) });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _chunk of stream) void _chunk;
    expect(setup.outcomes).toHaveLength(1);
    expect(setup.outcomes[0]!.inputTokens).toBeUndefined();
  });

  it('@google/generative-ai takes no fetch option: its calls are not observed (report them with vault.report)', async () => {
    // It is built for Google's own endpoint only, and calls the global fetch: route that endpoint to the local server.
    const google = 'https://generativelanguage.googleapis.com';
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      return realFetch(url.startsWith(google) ? `${server.url}${url.slice(google.length)}` : input, init);
    });
    try {
      const setup = outcomeVault();
      const { resolution } = await keyed(setup, { provider: 'google', key: canaryKey('AIza', 39), baseUrl: null });
      const client = (await clientFor(resolution, 'google')) as import('@google/generative-ai').GoogleGenerativeAI;
      server.answer({
        body: {
          candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
        },
      });
      await client.getGenerativeModel({ model: 'gemini-2.0-flash' }).generateContent('hi');
      expect(server.requests.at(-1)?.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
      expect(setup.outcomes).toStrictEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a platform-key client reports outcomes with source platform and no config, and never touches key health', async () => {
    const setup = outcomeVault({
      platformKeys: { openai: { apiKey: canaryKey('sk-proj-'), baseUrl: `${server.url}/v1` } },
    });
    const resolution = await setup.vault.resolve({ tenantId: 'acme', provider: 'openai' });
    const client = (await clientFor(resolution, 'openai', { maxRetries: 0 })) as OpenAI;
    server.answer(openaiRefusal);
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeDefined();
    await setup.vault.close();
    expect(setup.outcomes).toMatchObject([{ source: 'platform', configId: null, status: 'auth_failed' }]);
    expect(setup.health).toStrictEqual([]);
    expect(setup.audit.filter((e) => e.type.startsWith('key.failing'))).toStrictEqual([]);
  });

  it('a vault without onUsage or key health gives plain clients: nothing observed, nothing wrapped', async () => {
    const setup = outcomeVault({ onUsage: undefined, keyHealth: false, onKeyHealth: undefined });
    const { resolution } = await keyed(setup, {
      provider: 'openai',
      key: canaryKey('sk-proj-'),
      baseUrl: `${server.url}/v1`,
    });
    const client = (await clientFor(resolution, 'openai', { maxRetries: 0 })) as OpenAI;
    server.answer({ body: openaiChat('gpt-4o-mini', { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }) });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    // The SDK got the guarded fetch's own Response, not an observed copy.
    expect(response.url).toBe(`${server.url}/v1/chat/completions`);
    expect(setup.outcomes).toStrictEqual([]);
  });
});
