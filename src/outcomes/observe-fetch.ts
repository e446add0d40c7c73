/**
 * The observing fetch of instrumented clients: it sits around byokit's
 * guarded fetch, inside the SDK's own `fetch` option, and reports one
 * {@link OutcomeReport} per HTTP response (or failure): status, latency,
 * retry-after, the provider's error code, and token usage read from the
 * body as the SDK reads it.
 *
 * The body is observed, never held back or changed: it passes to the SDK
 * chunk by chunk, at the SDK's pace (a pull-based pass-through, so nothing
 * is read ahead of the SDK); the observer keeps only small windows of text
 * (the current stream event, up to 64 KiB; the first 4 KiB and last 64 KiB
 * of a JSON body) to find usage in, and drops them when the body ends.
 * Prompts are never read (the request body is not touched), completions
 * are never kept, and only counts, a status, a short error code and a
 * model id leave the observer. Any failure inside it is reported to
 * `onHookError` and the call goes on as if it were not there.
 *
 * @module
 */
import type { FetchFunction } from '../net/guarded-fetch.js';
import type { Transport } from '../net/transport.js';
import { errorCodeInBody } from '../providers/error-chain.js';
import { retryAfterOf, retryDelayInBody, statusOf } from './classify.js';
import type { OutcomeReport } from './types.js';
import { mentionsUsage, MODEL_ID, readModel, readUsage, type Usage } from './usage.js';

/** Where the observer reports, and what it must never let out. */
export interface ObserverTarget {
  report(report: OutcomeReport): void;
  failed(error: unknown): void;
  /** True when `text` (an error code, a model id) carries nothing secret: no part of the key. */
  safe(text: string): boolean;
}

/** The largest stream event and JSON tail the observer looks at, in characters. */
const WINDOW = 64 * 1024;
/** The start of a JSON body kept for its model id. */
const HEAD = 4 * 1024;
/**
 * The last event of a stream, by API: `data: [DONE]` (OpenAI, Mistral,
 * Cohere), Anthropic's `message_stop`, Cohere's `message-end`, the Responses
 * API's `response.completed`, Ollama's `"done": true` line. The outcome is
 * reported there, since some SDKs (ollama) stop reading at it.
 */
const LAST_EVENT = /^data: \[DONE\]|"type"\s*:\s*"(?:message_stop|message-end|response\.completed)"|"done"\s*:\s*true/;
/** A chunk is read from the provider only when the SDK asks for one (the default would read one ahead). */
const NO_READ_AHEAD = { highWaterMark: 0 };
/** Statuses whose responses can't have a body (a Response with one can't be built). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The transport with every fetch it hands out observed. */
export function observeTransport(transport: Transport, target: ObserverTarget): Transport {
  return {
    fetch: observeFetch(transport.fetch, target),
    wrap: (base) => observeFetch(transport.wrap(base), target),
    check: (url, options) => transport.check(url, options),
    // WebSockets (the Live APIs) carry no usage the observer reads: passed through unobserved.
    openWebSocket: (url, headers) => transport.openWebSocket(url, headers),
  };
}

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** The SDK's attempt number: openai and @anthropic-ai/sdk send `x-stainless-retry-count` (0 on the first try). */
function attemptOf(input: string | URL | Request, init: RequestInit | undefined): number | undefined {
  const headers = init?.headers ?? (typeof input === 'object' && 'headers' in input ? input.headers : undefined);
  if (headers === undefined) return undefined;
  const value = new Headers(headers).get('x-stainless-retry-count');
  return value !== null && /^\d{1,3}$/.test(value) ? Number(value) + 1 : undefined;
}

/** The model a URL names: Gemini's `/models/{model}:generateContent`, Azure's `/deployments/{deployment}/`. */
function modelInUrl(url: string): string | undefined {
  const match = /\/(?:models|deployments)\/([^/:?]+)(?:[:/?]|$)/.exec(url.split('#')[0]!);
  const model = match ? decodeURIComponent(match[1]!) : undefined;
  return model !== undefined && MODEL_ID.test(model) ? model : undefined;
}

function reportFailure(target: ObserverTarget, error: unknown): void {
  try {
    target.failed(error);
  } catch {
    // Nowhere left to report to.
  }
}

/** Runs `step` of the observer; a throw is reported and swallowed. */
function guarded<T>(target: ObserverTarget, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    reportFailure(target, error);
    return undefined;
  }
}

/** `inner` with each of its answers observed for `target`. */
export function observeFetch(inner: FetchFunction, target: ObserverTarget): FetchFunction {
  return async function observedFetch(input, init) {
    const started = performance.now();
    const attempt = guarded(target, () => attemptOf(input, init));
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      guarded(target, () =>
        target.report({
          status: 'network',
          latencyMs: elapsed(started),
          ...(attempt === undefined ? {} : { attempt }),
        }),
      );
      throw error;
    }
    return guarded(target, () => observeResponse(response, input, started, attempt, target)) ?? response;
  };
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 1000) / 1000;
}

/** Reads the body's text windows as it passes. */
class BodyScanner {
  readonly #lines: boolean;
  readonly #decoder = new TextDecoder();
  /** Lines mode: the current (unfinished) event. JSON mode: the body's tail. */
  #text = '';
  #head = '';
  #total = 0;
  readonly usage: Usage = {};
  /** Heard when a stream's last event passes: some SDKs stop reading there, before the body's end. */
  readonly #onLast: () => void;

  constructor(lines: boolean, onLast: () => void) {
    this.#lines = lines;
    this.#onLast = onLast;
  }

  push(chunk: Uint8Array): void {
    this.#take(this.#decoder.decode(chunk, { stream: true }));
  }

  #take(text: string): void {
    if (!this.#lines) {
      if (this.#total < HEAD) this.#head += text.slice(0, HEAD - this.#total);
      this.#total += text.length;
      this.#text = (this.#text + text).slice(-WINDOW);
      return;
    }
    let from = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
      this.#event((this.#text + text.slice(from, end)).slice(-WINDOW));
      this.#text = '';
      from = end + 1;
    }
    // An event longer than the window keeps its tail: usage comes last in every API's events.
    this.#text = (this.#text + text.slice(from)).slice(-WINDOW);
  }

  /** One server-sent event line (`data: {...}`) or one NDJSON line. */
  #event(line: string): void {
    if (mentionsUsage(line)) readUsage(line, this.usage);
    if (this.usage.model === undefined && line.includes('"model')) this.usage.model = readModel(line);
    if (LAST_EVENT.test(line)) this.#onLast();
  }

  /** The body ended: the last event, or the whole JSON body's windows. Returns the text seen, for an error body. */
  end(): string {
    this.#take(this.#decoder.decode());
    if (this.#lines) {
      this.#event(this.#text);
      return '';
    }
    readUsage(this.#text, this.usage);
    this.usage.model ??= readModel(this.#head) ?? readModel(this.#text);
    return this.#total <= WINDOW ? this.#text : '';
  }
}

/** How an observed body ended: read to its end, broke off, cancelled by the SDK, or its stream's last event passed. */
type Ending = 'done' | 'error' | 'cancel' | 'last';

function observeResponse(
  response: Response,
  input: string | URL | Request,
  started: number,
  attempt: number | undefined,
  target: ObserverTarget,
): Response {
  const latencyMs = elapsed(started);
  const httpStatus = response.status;
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  const lines = type.includes('event-stream') || type.includes('ndjson') || type.includes('jsonl');
  const json = !lines && type.includes('json');
  const retryAfter = httpStatus === 429 || httpStatus >= 500 ? retryAfterOf(response.headers, Date.now()) : undefined;
  const urlModel = modelInUrl(urlOf(input));

  const emit = (scanner: BodyScanner | null, how: Ending) => {
    // At a stream's last event the body is not over yet: use what the events said so far.
    const text = (how === 'last' ? undefined : scanner?.end()) ?? '';
    const usage = scanner?.usage ?? {};
    const code = text === '' || httpStatus < 400 ? undefined : errorCodeInBody(text);
    const providerCode = code !== undefined && target.safe(code) ? code : undefined;
    const model = usage.model !== undefined && target.safe(usage.model) ? usage.model : urlModel;
    const wait = retryAfter ?? (httpStatus === 429 && text !== '' ? retryDelayInBody(text) : undefined);
    const report: OutcomeReport = {
      // A body that broke off is no answer: the call failed on the network.
      status: how === 'error' ? 'network' : statusOf(httpStatus, providerCode),
      httpStatus,
      latencyMs,
      ...(providerCode === undefined ? {} : { providerCode }),
      ...(wait === undefined ? {} : { retryAfter: wait }),
      ...(usage.inputTokens === undefined ? {} : { inputTokens: usage.inputTokens }),
      ...(usage.outputTokens === undefined ? {} : { outputTokens: usage.outputTokens }),
      ...(model === undefined ? {} : { model }),
      ...(scanner === null ? {} : { durationMs: elapsed(started) }),
      ...(attempt === undefined ? {} : { attempt }),
      ...(lines ? { streamed: true } : {}),
    };
    target.report(report);
  };

  if (response.body === null || NULL_BODY.has(httpStatus) || !(lines || json)) {
    emit(null, 'done');
    return response;
  }
  let scanning = true;
  let reported = false;
  const finish = (how: Ending) => {
    if (reported) return;
    reported = true;
    guarded(target, () => emit(scanning ? scanner : null, how));
    scanning = false;
  };
  const scanner = new BodyScanner(lines, () => finish('last'));
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          finish('error');
          controller.error(error);
          return;
        }
        if (chunk.done) {
          finish('done');
          controller.close();
          return;
        }
        // The SDK gets the chunk as it came, whatever the scan does; a scan that fails stops scanning.
        if (scanning) {
          try {
            scanner.push(chunk.value);
          } catch (error) {
            scanning = false;
            reportFailure(target, error);
          }
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        finish('cancel');
        return reader.cancel(reason);
      },
    },
    NO_READ_AHEAD,
  );
  let observed: Response;
  try {
    observed = new Response(body, { status: httpStatus, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    // An answer a Response can't be rebuilt from goes to the SDK as it came, unobserved.
    reader.releaseLock();
    throw error;
  }
  // A constructed Response has an empty `url`; keep the real one for SDKs that read it.
  Object.defineProperty(observed, 'url', { value: response.url, enumerable: true });
  return observed;
}
