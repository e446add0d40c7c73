// The gateway over HTTP, as a client app would call it: the official OpenAI
// SDK pointed at the gateway with an access key as its API key, and plain
// fetch for the refusals. The provider is a local stand-in that records
// which tenant's key reached it.
import OpenAI from 'openai';
import { Keyring, MemoryStore, accessKeys, createVault } from 'byokit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAIServer, type LocalOpenAIServer } from '../local-openai-server.js';
import { startGateway, type Gateway } from './gateway.js';

const ACME_KEY = 'sk-proj-ACME0000000000000000000000ac7Q';
let provider: LocalOpenAIServer;
let gateway: Gateway;
let vault: ReturnType<typeof createVault>;
let token: string;
let tokenId: string;

async function call(
  bearer: string | null,
  body: unknown = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
) {
  const response = await fetch(`${gateway.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
}

beforeAll(async () => {
  provider = await startLocalOpenAIServer();
  provider.accept.set('acme', ACME_KEY);
  vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate('k1'),
    accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
    allowPrivateEndpoints: ['127.0.0.1'], // the stand-in provider listens on 127.0.0.1
    fallback: 'none',
  });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
  const config = await admin.createConfig({ name: 'prod', provider: 'openai', baseUrl: provider.baseUrl });
  await admin.setKey(config.id, ACME_KEY);
  const created = await admin.createAccessKey({
    name: 'mobile app',
    providers: ['openai'],
    models: ['gpt-4o-mini'],
    quota: { requests: { limit: 3, per: 'day' } },
  });
  token = created.secret.reveal();
  tokenId = created.accessKey.id;
  gateway = await startGateway(vault);
});

afterAll(async () => {
  await gateway?.close();
  await provider?.close();
});

describe('the gateway route', () => {
  it("answers 200 through the OpenAI SDK, with the tenant's own key reaching the provider, and charges the tokens to the access key", async () => {
    const client = new OpenAI({ apiKey: token, baseURL: gateway.url, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the local server, paid for by "acme".');
    expect(provider.seen).toStrictEqual(['acme']);
    const usage = await vault
      .as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } })
      .listAccessKeyUsage({ keyId: tokenId });
    expect(usage.items).toMatchObject([{ keyId: tokenId, requests: 1, tokens: 14 }]);
  });

  it('answers 401 for a missing, unknown or malformed key, the same way, and the provider sees nothing', async () => {
    const seen = provider.seen.length;
    const unknown = token.replace(/^byk_live_[0-9A-Z]{26}/, `byk_live_${'0'.repeat(26)}`);
    const answers = await Promise.all([call(null), call(unknown), call('byk_live_nonsense'), call(ACME_KEY)]);
    expect(answers.map((a) => a.status)).toStrictEqual([401, 401, 401, 401]);
    expect(new Set(answers.slice(1).map((a) => a.body.error?.message)).size).toBe(1);
    expect(JSON.stringify(answers.map((a) => a.body))).not.toContain(token.slice(36, -6));
    expect(provider.seen.length).toBe(seen);
  });

  it("answers 403 for a model outside the key's allow-list", async () => {
    const answer = await call(token, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('ACCESS_KEY_FORBIDDEN');
  });

  it('answers 429 QUOTA_EXCEEDED with the reset time once the quota is used up', async () => {
    // One request was used above (3 per day); two more pass, the fourth is refused.
    expect((await call(token)).status).toBe(200);
    expect((await call(token)).status).toBe(200);
    const refused = await call(token);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('QUOTA_EXCEEDED');
    const reset = refused.headers.get('x-ratelimit-reset')!;
    expect(Date.parse(reset)).toBe(
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1),
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 401 once the key is revoked, the same answer an unknown key gets', async () => {
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
    const { secret, accessKey } = await admin.createAccessKey({ name: 'to revoke' });
    expect((await call(secret.reveal())).status).toBe(200);
    await admin.revokeAccessKey(accessKey.id);
    const answer = await call(secret.reveal());
    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe('ACCESS_KEY_INVALID');
  });
});
