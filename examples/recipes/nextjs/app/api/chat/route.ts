/**
 * `POST /api/chat` in a Next.js App Router app: resolve the signed-in
 * user's tenant key (or the platform key), then stream the completion back
 * as plain text, token by token. Web `Request`/`Response` only.
 *
 * Body: `{ "messages": [{ "role": "user", "content": "Hi" }], "model"?: "gpt-4o-mini" }`.
 * Answers: 200 text stream (`x-byokit-source: byok | custom | platform`),
 * 401 not signed in, 400 bad body, 503 no key for this tenant, 502 the
 * provider refused (e.g. the tenant's key was revoked).
 */
import { createClient, isByokitError } from 'byokit';
// In your app: `@/lib/byokit` (the `.js` suffix is for this repository's NodeNext type check).
import { getVault } from '../../../lib/byokit.js';

// byokit needs Node (node:crypto, the SQL drivers): not the Edge runtime.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The signed-in user's tenant. DEMO ONLY: it trusts a header. Use your auth
 * here (Auth.js `auth()`, Clerk's `auth()`, your session cookie) and return
 * the organisation the session proves.
 */
async function tenantOf(request: Request): Promise<string | null> {
  return request.headers.get('x-demo-tenant');
}

function error(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

function isMessage(value: unknown): value is ChatMessage {
  const { role, content } = (value ?? {}) as Partial<ChatMessage>;
  return (role === 'system' || role === 'user' || role === 'assistant') && typeof content === 'string';
}

export async function POST(request: Request): Promise<Response> {
  const tenantId = await tenantOf(request);
  if (!tenantId) return error(401, 'unauthenticated', 'sign in first');
  const body = (await request.json().catch(() => null)) as { messages?: unknown; model?: unknown } | null;
  if (
    !Array.isArray(body?.messages) ||
    !body.messages.every(isMessage) ||
    (body.model !== undefined && typeof body.model !== 'string')
  ) {
    return error(400, 'invalid_request', 'messages: [{ role, content }] is required; model is an optional string');
  }

  try {
    const vault = await getVault();
    const resolution = await vault.resolve({ tenantId, provider: 'openai' });
    const openai = await createClient(resolution, 'openai');
    const completion = await openai.chat.completions.create({
      model: resolution.model ?? body.model ?? 'gpt-4o-mini',
      messages: body.messages,
      stream: true,
      // The usage arrives as the stream's last event: a vault with onUsage meters streamed calls too.
      stream_options: { include_usage: true },
    });
    const encoder = new TextEncoder();
    const events = completion[Symbol.asyncIterator]();
    const text = new ReadableStream<Uint8Array>({
      // Read provider events until one carries text: the client gets each token as it arrives,
      // nothing is read ahead. (A pull that enqueues nothing is not called again.)
      async pull(controller) {
        for (;;) {
          const next = await events.next();
          if (next.done) return controller.close();
          const piece = next.value.choices[0]?.delta.content;
          if (piece) return controller.enqueue(encoder.encode(piece));
        }
      },
      cancel: () => completion.controller.abort(),
    });
    return new Response(text, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-byokit-source': resolution.source },
    });
  } catch (caught) {
    // byokit's messages carry no key material.
    if (isByokitError(caught, 'NO_KEY'))
      return error(503, caught.code, 'no provider key is set up for your organisation');
    if (isByokitError(caught)) return error(500, caught.code, 'the request could not be served');
    const status = (caught as { status?: unknown }).status;
    return error(
      502,
      'upstream_error',
      `the provider answered ${typeof status === 'number' ? status : 'with an error'}`,
    );
  }
}
