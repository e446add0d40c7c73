/**
 * Runs the Hono recipe on Node (`npx tsx examples/recipes/hono/main.ts`,
 * port `PORT`, default 3001), offline: an in-memory vault, tenant `acme`
 * with its own key, an access key, and a local OpenAI stand-in as the
 * provider. Prints two curl commands to try.
 */
import { serve } from '@hono/node-server';
import { accessKeys, createVault, Keyring, MemoryStore } from 'byokit';
import { startLocalOpenAIServer } from '../../local-openai-server.js';
import { createChatApp } from './app.js';

const provider = await startLocalOpenAIServer();
const ACME_KEY = 'sk-proj-ACME0000000000000000000000ac7Q';
provider.accept.set('acme', ACME_KEY);

const vault = createVault({
  store: new MemoryStore(),
  keyring: Keyring.generate('k1'), // in production: Keyring.fromEnv() (BYOKIT_MASTER_KEYS)
  accessKeys: accessKeys({ keyring: Keyring.generate('h1') }),
  allowPrivateEndpoints: ['127.0.0.1'], // the stand-in provider listens on 127.0.0.1
});
const admin = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
const config = await admin.createConfig({
  name: 'prod',
  provider: 'openai',
  model: 'gpt-4o-mini',
  baseUrl: provider.baseUrl,
});
await admin.setKey(config.id, ACME_KEY);
const { secret } = await admin.createAccessKey({ name: 'demo app', models: ['gpt-4o-mini'] });

const port = Number(process.env.PORT ?? 3001);
const server = serve({ fetch: createChatApp(vault).fetch, port, hostname: '127.0.0.1' }, (info) => {
  const port = info.port; // the one bound (PORT=0 picks a free one)
  const body = `'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}'`;
  console.log(`Hono recipe on http://127.0.0.1:${port}`);
  console.log(
    `  curl -s localhost:${port}/api/chat -H 'x-demo-tenant: acme' -H 'content-type: application/json' -d ${body}`,
  );
  console.log(
    `  curl -s localhost:${port}/v1/chat/completions -H 'authorization: Bearer ${secret.reveal()}' -H 'content-type: application/json' -d ${body}`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    void provider.close();
  });
}
