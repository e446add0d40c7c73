/**
 * A local provider server that answers per key: each key gets a status
 * (200, 401, 429, 500, or a delay), and every request's key is recorded in
 * order, as the provider would see it in its header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type KeyBehaviour = 200 | 401 | 429 | 500 | { status: number; retryAfter?: number } | { delayMs: number };

export interface KeyServer {
  /** Base URL of the OpenAI-style API (`/v1`). */
  openaiUrl: string;
  /** Base URL of the Anthropic-style API. */
  anthropicUrl: string;
  /** How the server answers each key (default 200). */
  behaviour: Map<string, KeyBehaviour>;
  /** The key of each request, in order (from `authorization: Bearer`, else `x-api-key`). */
  keys: string[];
  close(): Promise<void>;
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    req.resume();
    req.on('end', resolve);
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const ERRORS: Record<number, { type: string; code: string }> = {
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: 'server_error' },
};

export async function startKeyServer(): Promise<KeyServer> {
  const behaviour = new Map<string, KeyBehaviour>();
  const keys: string[] = [];
  const server = createServer(async (req, res) => {
    await drain(req);
    const anthropic = req.url?.startsWith('/anthropic/') === true;
    // @anthropic-ai/sdk 1.x sends an API key as `Authorization: Bearer` too (older ones as `x-api-key`).
    const key =
      String(req.headers.authorization ?? '').replace(/^Bearer /, '') || String(req.headers['x-api-key'] ?? '');
    keys.push(key);
    const b = behaviour.get(key) ?? 200;
    if (typeof b === 'object' && 'delayMs' in b) await new Promise((resolve) => setTimeout(resolve, b.delayMs));
    const status = typeof b === 'number' ? b : 'status' in b ? b.status : 200;
    if (status !== 200) {
      const e = ERRORS[status] ?? ERRORS[500]!;
      const headers: Record<string, string> =
        typeof b === 'object' && 'retryAfter' in b && b.retryAfter !== undefined
          ? { 'retry-after': String(b.retryAfter) }
          : {};
      return send(
        res,
        status,
        anthropic
          ? { type: 'error', error: { type: e.type, message: 'refused' } }
          : { error: { message: 'refused', type: e.type, code: e.code } },
        headers,
      );
    }
    if (anthropic) {
      return send(res, 200, {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [{ type: 'text', text: 'hello' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 2 },
      });
    }
    send(res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: `answered with ${key.slice(8, 9)}`, refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    openaiUrl: `http://127.0.0.1:${port}/v1`,
    anthropicUrl: `http://127.0.0.1:${port}/anthropic`,
    behaviour,
    keys,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
