/**
 * An OpenAI-compatible gateway route, authenticated by byokit access keys:
 * `POST /v1/chat/completions` with `Authorization: Bearer byk_live_...`.
 *
 * Each customer (tenant) gets one access key per app. A call made with it
 * is routed to that tenant's own provider key (or the platform key, where
 * the tenant brought none and your fallback allows it), within the key's
 * provider and model allow-lists and quotas; the tokens the provider
 * reports are charged back to the key. Plain `node:http`, no framework.
 *
 * Status codes: 401 for an unknown, revoked or expired key (one answer for
 * all three), 403 for a model outside the key's allow-list, 429 with
 * `Retry-After` when a quota is used up, 400 for a bad body, 502 when the
 * provider call fails.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ByokitError, QuotaExceededError, createClient, type Vault } from 'byokit';

/** The OpenAI-style error body a client SDK understands. */
function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(
    JSON.stringify({ error: { message, type: status === 429 ? 'rate_limit_error' : 'invalid_request_error', code } }),
  );
}

/** The status a byokit refusal answers with. */
const STATUS: Partial<Record<string, number>> = {
  ACCESS_KEY_INVALID: 401,
  ACCESS_KEY_FORBIDDEN: 403,
  QUOTA_EXCEEDED: 429,
  VALIDATION_FAILED: 400,
  NO_KEY: 503,
};

async function readJson(req: IncomingMessage, limit = 1_000_000): Promise<unknown> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > limit) throw new SyntaxError('body too large');
  }
  return JSON.parse(body);
}

/** Handles one request: authenticate and resolve, forward (the client charges the tokens). */
async function handle(vault: Vault, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
    return sendError(res, 404, 'not_found', `no route ${req.method} ${req.url}`);
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer)
    return sendError(res, 401, 'ACCESS_KEY_INVALID', 'an access key is required: Authorization: Bearer byk_live_...');
  let body: { model?: unknown; messages?: unknown };
  try {
    body = (await readJson(req)) as typeof body;
  } catch {
    return sendError(res, 400, 'invalid_json', 'the body is not JSON');
  }
  if (typeof body?.model !== 'string' || !Array.isArray(body.messages))
    return sendError(res, 400, 'invalid_request', 'model and messages are required');

  try {
    // The access key names the tenant and scope; byokit checks it, its allow-lists and its quota.
    const resolution = await vault.resolve({ accessKey: bearer, provider: 'openai', model: body.model });
    const openai = await createClient(resolution, { expect: 'openai', clientOptions: { maxRetries: 0 } });
    // The client reports the tokens the provider answers with, and the vault charges them to this
    // access key (its usage and token budget): nothing to do here.
    const completion = await openai.chat.completions.create({
      ...(body as object),
      model: body.model,
      stream: false,
    } as never);
    res.writeHead(200, { 'content-type': 'application/json', 'x-byokit-source': resolution.source });
    res.end(JSON.stringify(completion));
  } catch (error) {
    if (error instanceof QuotaExceededError) {
      const seconds = Math.max(1, Math.ceil((Date.parse(error.resetAt) - Date.now()) / 1000));
      return sendError(res, 429, error.code, `quota of ${error.limit} ${error.quota} used up until ${error.resetAt}`, {
        'retry-after': String(seconds),
        'x-ratelimit-reset': error.resetAt,
      });
    }
    if (error instanceof ByokitError && STATUS[error.code] !== undefined)
      return sendError(res, STATUS[error.code]!, error.code, error.message);
    // A provider failure: its status (the tenant's key was refused upstream, ...), never the key itself.
    const status = (error as { status?: unknown }).status;
    return sendError(
      res,
      502,
      'upstream_error',
      `the provider answered ${typeof status === 'number' ? status : 'with an error'}`,
    );
  }
}

/** A running gateway. */
export interface Gateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts the gateway on 127.0.0.1 (port 0: any free port) for `vault`,
 * which must have been created with `accessKeys: accessKeys({ keyring })`.
 */
export async function startGateway(vault: Vault, port = 0): Promise<Gateway> {
  const server = createServer((req, res) => {
    handle(vault, req, res).catch(() => sendError(res, 500, 'internal_error', 'the gateway failed'));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
