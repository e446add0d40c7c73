/**
 * A local provider stand-in that can answer in pieces: a body given as
 * chunks is written one chunk per event-loop turn, so server-sent events
 * and NDJSON lines reach the SDK split across reads, as they do from a
 * real provider.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON value (sent as JSON), a string, or chunks written one by one. */
  body?: unknown;
  chunks?: string[];
  /** Drop the connection after the chunks instead of ending the response. */
  breakOff?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface StreamServer {
  url: string;
  requests: SeenRequest[];
  /** Answers the next requests with `answers` in turn (the last one repeats). */
  answer(...answers: Array<Answer | ((request: SeenRequest) => Answer)>): void;
  close(): Promise<void>;
}

export async function startStreamServer(): Promise<StreamServer> {
  let answers: Array<Answer | ((request: SeenRequest) => Answer)> = [{ status: 200, body: {} }];
  let next = 0;
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        url,
        path: url.split('?')[0]!,
        headers: req.headers,
        body: Buffer.concat(parts).toString('utf8'),
      };
      requests.push(seen);
      const pick = answers[Math.min(next++, answers.length - 1)]!;
      const answer = typeof pick === 'function' ? pick(seen) : pick;
      const streamed = answer.chunks !== undefined;
      res.writeHead(answer.status ?? 200, {
        'content-type': streamed ? 'text/event-stream' : 'application/json',
        ...answer.headers,
      });
      if (!streamed) {
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
        return;
      }
      const chunks = [...answer.chunks!];
      const write = () => {
        const chunk = chunks.shift();
        if (chunk === undefined) {
          if (answer.breakOff) res.socket?.destroy();
          else res.end();
          return;
        }
        res.write(chunk);
        setImmediate(write);
      };
      write();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(...list) {
      answers = list;
      next = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Server-sent events: each payload as `data: ...` (with its `event:` line when given), split into small chunks mid-line. */
export function sse(
  events: Array<unknown | { event: string; data: unknown }>,
  { done = false, crlf = false } = {},
): string[] {
  const nl = crlf ? '\r\n' : '\n';
  let text = '';
  for (const item of events) {
    const named =
      typeof item === 'object' && item !== null && 'event' in item && 'data' in item
        ? (item as { event: string; data: unknown })
        : null;
    if (named) text += `event: ${named.event}${nl}`;
    const data = named ? named.data : item;
    text += `data: ${typeof data === 'string' ? data : JSON.stringify(data)}${nl}${nl}`;
  }
  if (done) text += `data: [DONE]${nl}${nl}`;
  return splitEvery(text, 37);
}

/** NDJSON lines, split into small chunks mid-line. */
export function ndjson(lines: unknown[]): string[] {
  return splitEvery(lines.map((line) => `${JSON.stringify(line)}\n`).join(''), 29);
}

function splitEvery(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
