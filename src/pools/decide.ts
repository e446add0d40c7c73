/**
 * The pools feature's say in a resolution: among the winner's pool, the
 * member the policy and the facts choose (`choosePoolMember`, pure); for a
 * `withKey` move, the next key of the pool, else the platform key if the
 * call opted in (and the vault's fallback allows it), else `NO_KEY`.
 *
 * @module
 */
import { NoKeyError } from '../errors.js';
import { choosePoolMember } from '../resolve/pool.js';
import { keyDisagrees, unusableReason, type Decision } from '../resolve/resolver.js';
import type { TraceEntry } from '../resolve/types.js';
import type { SealedConfigRecord } from '../store/types.js';
import type { VaultContext } from '../vault/context.js';
import type { PoolDecisionRequest } from '../vault/features.js';
import { describe, frozenTrace } from '../vault/resolve-key.js';
import type { PoolState } from './pool-state.js';
import { byokitMessage } from '../message.js';

/** The pool's member for a winner, with its trace entries; `null` when every member was excluded. */
async function chooseMember(
  ctx: VaultContext,
  state: PoolState,
  input: PoolDecisionRequest,
  winner: SealedConfigRecord,
  provider: string,
): Promise<{ record: SealedConfigRecord; trace: TraceEntry[] } | null> {
  const tenantId = input.request.tenantId;
  const exclude = input.retry?.exclude ?? new Set<string>();
  const named = input.request.config !== undefined && input.request.config !== null;
  // A named config, or a custom endpoint routing the provider, is not a pool.
  if (named || winner.provider !== provider) return exclude.has(winner.id) ? null : { record: winner, trace: [] };
  const now = input.now.toISOString();
  const members = input.candidates.filter(
    (c) =>
      c === winner ||
      (c.scope === winner.scope &&
        c.provider === provider &&
        unusableReason(c, now) === null &&
        (input.entitled?.(c) ?? true)),
  );
  if (members.every((m) => exclude.has(m.id))) return null;
  // One key: nothing to choose, nothing to read.
  if (members.length === 1) return { record: winner, trace: [] };
  const poolKey = `${tenantId}\u0000${winner.scope}\u0000${provider}`;
  const keySetAt = new Map(members.map((m) => [m.id, m.keySetAt]));
  const facts = await state.facts(ctx, tenantId, poolKey, winner.scope, provider, members, input.now);
  const kind = facts.policy?.policy ?? 'failover';
  const rotation = kind === 'round-robin' || kind === 'weighted' ? state.nextTurn(poolKey) : 0;
  const choice = choosePoolMember({
    members,
    policy: facts.policy,
    facts: {
      cooldownUntil: (id) => state.cooldownUntil(tenantId, id, facts.cooldowns.get(id)),
      failing: (id) => state.failing(tenantId, id, keySetAt.get(id) ?? null, facts.failing.has(id)),
    },
    rotation,
    exclude,
    now,
  });
  return choice.record === null ? null : { record: choice.record, trace: choice.trace };
}

/** @internal `PoolsFeature.decide`. */
export async function decideWithPool(
  ctx: VaultContext,
  state: PoolState,
  input: PoolDecisionRequest,
): Promise<Decision> {
  const { decision, retry, request } = input;
  const trace = retry ? [...retry.moves, ...decision.trace] : decision.trace;
  const provider = request.provider ?? null;
  if ((decision.kind === 'config' || decision.kind === 'undecryptable') && provider !== null) {
    const chosen = await chooseMember(ctx, state, input, decision.record, provider);
    if (chosen !== null) {
      if (chosen.trace.length === 0) return { ...decision, trace };
      // The pool's entries replace the walk's last one (the winner it started from).
      const merged = [...trace.slice(0, -1), ...chosen.trace];
      const source = decision.kind === 'config' ? decision.source : 'byok';
      return keyDisagrees(chosen.record)
        ? { kind: 'undecryptable', record: chosen.record, trace: merged }
        : { kind: 'config', record: chosen.record, source, trace: merged };
    }
    if (retry?.onExhausted === 'platform' && ctx.fallback === 'platform') return { kind: 'platform', provider, trace };
    trace.push({ step: 'pool', scope: decision.record.scope, outcome: 'none' });
    throw new NoKeyError(
      byokitMessage('resolve', `no other key for ${describe(request)}: every key of the pool was tried`),
      frozenTrace(trace),
    );
  }
  if (retry && decision.kind !== 'none' && decision.kind !== 'mismatch') {
    // No pool to move in (a request without a provider, a platform key): nothing else to try.
    if (decision.kind !== 'platform' && !retry.exclude.has(decision.record.id)) return { ...decision, trace };
    if (decision.kind === 'platform' && retry.onExhausted === 'platform') return { ...decision, trace };
    throw new NoKeyError(byokitMessage('resolve', `no other key for ${describe(request)}`), frozenTrace(trace));
  }
  return decision;
}
