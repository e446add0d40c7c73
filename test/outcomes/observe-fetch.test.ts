/**
 * The observing fetch on its own: it never changes, delays or breaks what
 * the SDK gets, its failures are swallowed and reported, and it keeps only
 * bounded windows of a body.
 */
import { describe, expect, it } from 'vitest';
import { observeFetch, type ObserverTarget } from '../../src/outcomes/observe-fetch.js';
import type { OutcomeReport } from '../../src/outcomes/types.js';

function recorder(overrides: Partial<ObserverTarget> = {}) {
  const reports: OutcomeReport[] = [];
  const failures: unknown[] = [];
  const target: ObserverTarget = {
    report: (r) => void reports.push(r),
    failed: (e) => void failures.push(e),
    safe: () => true,
    ...overrides,
  };
  return { reports, failures, target };
}

/** A fetch answering with `body` in the given chunks. */
function answering(chunks: Array<string | Uint8Array>, init: ResponseInit = {}): typeof fetch {
  return async () => {
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': 'application/json' }, ...init });
  };
}

describe('observeFetch', () => {
  it('hands the SDK every byte unchanged, multi-byte characters split across chunks included', async () => {
    const text = JSON.stringify({
      content: 'naïve 😀 çà — '.repeat(500),
      usage: { prompt_tokens: 2, completion_tokens: 3 },
    });
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.slice(i, i + 7));
    const { reports, target } = recorder();
    const response = await observeFetch(answering(chunks), target)('http://x.test/v1/chat');
    expect(new Uint8Array(await response.arrayBuffer())).toStrictEqual(bytes);
    expect(reports).toMatchObject([{ status: 'ok', inputTokens: 2, outputTokens: 3 }]);
  });

  it('finds usage after a 9 MB JSON body (tail window) and after a 200 KB stream event', async () => {
    const big = JSON.stringify({
      data: [{ embedding: Array.from({ length: 1_000_000 }, () => 0.123456) }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
    const { reports, target } = recorder();
    const pieces = Array.from({ length: Math.ceil(big.length / 16_384) }, (_, i) =>
      big.slice(i * 16_384, (i + 1) * 16_384),
    );
    await (await observeFetch(answering(pieces), target)('http://x.test/v1/embeddings')).text();
    expect(reports).toMatchObject([{ status: 'ok', inputTokens: 8, model: 'text-embedding-3-small' }]);
    expect(big.length).toBeGreaterThan(9_000_000);

    const event = {
      type: 'response.completed',
      response: {
        output: [{ content: [{ text: 'y'.repeat(200_000) }] }],
        usage: { input_tokens: 40, output_tokens: 50_000 },
      },
    };
    const sse = `data: ${JSON.stringify({ type: 'response.created' })}\n\ndata: ${JSON.stringify(event)}\n\n`;
    const stream = recorder();
    await (
      await observeFetch(
        answering([sse], { headers: { 'content-type': 'text/event-stream' } }),
        stream.target,
      )('http://x.test/v1/responses')
    ).text();
    expect(stream.reports).toMatchObject([{ status: 'ok', streamed: true, inputTokens: 40, outputTokens: 50_000 }]);
  });

  it('reports once when the SDK cancels a stream, and passes the cancellation on', async () => {
    let cancelled: unknown;
    const inner: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode('data: {"usage":null}\n\n'));
          },
          cancel(reason) {
            cancelled = reason;
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const { reports, target } = recorder();
    const response = await observeFetch(inner, target)('http://x.test/');
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel('enough');
    expect(cancelled).toBe('enough');
    expect(reports).toMatchObject([{ status: 'ok', streamed: true }]);
  });

  it('a report that throws, and a scan that throws, never reach the call: the body still arrives whole', async () => {
    const { failures, target } = recorder({
      report: () => {
        throw new Error('meter down');
      },
    });
    const response = await observeFetch(answering(['{"usage":{"prompt_tokens":1}}']), target)('http://x.test/');
    expect(await response.json()).toStrictEqual({ usage: { prompt_tokens: 1 } });
    expect(failures).toHaveLength(1);

    const broken = recorder({ safe: () => true });
    const chunk = new TextEncoder().encode('data: {"x":1}\n\n');
    // A chunk that is not a Uint8Array makes the scanner's decoder throw; the SDK still gets it as it came.
    const inner: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(chunk);
            controller.enqueue('not bytes' as unknown as Uint8Array);
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const observed = await observeFetch(inner, broken.target)('http://x.test/');
    const reader = observed.body!.getReader();
    expect((await reader.read()).value).toStrictEqual(chunk);
    expect((await reader.read()).value).toBe('not bytes');
    expect((await reader.read()).done).toBe(true);
    expect(broken.failures).toHaveLength(1);
    expect(broken.reports).toMatchObject([{ status: 'ok' }]);
  });

  it('answers without a JSON or stream body, and bodiless ones, are reported at once and returned as they are', async () => {
    const audio: typeof fetch = async () =>
      new Response(new Uint8Array([1, 2, 3]), { headers: { 'content-type': 'audio/mpeg' } });
    const { reports, target } = recorder();
    const original = await audio('http://x.test/');
    const response = await observeFetch(async () => original, target)('http://x.test/v1/speech');
    expect(response).toBe(original);
    const empty = new Response(null, { status: 204 });
    expect(await observeFetch(async () => empty, target)('http://x.test/')).toBe(empty);
    expect(reports.map((r) => [r.status, r.httpStatus])).toStrictEqual([
      ['ok', 200],
      ['ok', 204],
    ]);
  });

  it('an answer no Response can be rebuilt from goes to the SDK as it came, its body still readable', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ok":true}'));
        controller.close();
      },
    });
    // A status outside 200-599 (a fetch of a host's that returns what it likes).
    const odd = {
      status: 600,
      statusText: '',
      url: 'http://x.test/',
      headers: new Headers({ 'content-type': 'application/json' }),
      body,
    } as unknown as Response;
    const { failures, reports, target } = recorder();
    const response = await observeFetch(async () => odd, target)('http://x.test/');
    expect(response).toBe(odd);
    expect(await new Response(response.body).json()).toStrictEqual({ ok: true });
    expect(failures).toHaveLength(1);
    expect(reports).toStrictEqual([]);
  });

  it('an error code or model that carries key material is dropped, never reported', async () => {
    const { reports, target } = recorder({ safe: (text) => !text.includes('CANARY') });
    const body = '{"model":"sk-CANARY1234567890","error":{"code":"sk_CANARY_1234567890"}}';
    await (await observeFetch(answering([body], { status: 401 }), target)('http://x.test/v1/chat')).text();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.providerCode).toBeUndefined();
    expect(reports[0]!.model).toBeUndefined();
    expect(reports[0]!.status).toBe('auth_failed');
  });

  it('takes the model from the URL when the answer names none (Gemini path, Azure deployment)', async () => {
    const { reports, target } = recorder();
    await (
      await observeFetch(answering(['{}']), target)('http://x.test/v1beta/models/gemini-2.0-flash:generateContent')
    ).text();
    await (
      await observeFetch(
        answering(['{}']),
        target,
      )('http://x.test/openai/deployments/prod-gpt4o/chat/completions?api-version=1')
    ).text();
    expect(reports.map((r) => r.model)).toStrictEqual(['gemini-2.0-flash', 'prod-gpt4o']);
  });
});
