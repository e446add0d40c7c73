/**
 * A stand-in for OpenAI on 127.0.0.1, so the hub runs offline and Validate
 * can both succeed and fail: it accepts any key that starts with
 * {@link STAND_IN_ACCEPTED_PREFIX} and answers every other key the way
 * OpenAI answers a revoked one (401 `invalid_api_key`).
 *
 * It serves what the hub calls: `GET /v1/models` and `GET /v1/models/{id}`
 * (the validation call) and `POST /v1/chat/completions` (the test request).
 * It never records a key, only whether it was accepted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Keys with this prefix work at the stand-in; any other key is refused. */
export const STAND_IN_ACCEPTED_PREFIX = 'sk-demo-';

const MODELS = ['gpt-4o-mini', 'gpt-4o'];

export interface StandInProvider {
  /** OpenAI-style base URL, e.g. `http://127.0.0.1:41234/v1`. */
  baseUrl: string;
  /** Each request, in order: its path and whether its key was accepted. */
  calls: { method: string; path: string; accepted: boolean }[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

function model(id: string) {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'stand-in' };
}

async function answer(req: IncomingMessage, res: ServerResponse, calls: StandInProvider['calls']): Promise<void> {
  const body = await readBody(req);
  const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  const accepted = presented.startsWith(STAND_IN_ACCEPTED_PREFIX);
  const path = (req.url ?? '/').split('?')[0]!;
  calls.push({ method: req.method ?? 'GET', path, accepted });
  if (!accepted) {
    return send(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
  }
  if (req.method === 'GET' && path === '/v1/models') return send(res, 200, { object: 'list', data: MODELS.map(model) });
  const modelId = /^\/v1\/models\/([^/]+)$/.exec(path)?.[1];
  if (req.method === 'GET' && modelId !== undefined) {
    const id = decodeURIComponent(modelId);
    if (MODELS.includes(id)) return send(res, 200, model(id));
    return send(res, 404, { error: { message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found' } });
  }
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    const request = JSON.parse(body) as { model?: string };
    return send(res, 200, {
      id: 'chatcmpl-stand-in',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model ?? MODELS[0],
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello from the local stand-in provider.' } }],
      usage: { prompt_tokens: 5, completion_tokens: 8, total_tokens: 13 },
    });
  }
  return send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
}

/** Starts the stand-in on 127.0.0.1 (port 0: any free port). */
export async function startStandInProvider(port = 0): Promise<StandInProvider> {
  const calls: StandInProvider['calls'] = [];
  const server = createServer((req, res) => {
    answer(req, res, calls).catch(() => send(res, 500, { error: { message: 'stand-in failed', type: 'server_error' } }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${bound}/v1`,
    calls,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
