/**
 * byokit in a Hono app: the two request paths a BYOK platform has.
 *
 * - `POST /api/chat`: your own signed-in users. Your auth middleware knows
 *   the tenant; the route resolves that tenant's key and calls the model.
 * - `POST /v1/chat/completions`: apps calling with a byokit access key
 *   (`Authorization: Bearer byk_live_...`). `requireAccessKey` is the access
 *   check, as middleware: it authenticates the key, checks its allow-lists
 *   and quota and resolves the tenant's provider key in one call, and hands
 *   the resolution to the route.
 *
 * Errors become HTTP statuses in one place (`app.onError`), by byokit's
 * stable error codes; no answer carries a key.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { createClient, isByokitError, QuotaExceededError, type Resolution, type Vault } from 'byokit';

/** What the middleware hands the routes (Hono's typed context variables). */
export interface ChatEnv {
  Variables: {
    /** Set by your auth middleware: the signed-in user's tenant. */
    tenantId: string;
    /** Set by {@link requireAccessKey}: the resolution the access key allows. */
    resolution: Resolution;
  };
}

/** The status each byokit refusal answers with. */
const STATUS_BY_CODE: Partial<Record<string, 400 | 401 | 403 | 429 | 503>> = {
  VALIDATION_FAILED: 400,
  ACCESS_KEY_INVALID: 401,
  ACCESS_KEY_FORBIDDEN: 403,
  BYOK_NOT_ENTITLED: 403,
  RESOLUTION_DENIED: 403,
  QUOTA_EXCEEDED: 429,
  NO_KEY: 503,
};

interface ChatBody {
  model?: unknown;
  messages?: unknown;
}

/** The request body, read once (Hono caches it for the route after the middleware). */
async function chatBody(
  c: Context,
): Promise<{ model: string; messages: { role: 'user' | 'assistant' | 'system'; content: string }[] }> {
  const body = (await c.req.json().catch(() => null)) as ChatBody | null;
  if (typeof body?.model !== 'string' || !Array.isArray(body.messages)) {
    throw new HTTPException(400, { message: 'model (string) and messages (array) are required' });
  }
  return { model: body.model, messages: body.messages };
}

/**
 * The access check: `Authorization: Bearer byk_live_...` authenticated and
 * resolved by the vault (the key names the tenant and scope). Refusals
 * (401 unknown/revoked/expired, 403 outside the allow-lists, 429 quota)
 * reach `app.onError` as byokit errors.
 */
export function requireAccessKey(vault: Vault, provider = 'openai'): MiddlewareHandler<ChatEnv> {
  return async (c, next) => {
    const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!bearer)
      throw new HTTPException(401, { message: 'an access key is required: Authorization: Bearer byk_live_...' });
    const { model } = await chatBody(c);
    c.set('resolution', await vault.resolve({ accessKey: bearer, provider, model }));
    await next();
  };
}

/**
 * A stand-in for your own authentication. DEMO ONLY: it trusts a header.
 * Put your session or JWT check here and set the tenant it proves.
 */
export const demoAuth: MiddlewareHandler<ChatEnv> = async (c, next) => {
  const tenantId = c.req.header('x-demo-tenant');
  if (!tenantId) throw new HTTPException(401, { message: 'sign in first (demo: send x-demo-tenant)' });
  c.set('tenantId', tenantId);
  await next();
};

/** The Hono app: both routes, and one error mapping. */
export function createChatApp(vault: Vault): Hono<ChatEnv> {
  const app = new Hono<ChatEnv>();

  // Resolve and call: the signed-in user's tenant, its key (or your platform key), one completion.
  app.post('/api/chat', demoAuth, async (c) => {
    const { model, messages } = await chatBody(c);
    const resolution = await vault.resolve({ tenantId: c.get('tenantId'), provider: 'openai' });
    const openai = await createClient(resolution, { expect: 'openai', clientOptions: { maxRetries: 0 } });
    // The model the tenant configured, else the one asked for.
    const completion = await openai.chat.completions.create({ model: resolution.model ?? model, messages });
    return c.json({ reply: completion.choices[0]?.message.content ?? '', source: resolution.source });
  });

  // The access-key route: the middleware resolved; the client reports the tokens, charged to the key.
  app.post('/v1/chat/completions', requireAccessKey(vault), async (c) => {
    const { model, messages } = await chatBody(c);
    const resolution = c.get('resolution');
    const openai = await createClient(resolution, { expect: 'openai', clientOptions: { maxRetries: 0 } });
    const completion = await openai.chat.completions.create({ model, messages });
    c.header('x-byokit-source', resolution.source);
    return c.json(completion);
  });

  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: { message: error.message } }, error.status);
    if (error instanceof QuotaExceededError) {
      const seconds = Math.max(1, Math.ceil((Date.parse(error.resetAt) - Date.now()) / 1000));
      c.header('retry-after', String(seconds));
    }
    if (isByokitError(error)) {
      const status = STATUS_BY_CODE[error.code];
      // byokit messages carry no key material; other codes are server problems, not the caller's.
      if (status !== undefined) return c.json({ error: { code: error.code, message: error.message } }, status);
      return c.json({ error: { code: error.code, message: 'the request could not be served' } }, 500);
    }
    // A provider error (the tenant's key refused upstream ...): its status only, never its details.
    const upstream = (error as { status?: unknown }).status;
    return c.json(
      {
        error: {
          code: 'upstream_error',
          message: `the provider answered ${typeof upstream === 'number' ? upstream : 'with an error'}`,
        },
      },
      502,
    );
  });

  return app;
}
