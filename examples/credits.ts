/**
 * Credits from outcomes: a per-tenant credit balance charged the way BYOK
 * platforms charge. A call on the platform's key costs its tokens; a call
 * on the tenant's own key (BYOK) costs a flat platform fee, since the
 * tenant pays the provider. Calls that failed cost nothing. `onUsage` hears
 * every response of the clients `createClient` builds (token counts read
 * from the provider's answer), `guard` refuses platform calls once the
 * balance is spent, and `onKeyHealth` says when a tenant's key stops working.
 *
 * Run: `npx tsx examples/credits.ts`
 */
import {
  Keyring,
  MemoryStore,
  ResolutionDeniedError,
  createClient,
  createVault,
  type KeyHealthEvent,
  type Outcome,
} from 'byokit';
import { startLocalOpenAIServer } from './local-openai-server.js';

/** Credits per input and per output token on the platform's key; the flat fee of a BYOK call. */
const PRICE = { platformInputToken: 1, platformOutputToken: 3, byokCall: 2 };
/** Below this balance, calls on the platform's key are refused (one call costs about 30). */
const MIN_BALANCE_FOR_PLATFORM = 20;

const balances = new Map([['acme', 100]]);

/** What a call costs: tokens on the platform's key, a flat fee on the tenant's own, nothing if it failed. */
function cost(outcome: Outcome): number {
  if (outcome.status !== 'ok') return 0;
  if (outcome.source === 'platform') {
    return (
      (outcome.inputTokens ?? 0) * PRICE.platformInputToken + (outcome.outputTokens ?? 0) * PRICE.platformOutputToken
    );
  }
  return PRICE.byokCall;
}

function charge(outcome: Outcome): void {
  const price = cost(outcome);
  balances.set(outcome.tenantId, (balances.get(outcome.tenantId) ?? 0) - price);
  const tokens = outcome.inputTokens === undefined ? '' : ` (${outcome.inputTokens} in, ${outcome.outputTokens} out)`;
  console.log(
    `  ${outcome.source} call ${outcome.status}${tokens}: ${price > 0 ? `-${price} credits` : 'no charge'}, balance ${balances.get(outcome.tenantId)}`,
  );
}

const server = await startLocalOpenAIServer();
const platformKey = 'sk-platform-SHARED0000000000000000pf01';
const tenantKey = 'sk-proj-ACME0000000000000000000000ac7Q';
server.accept.set('platform', platformKey);
server.accept.set('acme', tenantKey);

const store = new MemoryStore();
const keyring = Keyring.generate();
const vault = createVault({
  store,
  keyring,
  platformKeys: { openai: { apiKey: platformKey, baseUrl: server.baseUrl } },
  allowPrivateEndpoints: ['127.0.0.1'], // the local stand-in for the provider
  // Platform calls need credits; the tenant's own key never does.
  guard: (request) => {
    if (request.source === 'platform' && (balances.get(request.tenantId) ?? 0) < MIN_BALANCE_FOR_PLATFORM)
      return { deny: 'out of credits; add your own key or top up' };
  },
  onUsage: charge,
  onKeyHealth: (event: KeyHealthEvent) =>
    console.log(
      `  key ${event.keyHint} of ${event.tenantId} is ${event.transition} (HTTP ${event.httpStatus ?? '-'}): emailing the admins`,
    ),
});

async function ask(call: string): Promise<void> {
  console.log(`${call}:`);
  try {
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    const openai = await createClient(r, { expect: 'openai', clientOptions: { maxRetries: 0 } });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
  } catch (error) {
    if (error instanceof ResolutionDeniedError) console.log(`  denied: ${error.reason}`);
    else console.log(`  failed: HTTP ${(error as { status?: number }).status ?? '-'}`);
  }
}

await ask('call 1');
await ask('call 2');
await ask('call 3');
await ask('call 4');

// The tenant brings its own key: calls go on, for a flat fee.
const admin = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
const cfg = await admin.createConfig({ name: 'own-key', provider: 'openai', baseUrl: server.baseUrl });
await admin.setKey(cfg.id, tenantKey);
await ask('call 5');
await ask('call 6');

// The tenant revokes its key at the provider: the call fails (no charge), and the key shows as failing.
server.accept.delete('acme');
await ask('call 7');
await vault.close(); // writes the key health news it still holds (last use), then refuses further work

// What an admin page shows (read here through another vault on the same store: a closed one refuses).
const view = await createVault({ store, keyring })
  .as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } })
  .getConfig(cfg.id);
console.log(
  `own-key: health=${view.health.state} failures=${view.health.failureCount} lastUsedAt=${view.lastUsedAt === null ? 'never' : 'set'}`,
);
console.log(`balance: ${balances.get('acme')}`);
await server.close();
