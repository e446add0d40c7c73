/**
 * Choosing a key in a key pool: a pure decision over the pool's members
 * (the eligible configs of one provider in one scope, in resolution order),
 * the tenant's selection policy, and the facts the vault gathered (which
 * keys are cooling down, which are failing, where the rotation stands). It
 * reads nothing and writes nothing; the pools feature gathers the facts.
 *
 * @module
 */
import { byResolutionPreference } from '../store/candidates.js';
import type { SealedConfigRecord } from '../store/types.js';
import type { PoolPolicyKind, TraceEntry } from './types.js';

/** One config's place in a policy: a lower `priority` comes first (failover); `weight` is its share (weighted). */
export interface PoolMemberSetting {
  /** A config of the policy's scope and provider (`setPoolPolicy` refuses any other). */
  configId: string;
  /** 0..1000, lower first; configs without one come after those with one, in resolution order. */
  priority?: number;
  /** 0..1000; default 1. A weight of 0 is never picked in turn, only failed over to. */
  weight?: number;
}

/** The selection policy of one (scope, provider), as the tenant's settings hold it. */
export interface PoolPolicy {
  /** The scope whose configs form the pool (`''`: the tenant). */
  scope: string;
  /** The provider id of the pool's configs (custom endpoints are never pooled). */
  provider: string;
  /** How the pool picks among its keys. */
  policy: PoolPolicyKind;
  /** Priorities and weights of the pool's configs; a config not listed has no priority (it comes after those with one) and weight 1. */
  members: PoolMemberSetting[];
}

/** What the vault knows about the pool's keys at the time of the choice. */
export interface PoolFacts {
  /** The end of a key's cooldown (ISO), or `null` when it is not cooling down. */
  cooldownUntil(configId: string): string | null;
  /** Whether a key is known to fail (an auth failure since its last success). */
  failing(configId: string): boolean;
}

/** What {@link choosePoolMember} decides from. */
export interface PoolChoiceInput {
  /** The pool's usable configs, any order (ordered here by the resolution rule). */
  members: readonly SealedConfigRecord[];
  /** The policy of this (scope, provider); `null`: none set (failover in resolution order). */
  policy: PoolPolicy | null;
  /** Which members are cooling down or failing now. */
  facts: PoolFacts;
  /** Where the rotation stands for this pool (a counter the caller advances per choice). */
  rotation: number;
  /** Configs already tried by this call (`withKey`): never chosen again. */
  exclude: ReadonlySet<string>;
  /** ISO time of the choice. */
  now: string;
}

/** The choice: a member (with trace entries for the keys passed over), or `null` when every member is excluded. */
export interface PoolChoice {
  /** The chosen config, with its sealed key; `null` when every member is excluded. */
  record: SealedConfigRecord | null;
  /** The policy the choice followed (`failover` when none is set). */
  policy: PoolPolicyKind;
  /** Entries for the members passed over, in the order they were met, then the chosen one. */
  trace: TraceEntry[];
}

/**
 * The order a pool tries its members in, for one choice:
 * - `failover`: by priority (lower first), then resolution order (default, then newest);
 * - `round-robin`: that order, rotated by `rotation`;
 * - `weighted`: the member whose share of the weights holds `rotation`, then the rest in failover order;
 * - `default`: the resolution winner alone.
 */
export function poolOrder(
  members: readonly SealedConfigRecord[],
  policy: PoolPolicy | null,
  rotation: number,
): SealedConfigRecord[] {
  const byRule = [...members].sort(byResolutionPreference);
  const kind = policy?.policy ?? 'failover';
  if (kind === 'default') return byRule.slice(0, 1);
  const settings = new Map((policy?.members ?? []).map((m) => [m.configId, m]));
  const priority = (r: SealedConfigRecord) => settings.get(r.id)?.priority ?? Number.POSITIVE_INFINITY;
  // Array#sort is stable: equal priorities keep the resolution order.
  const ordered = byRule.sort((a, b) => priority(a) - priority(b));
  if (kind === 'failover') return ordered;
  const n = ordered.length;
  const turn = Math.abs(Math.trunc(rotation));
  if (kind === 'round-robin') {
    const start = turn % n;
    return [...ordered.slice(start), ...ordered.slice(0, start)];
  }
  const weights = ordered.map((r) => settings.get(r.id)?.weight ?? 1);
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total === 0) return ordered;
  let slot = turn % total;
  let picked = 0;
  while (slot >= weights[picked]!) slot -= weights[picked++]!;
  return [ordered[picked]!, ...ordered.filter((_, i) => i !== picked)];
}

/**
 * Chooses the key of a pool: the first member in {@link poolOrder} that is
 * neither excluded, cooling down nor failing. Keys passed over are listed in
 * the trace with why (`cooling_down` with its end, or `failing`). When every
 * member left is cooling down or failing, the least bad one is still chosen
 * (the cooldown that ends first, else the first failing key) and its entry
 * says so: a pool never turns into "no key" on its own. `record` is `null`
 * only when every member is excluded.
 */
export function choosePoolMember(input: PoolChoiceInput): PoolChoice {
  const kind = input.policy?.policy ?? 'failover';
  const trace: TraceEntry[] = [];
  const order = poolOrder(input.members, input.policy, input.rotation).filter((r) => !input.exclude.has(r.id));
  let fallback: { record: SealedConfigRecord; entry: TraceEntry } | null = null;
  let fallbackRank: [number, string] | null = null;
  for (const record of order) {
    const until = input.facts.cooldownUntil(record.id);
    const cooling = until !== null && until > input.now;
    const failing = !cooling && input.facts.failing(record.id);
    const entry: TraceEntry = {
      step: 'pool',
      scope: record.scope,
      configId: record.id,
      configName: record.name,
      outcome: 'skipped',
    };
    if (!cooling && !failing) {
      trace.push({
        step: 'byok',
        scope: record.scope,
        configId: record.id,
        configName: record.name,
        outcome: 'selected',
        pool: kind,
      });
      return { record, policy: kind, trace };
    }
    entry.reason = cooling ? 'cooling_down' : 'failing';
    if (cooling) entry.until = until;
    trace.push(entry);
    // Least bad: a cooldown (ending first) before a failing key (in order).
    const rank: [number, string] = cooling ? [0, until] : [1, ''];
    if (
      fallbackRank === null ||
      rank[0] < fallbackRank[0] ||
      (rank[0] === fallbackRank[0] && rank[1] < fallbackRank[1])
    ) {
      fallback = { record, entry };
      fallbackRank = rank;
    }
  }
  if (fallback === null) return { record: null, policy: kind, trace };
  const { record, entry } = fallback;
  trace.push({ ...entry, step: 'byok', outcome: 'selected', pool: kind });
  return { record, policy: kind, trace };
}
