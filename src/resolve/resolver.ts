/**
 * The resolution decision (docs/architecture.md, rules 6 and 7): a pure function over the
 * candidates one adapter read returned. It picks a config or says the
 * platform key may be used; opening keys and calling hooks is the vault's job.
 *
 * @module
 */
import { byResolutionPreference, keyExpired, routesProvider } from '../store/candidates.js';
import type { SealedConfigRecord, ScopePath } from '../store/types.js';
import type { KeySource, SkipReason, TraceEntry, TraceStepKind } from './types.js';

/** Host policy after the tenant's own configs: use the platform key, or never. */
export type FallbackPolicy = 'platform' | 'none';

/** What {@link decideResolution} needs. */
export interface DecisionInput {
  candidates: readonly SealedConfigRecord[];
  /** From the asked scope up to the tenant, most specific first. */
  chain: readonly ScopePath[];
  provider: string | null;
  /** The explicitly named config, already looked up by the caller; `null` if none named. */
  explicit: SealedConfigRecord | null;
  fallback: FallbackPolicy;
  now: Date;
  /**
   * Whether the tenant is entitled to use a config's key (BYOK
   * entitlement); a config it is not entitled to is skipped with reason
   * `not_entitled`, its key untouched. Absent: every config is.
   */
  entitled?: (record: SealedConfigRecord) => boolean;
  /** How the trace names the explicit config's step: `route` when a workload route named it. Default `explicit`. */
  explicitStep?: 'explicit' | 'route';
}

/**
 * The decision: a config, the platform key for a provider, or nothing. A
 * config whose stored key can't be whole (`undecryptable`) is still the
 * decision: it wins where its key would, and the request fails closed.
 */
export type Decision =
  | { kind: 'config'; record: SealedConfigRecord; source: KeySource; trace: TraceEntry[] }
  | { kind: 'undecryptable'; record: SealedConfigRecord; trace: TraceEntry[] }
  | { kind: 'platform'; provider: string; trace: TraceEntry[] }
  | { kind: 'none'; provider: string | null; trace: TraceEntry[] }
  | { kind: 'mismatch'; record: SealedConfigRecord; provider: string; trace: TraceEntry[] };

/**
 * Why a candidate can't be used at `now`, or `null` if it can: the same rule
 * as `isUsableCandidate`, which filtered store reads apply (expiry compared
 * as ISO strings, see `keyExpired`).
 */
export function unusableReason(record: SealedConfigRecord, now: Date | string): SkipReason | null {
  if (!record.enabled) return 'disabled';
  if (record.sealedKey === null && record.keyHint === null) return 'missing_key';
  if (keyExpired(record.keyExpiresAt, typeof now === 'string' ? now : now.toISOString())) return 'expired';
  return null;
}

/** Why the decision passes a candidate over: unusable, or not entitled; `null` if it may win. */
function skipReason(input: DecisionInput, record: SealedConfigRecord, now: string): SkipReason | null {
  return unusableReason(record, now) ?? (input.entitled && !input.entitled(record) ? 'not_entitled' : null);
}

/**
 * Whether an enabled candidate's stored key is broken in a way the row
 * shows: a hint without a sealed value (the sealed value was removed behind
 * the vault) or a sealed value without a hint. Either way a key is present
 * and can't be used: the request fails closed instead of falling through to
 * another key (docs/architecture.md, rules 7 and 13).
 */
export function keyDisagrees(record: SealedConfigRecord): boolean {
  return (record.sealedKey === null) !== (record.keyHint === null);
}

/** A usable-looking candidate as its decision: the config, or a fail-closed `undecryptable`. */
function chosen(record: SealedConfigRecord, trace: TraceEntry[]): Decision {
  return keyDisagrees(record)
    ? { kind: 'undecryptable', record, trace }
    : { kind: 'config', record, source: sourceOf(record), trace };
}

function sourceOf(record: SealedConfigRecord): KeySource {
  return record.provider === 'custom' ? 'custom' : 'byok';
}

function routes(record: SealedConfigRecord, provider: string): boolean {
  return record.provider === provider || (record.provider === 'custom' && record.routes.includes(provider));
}

/**
 * Decides which key a request uses. Precedence, per scope from most
 * specific up to the tenant: explicit config > custom endpoint routing the
 * provider > BYOK config of the provider (default, then most recent) >
 * parent scope > platform key (if `fallback` is `'platform'`). With no
 * provider: the scope's default, else its most recent config.
 */
export function decideResolution(input: DecisionInput): Decision {
  const trace: TraceEntry[] = [];
  const now = input.now.toISOString();
  let provider = input.provider;

  if (input.explicit) {
    const record = input.explicit;
    const entry = {
      step: input.explicitStep ?? 'explicit',
      scope: record.scope,
      configId: record.id,
      configName: record.name,
    };
    if (provider !== null && !routes(record, provider)) {
      // Naming a config and a provider it does not serve is a host bug, not a reason to pay with another key.
      trace.push({ ...entry, outcome: 'skipped', reason: 'provider_mismatch' });
      return { kind: 'mismatch', record, provider, trace };
    }
    const reason = skipReason(input, record, now);
    if (reason === null) {
      trace.push({ ...entry, outcome: 'selected' });
      return chosen(record, trace);
    }
    trace.push({ ...entry, outcome: 'skipped', reason });
    // The named config's provider still says what the request needs.
    provider ??= record.provider;
  }

  // Plain loops over the few candidates a filtered read returns: no arrays built per step.
  const wanted = provider;
  for (const scope of input.chain) {
    const inScope: SealedConfigRecord[] = [];
    for (const candidate of input.candidates) if (candidate.scope === scope) inScope.push(candidate);
    if (inScope.length > 1) inScope.sort(byResolutionPreference);
    let considered = false;
    // One group without a provider (default, else most recent); else custom endpoints routing it, then its own configs.
    for (let group = 0; group < (wanted === null ? 1 : 2); group++) {
      const step: TraceStepKind = wanted === null ? 'default' : group === 0 ? 'custom' : 'byok';
      for (const record of inScope) {
        if (wanted !== null && (group === 0 ? !routesProvider(record, wanted) : record.provider !== wanted)) continue;
        considered = true;
        const reason = skipReason(input, record, now);
        const entry: TraceEntry = {
          step: step === 'default' && !record.isDefault ? 'recent' : step,
          scope,
          configId: record.id,
          configName: record.name,
          outcome: reason === null ? 'selected' : 'skipped',
        };
        if (reason === null) {
          trace.push(entry);
          return chosen(record, trace);
        }
        entry.reason = reason;
        trace.push(entry);
      }
    }
    if (!considered) trace.push({ step: wanted === null ? 'default' : 'byok', scope, outcome: 'none' });
  }

  if (provider === null) {
    trace.push({ step: 'platform', outcome: 'skipped', reason: 'no_provider' });
    return { kind: 'none', provider, trace };
  }
  if (input.fallback === 'none') {
    trace.push({ step: 'platform', outcome: 'skipped', reason: 'fallback_none' });
    return { kind: 'none', provider, trace };
  }
  return { kind: 'platform', provider, trace };
}
