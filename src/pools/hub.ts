/**
 * The Provider Hub's data: each key pool of a tenant (the configs of one
 * provider in one scope), its policy, and each member's state, health,
 * cooldown and place in the failover order. Admin reads: they may cost a
 * few round trips (configs, settings, health, cooldowns), never on the
 * resolution path.
 *
 * @module
 */
import type { KeyHealth } from '../outcomes/types.js';
import { poolOrder, type PoolPolicy } from '../resolve/pool.js';
import type { PoolPolicyKind } from '../resolve/types.js';
import type { SealedConfigRecord, ConfigRecord, KeyCooldownRecord, KeyHealthRecord } from '../store/index.js';
import { callStore, type VaultContext } from '../vault/context.js';
import type { TenantActor } from '../vault/features.js';
import { parseWith } from '../vault/lazy-schemas.js';
import { readSettings } from '../vault/settings/document.js';
import { toView, type KeyState } from '../vault/views.js';
import { configsOf } from './policies.js';
import { poolPolicies, type PoolState } from './pool-state.js';

/** One config of a pool, as the Provider Hub shows it. No key material: the hint at most. */
export interface PoolMemberView {
  /** The config's id. */
  configId: string;
  /** The config's name, unique in the tenant. */
  name: string;
  /** The public hint of its key (`sk-...7xQ2`); `null` when it has none. */
  keyHint: string | null;
  /** As in its `ConfigView`: only an `active` key is eligible. */
  keyState: KeyState;
  /** The config can be chosen (its key is active). */
  eligible: boolean;
  /** Its place in the failover order among the eligible members (0 first), else `null`. */
  position: number | null;
  /** Its priority in the policy, or `null` when the policy gives none. */
  priority: number | null;
  /** Its weight (weighted policies; default 1). */
  weight: number;
  /** Whether its key works, as traffic and validations found: a `failing` key is passed over while another is available. */
  health: KeyHealth;
  /** Its cooldown (as this vault sees it: the store's, or one this process set), or `null`. */
  cooldown: {
    /** When it ends (ISO date-time). */
    until: string;
    /** Why: a 429 from the provider. */
    reason: 'rate_limited';
  } | null;
  /** Eligible, not cooling down and not failing: the pool may choose it now without passing it over. */
  available: boolean;
  /** Latest call made with the config's key (written behind, so possibly a little late), or `null` if never used. */
  lastUsedAt: string | null;
}

/** One key pool of a tenant. */
export interface PoolView {
  /** The scope of the pool's configs (`''`: the tenant). */
  scope: string;
  /** The provider id every member has. */
  provider: string;
  /** The policy in force: the tenant's, or `failover` (resolution order) when none is set. */
  policy: PoolPolicyKind;
  /** Whether the tenant set a policy for this pool. */
  policySet: boolean;
  /** Members in failover order (eligible ones first), then the others by id. */
  members: PoolMemberView[];
}

/** In chunks of the stores' 500-id limit. */
async function inChunks<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await read(ids.slice(i, i + 500))));
  return out;
}

/** The tenant's pools (`config:read`), optionally of one scope or provider. Custom endpoints are not pooled. */
export async function listPools(
  ctx: VaultContext,
  state: PoolState,
  as: TenantActor,
  query: unknown,
): Promise<PoolView[]> {
  const q = await parseWith('listPoolsInputSchema', query ?? {}, 'pool query');
  await as.allow('listPools', 'config:read', {
    ...(q.scope === undefined ? {} : { scope: q.scope }),
    ...(q.provider === undefined ? {} : { provider: q.provider }),
  });
  const tenantId = as.tenantId;
  const now = ctx.now();
  const nowIso = now.toISOString();
  const [configs, settings] = await Promise.all([configsOf(ctx, tenantId, q), readSettings(ctx, tenantId)]);
  const pooled = configs.filter((r) => r.provider !== 'custom');
  const ids = pooled.map((r) => r.id);
  const [health, cooldowns] = await Promise.all([
    inChunks<KeyHealthRecord>(ids, (chunk) =>
      callStore(ctx, 'loadKeyHealth', () => ctx.store.loadKeyHealth(tenantId, chunk)),
    ),
    inChunks<KeyCooldownRecord>(ids, (chunk) =>
      callStore(ctx, 'loadKeyCooldowns', () => ctx.store.loadKeyCooldowns(tenantId, chunk, nowIso)),
    ),
  ]);
  const healthOf = new Map(health.filter((h) => h.tenantId === tenantId).map((h) => [h.configId, h]));
  const cooldownOf = new Map(cooldowns.filter((c) => c.tenantId === tenantId).map((c) => [c.configId, c.until]));
  const policies = poolPolicies(settings);
  const groups = new Map<string, ConfigRecord[]>();
  for (const record of pooled) {
    const key = `${record.scope}\u0000${record.provider}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const views: PoolView[] = [];
  for (const [key, records] of groups) {
    const [scope = '', provider = ''] = key.split('\u0000');
    const policy: PoolPolicy | null = policies.find((p) => p.scope === scope && p.provider === provider) ?? null;
    const settingsOf = new Map((policy?.members ?? []).map((m) => [m.configId, m]));
    const memberViews = records.map((record) => {
      const view = toView(record, ctx.keyring, now, healthOf.get(record.id) ?? null);
      const until = state.cooldownUntil(tenantId, record.id, cooldownOf.get(record.id));
      const cooling = until !== null && until > nowIso;
      const failing = state.failing(tenantId, record.id, record.keySetAt, view.health.state === 'failing');
      return {
        record,
        view: {
          configId: record.id,
          name: record.name,
          keyHint: record.keyHint,
          keyState: view.keyState,
          eligible: view.keyState === 'active',
          position: null as number | null,
          priority: settingsOf.get(record.id)?.priority ?? null,
          weight: settingsOf.get(record.id)?.weight ?? 1,
          health: view.health,
          cooldown: cooling ? { until: until!, reason: 'rate_limited' as const } : null,
          available: view.keyState === 'active' && !cooling && !failing,
          lastUsedAt: view.lastUsedAt ?? null,
        },
      };
    });
    const eligible = memberViews
      .filter((m) => m.view.eligible)
      .map((m) => ({ ...m.record, sealedKey: null }) as SealedConfigRecord);
    // The failover order (the policy's priorities, else resolution order), whatever the policy's kind.
    const order = poolOrder(eligible, policy ? { ...policy, policy: 'failover' } : null, 0).map((r) => r.id);
    for (const m of memberViews) m.view.position = order.includes(m.record.id) ? order.indexOf(m.record.id) : null;
    memberViews.sort(
      (a, b) => (a.view.position ?? Infinity) - (b.view.position ?? Infinity) || (a.record.id < b.record.id ? -1 : 1),
    );
    views.push({
      scope,
      provider,
      policy: policy?.policy ?? 'failover',
      policySet: policy !== null,
      members: memberViews.map((m) => m.view),
    });
  }
  return views.sort((a, b) => (a.scope === b.scope ? (a.provider < b.provider ? -1 : 1) : a.scope < b.scope ? -1 : 1));
}
