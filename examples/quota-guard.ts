/**
 * Metering and quotas with byokit's hooks: `onResolve` reports where each
 * call's key came from; `guard` can refuse a resolution before it is
 * returned. Here: tenants on the free plan get 3 calls on the platform's
 * key per period; calls on their own key (BYOK) are never counted.
 *
 * Run: `npx tsx examples/quota-guard.ts`
 */
import { Keyring, MemoryStore, ResolutionDeniedError, createVault, type GuardRequest, type UsageEvent } from 'byokit';

const PLATFORM_CALLS_PER_PERIOD: Record<string, number> = { free: 3, pro: 1000 };
const plans = new Map([['acme', 'free']]);
const platformCallsUsed = new Map<string, number>();
const ledger: UsageEvent[] = [];

/** Refuse platform-key calls beyond the tenant's plan; never limit a tenant's own key. */
function quotaGuard(request: GuardRequest) {
  if (request.source !== 'platform') return;
  const limit = PLATFORM_CALLS_PER_PERIOD[plans.get(request.tenantId) ?? 'free'] ?? 0;
  const used = platformCallsUsed.get(request.tenantId) ?? 0;
  if (used >= limit)
    return { deny: `platform-key quota of ${limit} calls reached; add your own ${request.provider} key to continue` };
  // Reserve the call here: the guard runs before the resolution is handed out.
  platformCallsUsed.set(request.tenantId, used + 1);
}

const vault = createVault({
  store: new MemoryStore(),
  keyring: Keyring.generate(),
  platformKeys: { openai: 'sk-platform-SHARED0000000000000000pf01' },
  guard: quotaGuard,
  onResolve: (usage) => void ledger.push(usage), // bill platform calls, attribute BYOK calls
});

for (let call = 1; call <= 4; call++) {
  try {
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    console.log(`call ${call}: ok, source=${r.source}`);
  } catch (error) {
    if (!(error instanceof ResolutionDeniedError)) throw error;
    console.log(`call ${call}: denied (${error.code}): ${error.reason}`);
  }
}

// The tenant brings its own key: no quota applies any more.
const admin = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
const cfg = await admin.createConfig({ name: 'own-key', provider: 'openai' });
await admin.setKey(cfg.id, 'sk-proj-ACME0000000000000000000000ac7Q');
const own = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
console.log(`call 5: ok, source=${own.source}`);

await new Promise((resolve) => setImmediate(resolve));
const count = (source: UsageEvent['source']) => ledger.filter((u) => u.source === source).length;
console.log(`ledger: platform=${count('platform')} byok=${count('byok')}`);
