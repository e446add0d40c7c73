/**
 * Bounds on an answer: a deadline that covers the body as well as the
 * headers, and a cap on the bytes read. A body dripped one byte a second,
 * or a gigabyte error page, stops at the bound instead of holding the
 * caller for minutes or filling its memory.
 *
 * @module
 */
import { NetworkError } from '../errors.js';
import { byokitMessage } from '../message.js';

/** Limits on one answer (shared by every request of one validation). */
export interface ResponseLimits {
  /** Aborted when the deadline passes; its `reason` is the error to report. */
  signal: AbortSignal;
  /** Most bytes of (decoded) body read before the answer is dropped. */
  maxBytes: number;
}

/** The typed error for an answer larger than `maxBytes`. */
export function responseTooLarge(maxBytes: number, httpStatus: number): NetworkError {
  return new NetworkError(
    'RESPONSE_TOO_LARGE',
    byokitMessage('net', `the answer (HTTP ${httpStatus}) was larger than ${maxBytes} bytes; it was dropped unread`),
    { httpStatus },
  );
}

/** The typed error for an answer that did not complete before its deadline. */
export function responseTimeout(ms: number): NetworkError {
  return new NetworkError(
    'RESPONSE_TIMEOUT',
    byokitMessage('net', `no complete answer within ${ms} ms (headers and body)`),
  );
}

/** `reader.read()`, or the signal's reason as soon as it aborts (the reader is cancelled). */
function readBefore(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  const cancel = () => void reader.cancel(signal.reason).catch(() => undefined);
  if (signal.aborted) {
    cancel();
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? signal.reason : error);
      },
    );
  });
}

/**
 * `response` with its body bounded by `limits`: reading past `maxBytes`
 * (or a declared `content-length` above it) fails with
 * `RESPONSE_TOO_LARGE` and cancels the body; the deadline fails the read
 * with its reason even when the underlying `fetch` ignores signals.
 * `onLimit` hears about a size refusal.
 */
export function limitResponse(
  response: Response,
  limits: ResponseLimits,
  onLimit: (error: NetworkError) => void,
): Response {
  if (!response.body) return response;
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    void response.body.cancel().catch(() => undefined);
    const error = responseTooLarge(limits.maxBytes, response.status);
    onLimit(error);
    throw error;
  }
  const reader = response.body.getReader();
  let received = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await readBefore(reader, limits.signal);
      } catch (error) {
        controller.error(error);
        return;
      }
      if (chunk.done) {
        controller.close();
        return;
      }
      received += chunk.value.byteLength;
      if (received > limits.maxBytes) {
        const error = responseTooLarge(limits.maxBytes, response.status);
        onLimit(error);
        void reader.cancel(error).catch(() => undefined);
        controller.error(error);
        return;
      }
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const limited = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has an empty `url`; keep the real one for SDKs that read it.
  Object.defineProperty(limited, 'url', { value: response.url, enumerable: true });
  return limited;
}
