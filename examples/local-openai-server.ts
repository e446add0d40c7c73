/**
 * A tiny OpenAI-compatible chat server on 127.0.0.1, standing in for the
 * provider so the examples run offline. It answers `POST /v1/chat/completions`
 * only when the request carries the key it expects (429 for a key the
 * example marks rate-limited), and records which key each request used.
 * With `stream: true` it answers with server-sent events, one per word.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalOpenAIServer {
  baseUrl: string;
  /** Keys (by label) this server accepts; set by the example before it calls. */
  accept: Map<string, string>;
  /** Label of the key each request used, in order (`'unknown'` for a rejected key). */
  seen: string[];
  /** Labels whose key is rate-limited: answered 429 with this `retry-after` (seconds). */
  rateLimited: Map<string, number>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A streamed answer: one server-sent event per word, then the usage (when asked for) and `[DONE]`. */
function sendStream(res: ServerResponse, model: string, reply: string, includeUsage: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (choices: unknown[], usage: unknown = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-local', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices, usage })}\n\n`;
  const words = reply.split(/(?<= )/);
  for (const [index, word] of words.entries()) {
    res.write(
      chunk([
        {
          index: 0,
          delta: index === 0 ? { role: 'assistant', content: word } : { content: word },
          finish_reason: index === words.length - 1 ? 'stop' : null,
        },
      ]),
    );
  }
  if (includeUsage)
    res.write(chunk([], { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length }));
  res.end('data: [DONE]\n\n');
}

export async function startLocalOpenAIServer(): Promise<LocalOpenAIServer> {
  const accept = new Map<string, string>();
  const seen: string[] = [];
  const rateLimited = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const label = [...accept].find(([, key]) => key === presented)?.[0];
    seen.push(label ?? 'unknown');
    if (!label)
      return send(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    const retryAfter = rateLimited.get(label);
    if (retryAfter !== undefined) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      return res.end(
        JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }),
      );
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    const request = JSON.parse(body) as {
      model: string;
      messages: { content: string }[];
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    if (request.stream)
      return sendStream(
        res,
        request.model,
        `Hello from the local server, paid for by "${label}".`,
        request.stream_options?.include_usage === true,
      );
    send(res, 200, {
      id: 'chatcmpl-local',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: { role: 'assistant', content: `Hello from the local server, paid for by "${label}".` },
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    accept,
    seen,
    rateLimited,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
