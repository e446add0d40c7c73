/**
 * A stand-in for OpenAI on 127.0.0.1, so the hub runs offline and Validate
 * can both succeed and fail: it accepts any key that starts with
 * {@link STAND_IN_ACCEPTED_PREFIX} and answers every other key the way
 * OpenAI answers a revoked one (401 `invalid_api_key`). Keys that start
 * with {@link STAND_IN_RATE_LIMITED_PREFIX} get OpenAI's 429 with a
 * `retry-after`, so a key pool's cooldown can be seen.
 *
 * It serves what the hub calls: `GET /v1/models` and `GET /v1/models/{id}`
 * (the validation call) and `POST /v1/chat/completions` (the test request).
 * It never records a key, only whether it was accepted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Keys with this prefix work at the stand-in; any other key is refused. */
export const STAND_IN_ACCEPTED_PREFIX = 'sk-demo-';
/** Keys with this prefix are always rate limited: 429 with `retry-after` {@link STAND_IN_RETRY_AFTER_SECONDS}. */
export const STAND_IN_RATE_LIMITED_PREFIX = 'sk-demo-429';
/** How long the stand-in tells a rate-limited key to wait. */
export const STAND_IN_RETRY_AFTER_SECONDS = 30;

const MODELS = ['gpt-4o-mini', 'gpt-4o'];

export interface StandInProvider {
  /** OpenAI-style base URL, e.g. `http://127.0.0.1:41234/v1`. */
  baseUrl: string;
  /** Each request, in order: its path, whether its key was accepted, and whether it was rate limited. */
  calls: { method: string; path: string; accepted: boolean; rateLimited: boolean }[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
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
  const rateLimited = presented.startsWith(STAND_IN_RATE_LIMITED_PREFIX);
  calls.push({ method: req.method ?? 'GET', path, accepted, rateLimited });
  if (!accepted) {
    return send(res, 401, {
      error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
    });
  }
  if (rateLimited) {
    const error = { message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded' };
    return send(res, 429, { error }, { 'retry-after': String(STAND_IN_RETRY_AFTER_SECONDS) });
  }
  if (req.method === 'GET' && path === '/v1/models') return send(res, 200, { object: 'list', data: MODELS.map(model) });
  const modelId = /^\/v1\/models\/([^/]+)$/.exec(path)?.[1];
  if (req.method === 'GET' && modelId !== undefined) {
    const id = decodeURIComponent(modelId);
    if (MODELS.includes(id)) return send(res, 200, model(id));
    return send(res, 404, {
      error: { message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found' },
    });
  }
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    const request = JSON.parse(body) as { model?: string };
    return send(res, 200, {
      id: 'chatcmpl-stand-in',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model ?? MODELS[0],
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: { role: 'assistant', content: 'Hello from the local stand-in provider.' },
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 8, total_tokens: 13 },
    });
  }
  return send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
}

/** Starts the stand-in on 127.0.0.1 (port 0: any free port). */
export async function startStandInProvider(port = 0): Promise<StandInProvider> {
  const calls: StandInProvider['calls'] = [];
  const server = createServer((req, res) => {
    answer(req, res, calls).catch(() =>
      send(res, 500, { error: { message: 'stand-in failed', type: 'server_error' } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${bound}/v1`,
    calls,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
