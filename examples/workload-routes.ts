/**
 * Workload routes and a structured credential: a tenant sends chat to
 * Claude on Amazon Bedrock (its AWS keys, stored as one sealed credential)
 * and embeddings to a cheap OpenAI key; anything else falls back to its
 * default config.
 *
 * Offline: nothing is sent anywhere (the clients are built, not called).
 * Run: npx tsx examples/workload-routes.ts
 */
import { createClient, createVault, Keyring, MemoryStore, workloadRoutes } from '../src/index.js';

const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate(), routes: workloadRoutes() });
const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });

const general = await admin.createConfig({ name: 'general', provider: 'openai', model: 'gpt-4o', isDefault: true });
await admin.setKey(general.id, 'sk-proj-EXAMPLEgeneral000000000000000001');
const embeddings = await admin.createConfig({
  name: 'embeddings',
  provider: 'openai',
  model: 'text-embedding-3-small',
});
await admin.setKey(embeddings.id, 'sk-proj-EXAMPLEembeddings0000000000001');

// The AWS credential is an object: validated field by field, sealed whole, hinted by its access key id.
const claude = await admin.createConfig({
  name: 'claude',
  provider: 'bedrock',
  model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
});
const view = await admin.setKey(claude.id, {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'eu-west-3',
});
console.log(`bedrock key hint: ${view.keyHint}`);
try {
  await admin.setKey(claude.id, {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'not a secret key',
    region: 'eu-west-3',
  });
} catch (error) {
  const { code, issues } = error as { code: string; issues: { path: string }[] };
  console.log(`bad credential: ${code} on ${issues.map((i) => i.path).join(', ')}`);
}

await admin.setRoute('chat', claude.id);
await admin.setRoute('embeddings', embeddings.id);

for (const route of ['chat', 'embeddings', 'vision']) {
  const r = await vault.resolve({ tenantId: 'acme', route });
  console.log(`${route}: config=${r.configName} provider=${r.provider} key=${r.keyHint}`);
}

const chat = await vault.resolve({ tenantId: 'acme', route: 'chat' });
const bedrock = await createClient(chat, 'bedrock-anthropic');
console.log(`chat client: ${bedrock.constructor.name} for ${bedrock.baseURL}`);

await admin.deleteConfig(embeddings.id);
for (const route of await admin.listRoutes()) console.log(`route ${route.route}: ${route.state}`);
