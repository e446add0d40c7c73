/**
 * Pool selection policies, set per (scope, provider) through the tenant
 * handle: stored as the `pools` section of the tenant's settings document
 * (compare-and-swap on its revision), each change audited as
 * `pool.changed`, and checked first by the host's policy (`key:manage`:
 * a pool policy decides which key traffic reaches).
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import type { PoolPolicy } from '../resolve/pool.js';
import type { ConfigRecord } from '../store/types.js';
import { callStore, type VaultContext } from '../vault/context.js';
import type { TenantActor } from '../vault/features.js';
import { parseWith } from '../vault/lazy-schemas.js';
import { readSettings, updateSettingsSection } from '../vault/settings/document.js';
import { poolPolicies, type PoolState } from './pool-state.js';
import { byokitMessage } from '../message.js';

/** Most policies one tenant may hold (one per scope and provider; the schema says the same). */
const MAX_POOL_POLICIES = 500;

/** Every config of the tenant in `scope` with `provider`, all pages. */
export async function configsOf(
  ctx: VaultContext,
  tenantId: string,
  query: { scope?: string; provider?: string },
): Promise<ConfigRecord[]> {
  const out: ConfigRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await callStore(ctx, 'listConfigs', () =>
      ctx.store.listConfigs(tenantId, { ...query, limit: 500, ...(cursor === undefined ? {} : { cursor }) }),
    );
    out.push(...page.items.filter((r) => r.tenantId === tenantId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(byokitMessage('pools', `invalid pool policy: ${path}: ${message}`), [{ path, message }]);
}

/** The tenant's policies (`config:read`). */
export async function getPolicies(ctx: VaultContext, as: TenantActor): Promise<PoolPolicy[]> {
  await as.allow('getPoolPolicies', 'config:read');
  return poolPolicies(await readSettings(ctx, as.tenantId));
}

/** Sets the policy of one (scope, provider), replacing the one it had (`key:manage` in the scope). */
export async function setPolicy(
  ctx: VaultContext,
  state: PoolState,
  as: TenantActor,
  input: unknown,
): Promise<PoolPolicy> {
  const policy = (await parseWith('poolPolicyInputSchema', input, 'pool policy')) as PoolPolicy;
  await as.allow('setPoolPolicy', 'key:manage', { scope: policy.scope, provider: policy.provider });
  if (!Object.hasOwn(ctx.providers, policy.provider))
    throw invalid('provider', `unknown provider "${policy.provider}"`);
  if (policy.members.length > 0) {
    const ids = new Set(
      (await configsOf(ctx, as.tenantId, { scope: policy.scope, provider: policy.provider })).map((r) => r.id),
    );
    const stray = policy.members.findIndex((m) => !ids.has(m.configId));
    if (stray >= 0)
      throw invalid(`members.${stray}.configId`, `not a ${policy.provider} config of scope "${policy.scope}"`);
  }
  const same = (p: PoolPolicy) => p.scope === policy.scope && p.provider === policy.provider;
  await updateSettingsSection(
    ctx,
    as.tenantId,
    as.actor,
    'pools',
    (current) => {
      // `current` comes from a validated document (readSettings).
      const policies = (current as { policies: PoolPolicy[] } | undefined)?.policies ?? [];
      const old = policies.find(same);
      if (old && JSON.stringify(old) === JSON.stringify(policy)) return null;
      const next = [...policies.filter((p) => !same(p)), policy];
      if (next.length > MAX_POOL_POLICIES)
        throw invalid('(input)', `a tenant holds at most ${MAX_POOL_POLICIES} pool policies`);
      return { policies: next };
    },
    {
      type: 'pool.changed',
      changes: ['pools'],
      detail: { scope: policy.scope, provider: policy.provider, policy: policy.policy, members: policy.members.length },
    },
  );
  state.forgetTenant(as.tenantId);
  return policy;
}

/** Removes the policy of one (scope, provider): its pool is failover in resolution order again. `false` if it had none. */
export async function removePolicy(
  ctx: VaultContext,
  state: PoolState,
  as: TenantActor,
  input: unknown,
): Promise<boolean> {
  const { scope, provider } = await parseWith('poolKeyInputSchema', input, 'pool');
  await as.allow('removePoolPolicy', 'key:manage', { scope, provider });
  let removed = false;
  await updateSettingsSection(
    ctx,
    as.tenantId,
    as.actor,
    'pools',
    (current) => {
      // `current` comes from a validated document (readSettings).
      const policies = (current as { policies: PoolPolicy[] } | undefined)?.policies ?? [];
      const next = policies.filter((p) => !(p.scope === scope && p.provider === provider));
      removed = next.length !== policies.length;
      return removed ? { policies: next } : null;
    },
    { type: 'pool.changed', changes: ['pools'], detail: { scope, provider, policy: null } },
  );
  state.forgetTenant(as.tenantId);
  return removed;
}
