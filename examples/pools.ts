/**
 * Key pools: a tenant brings two OpenAI keys; one is rate-limited. The
 * call moves to the other key on its own (`vault.withKey`), the limited key
 * cools down and is passed over until its retry-after, and the Provider
 * Hub shows both keys with their state. Then a round-robin policy spreads
 * calls over both keys.
 *
 *   npx tsx examples/pools.ts
 *
 * Runs offline: a local OpenAI-compatible server stands in for the provider.
 */
import type { OpenAI } from 'openai';
import { createVault, Keyring, keyPools, MemoryStore } from 'byokit';
import { startLocalOpenAIServer } from './local-openai-server.js';

const server = await startLocalOpenAIServer();
// A clock the example can move forward, to show a cooldown ending.
let clock = Date.now();
const vault = createVault({
  now: () => new Date(clock),
  store: new MemoryStore(),
  keyring: Keyring.generate(),
  pools: keyPools(),
  allowPrivateEndpoints: ['127.0.0.1'], // the local server only
});
const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });

// Two accounts of one tenant: the default first, the other behind it.
const keys = {
  'team-a': 'sk-proj-TEAMa000000000000000000000000aaaa',
  'team-b': 'sk-proj-TEAMb000000000000000000000000bbbb',
};
for (const [name, key] of Object.entries(keys)) {
  const config = await admin.createConfig({
    name,
    provider: 'openai',
    model: 'gpt-4o-mini',
    baseUrl: server.baseUrl,
    isDefault: name === 'team-a',
  });
  await admin.setKey(config.id, key);
  server.accept.set(name, key);
}
server.rateLimited.set('team-a', 30);

// One call: team-a answers 429, the call moves to team-b (the SDK's own retries are off).
const answer = await vault.withKey({ tenantId: 'acme', provider: 'openai' }, async (openai: OpenAI, r, { signal }) => {
  const completion = await openai.chat.completions.create(
    { model: r.model ?? 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
    { signal },
  );
  for (const step of r.trace) if (step.step === 'retry') console.log(`moved off ${step.configName}: ${step.reason}`);
  return completion.choices[0]?.message.content;
});
console.log(`answer: ${answer}`);
console.log(`keys the provider saw: ${server.seen.join(', ')}`);

// The next resolution passes the cooling key over, and says why.
const next = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
const skipped = next.trace.find((step) => step.reason === 'cooling_down');
console.log(`next resolution: ${next.configName} (${skipped?.configName} cooling down: ${skipped?.reason})`);

// The Provider Hub's data: each pool, its policy, each key's state.
for (const pool of await admin.listPools()) {
  console.log(`pool ${pool.provider} in scope "${pool.scope}", policy ${pool.policy}`);
  for (const m of pool.members)
    console.log(`  ${m.name} ${m.keyHint}: ${m.available ? 'available' : m.cooldown ? 'cooling down' : 'unavailable'}`);
}

// 31 seconds later team-a's cooldown is over; with round-robin, resolutions alternate between the keys.
clock += 31_000;
server.rateLimited.clear();
await admin.setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
const picks: string[] = [];
for (let i = 0; i < 4; i++)
  picks.push((await vault.resolve({ tenantId: 'acme', provider: 'openai' })).configName ?? '');
console.log(`round-robin: ${picks.join(', ')}`);

await vault.close();
await server.close();
