// The Next.js route handler, called as Next would call it: the exported POST
// with a web Request, no Next server. The app's vault comes from the
// environment (lib/byokit.ts); the provider is a local OpenAI stand-in.
import { Keyring } from 'byokit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAIServer, type LocalOpenAIServer } from '../../local-openai-server.js';

const ACME_KEY = 'sk-proj-ACME0000000000000000000000ac7Q';
let provider: LocalOpenAIServer;
let POST: (request: Request) => Promise<Response>;
const saved = { ...process.env };

const request = (tenant: string | null, body: unknown = { messages: [{ role: 'user', content: 'Hi' }] }) =>
  new Request('http://localhost/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(tenant ? { 'x-demo-tenant': tenant } : {}) },
    body: JSON.stringify(body),
  });

/** Reads a streamed body piece by piece, as a browser would. */
async function pieces(response: Response): Promise<string[]> {
  const out: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) out.push(decoder.decode(chunk));
  return out;
}

beforeAll(async () => {
  provider = await startLocalOpenAIServer();
  provider.accept.set('acme', ACME_KEY);
  process.env.BYOKIT_MASTER_KEYS = Keyring.generateEntry('k1');
  process.env.BYOKIT_ALLOW_PRIVATE_ENDPOINTS = '127.0.0.1';
  delete process.env.DATABASE_URL;
  delete process.env.OPENAI_API_KEY;
  delete (globalThis as { byokitVault?: unknown }).byokitVault;
  ({ POST } = await import('./app/api/chat/route.js'));
  const { getVault } = await import('./lib/byokit.js');
  const admin = (await getVault()).as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
  const config = await admin.createConfig({
    name: 'prod',
    provider: 'openai',
    model: 'gpt-4o-mini',
    baseUrl: provider.baseUrl,
  });
  await admin.setKey(config.id, ACME_KEY);
});
afterAll(async () => {
  process.env = saved;
  delete (globalThis as { byokitVault?: unknown }).byokitVault;
  await provider?.close();
});

describe('Next.js route handler app/api/chat/route.ts', () => {
  it("streams the completion made with the tenant's own key, piece by piece", async () => {
    const seen = provider.seen.length;
    const response = await POST(request('acme'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-byokit-source')).toBe('byok');
    const text = await pieces(response);
    expect(text.length).toBeGreaterThan(1);
    expect(text.join('')).toBe('Hello from the local server, paid for by "acme".');
    expect(provider.seen.slice(seen)).toStrictEqual(['acme']);
  });

  it('401 without a tenant, 400 for a bad body, 503 for a tenant with no key and no platform key', async () => {
    const seen = provider.seen.length;
    expect((await POST(request(null))).status).toBe(401);
    expect((await POST(request('acme', { messages: [{ role: 'robot', content: 1 }] }))).status).toBe(400);
    const none = await POST(request('globex'));
    expect(none.status).toBe(503);
    expect(await none.json()).toMatchObject({ error: { code: 'NO_KEY' } });
    expect(provider.seen.length).toBe(seen);
  });

  it('502 when the provider refuses the key, with no key in the answer', async () => {
    provider.accept.delete('acme');
    try {
      const response = await POST(request('acme'));
      expect(response.status).toBe(502);
      expect(JSON.stringify(await response.json())).not.toContain(ACME_KEY.slice(-12));
    } finally {
      provider.accept.set('acme', ACME_KEY);
    }
  });
});
