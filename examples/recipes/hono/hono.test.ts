// The Hono recipe through app.request (no server needed), with the provider a
// local OpenAI stand-in that records whose key reached it.
import { execFile } from 'node:child_process';
import { accessKeys, createVault, Keyring, MemoryStore, type Vault } from 'byokit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAIServer, type LocalOpenAIServer } from '../../local-openai-server.js';
import { createChatApp } from './app.js';

const ACME_KEY = 'sk-proj-ACME0000000000000000000000ac7Q';
const PLATFORM_KEY = 'sk-platform-SHARED0000000000000000pf01';
let provider: LocalOpenAIServer;
let vault: Vault;
let app: ReturnType<typeof createChatApp>;
let token: string;

const chat = (model = 'gpt-4o-mini') => JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] });

beforeAll(async () => {
  provider = await startLocalOpenAIServer();
  provider.accept.set('acme', ACME_KEY).set('the platform', PLATFORM_KEY);
  vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate('k1'),
    accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
    allowPrivateEndpoints: ['127.0.0.1'],
    platformKeys: { openai: { apiKey: PLATFORM_KEY, baseUrl: provider.baseUrl } },
  });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
  const config = await admin.createConfig({ name: 'prod', provider: 'openai', baseUrl: provider.baseUrl });
  await admin.setKey(config.id, ACME_KEY);
  token = (
    await admin.createAccessKey({ name: 'app', models: ['gpt-4o-mini'], quota: { requests: { limit: 2, per: 'day' } } })
  ).secret.reveal();
  app = createChatApp(vault);
});
afterAll(() => provider?.close());

describe('Hono recipe: resolve and call', () => {
  it("answers with the tenant's own key, and a tenant without one gets the platform key", async () => {
    const acme = await app.request('/api/chat', {
      method: 'POST',
      headers: { 'x-demo-tenant': 'acme', 'content-type': 'application/json' },
      body: chat(),
    });
    expect(acme.status).toBe(200);
    expect(await acme.json()).toStrictEqual({
      reply: 'Hello from the local server, paid for by "acme".',
      source: 'byok',
    });
    expect(provider.seen.at(-1)).toBe('acme');
    const globex = await app.request('/api/chat', {
      method: 'POST',
      headers: { 'x-demo-tenant': 'globex', 'content-type': 'application/json' },
      body: chat(),
    });
    expect(await globex.json()).toMatchObject({ source: 'platform' });
    expect(provider.seen.at(-1)).toBe('the platform');
  });

  it('401 without a signed-in tenant, 400 for a bad body', async () => {
    expect((await app.request('/api/chat', { method: 'POST', body: chat() })).status).toBe(401);
    expect(
      (await app.request('/api/chat', { method: 'POST', headers: { 'x-demo-tenant': 'acme' }, body: '{"model":1}' }))
        .status,
    ).toBe(400);
  });
});

describe('Hono recipe: the access-key middleware', () => {
  const call = (bearer: string | null, body = chat()) =>
    app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body,
    });

  it("a valid key reaches the route with the tenant's resolution: the tenant's key goes to the provider", async () => {
    const seen = provider.seen.length;
    const response = await call(token);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-byokit-source')).toBe('byok');
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toContain('"acme"');
    expect(provider.seen.slice(seen)).toStrictEqual(['acme']);
  });

  it('refuses before the route runs: 401 missing or unknown key, 403 a model outside the allow-list, 429 past the quota; the provider sees nothing', async () => {
    const seen = provider.seen.length;
    expect((await call(null)).status).toBe(401);
    const unknown = await call(token.replace(/^byk_live_[0-9A-Z]{26}/, `byk_live_${'0'.repeat(26)}`));
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: 'ACCESS_KEY_INVALID' } });
    expect((await call(token, chat('gpt-4o'))).status).toBe(403);
    expect(provider.seen.length).toBe(seen);
    expect((await call(token)).status).toBe(200); // the second and last request of the day
    const over = await call(token);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const text = JSON.stringify(await over.json());
    expect(text).not.toContain(token.slice(-20));
    expect(text).not.toContain(ACME_KEY.slice(-12));
  });
});

describe('Hono recipe: main.ts', () => {
  it('serves on PORT and answers the curl it prints', async () => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'examples/recipes/hono/main.ts'], {
      cwd: new URL('../../..', import.meta.url),
      env: { ...process.env, PORT: '0' },
    });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          text += chunk;
          if (text.includes('/v1/chat/completions')) resolve(text);
        });
        child.on('exit', (code) => reject(new Error(`main.ts exited with ${code}: ${text}`)));
      });
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(url).toBeDefined();
      expect(url).not.toMatch(/:0$/);
      const response = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'x-demo-tenant': 'acme', 'content-type': 'application/json' },
        body: chat(),
      });
      expect(await response.json()).toMatchObject({ source: 'byok', reply: expect.stringContaining('acme') });
    } finally {
      child.kill();
    }
  });
});
