/**
 * Key pools: `keyPools(...)`, passed to `createVault({ pools })`. Several
 * keys of one provider in one scope form a pool; a resolution chooses
 * among them by the tenant's policy (failover in resolution order when
 * none is set), passing over keys cooling down after a 429 or failing;
 * `vault.withKey` moves a failed call to the next key. See docs/pools.md.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { clientContextOf } from '../providers/client-context.js';
import type { Resolution } from '../resolve/types.js';
import type { Outcome } from '../outcomes/types.js';
import type { VaultContext } from '../vault/context.js';
import type { PoolsFeature } from '../vault/features.js';
import { callDetached } from '../vault/hooks.js';
import { decideWithPool } from './decide.js';
import { listPools } from './hub.js';
import { getPolicies, removePolicy, setPolicy } from './policies.js';
import { PoolState } from './pool-state.js';
import { WITH_KEY_ON_FAILURE, type WithKeyOnFailure } from './on-failure.js';
import { withKey, type AttemptListeners } from './with-key.js';
import { byokitMessage } from '../message.js';

/** Options of {@link keyPools}. */
export interface KeyPoolsOptions {
  /**
   * How long a pool's facts read from the store (the tenant's policy,
   * other processes' cooldowns, key health) are reused, in ms (0..60 000;
   * default 1 000). This process's own cooldowns apply at once; another
   * process's within this time. 0 reads them on every choice among several keys.
   */
  factsTtlMs?: number;
  /** First cooldown after a 429 that names no wait (`retry-after`), in ms; doubles with each 429 in a row (default 1 000). */
  backoffMs?: number;
  /** Longest cooldown, whatever the provider asks (default 3 600 000: one hour). */
  maxCooldownMs?: number;
  /** Keys and pools held in memory at most (default 10 000 each): the oldest go first. */
  maxKeys?: number;
  /** Default of `withKey`'s `maxAttempts` (default 3). */
  maxAttempts?: number;
  /** Default of `withKey`'s `timeoutMs` (default 60 000). */
  timeoutMs?: number;
  /** Default of `withKey`'s `onFailure`: `'platform'` lets every call end on the platform key (default `'fail'`). */
  onFailure?: WithKeyOnFailure;
}

/** Integer options and their ranges (`keyPoolsOptionsSchema` in `byokit/schemas` says the same). */
const RANGES = {
  factsTtlMs: [0, 60_000],
  backoffMs: [1, 3_600_000],
  maxCooldownMs: [1, 86_400_000],
  maxKeys: [1, 1_000_000],
  maxAttempts: [1, 10],
  timeoutMs: [1, 600_000],
} as const;

function invalidOption(path: string, message: string): ValidationError {
  return new ValidationError(byokitMessage('pools', `invalid keyPools options: ${path}: ${message}`), [
    { path, message },
  ]);
}

/** The options checked with plain code: creating a vault never loads the schema library. */
function checkOptions(options: unknown): KeyPoolsOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalidOption('(input)', 'must be an object');
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (name === 'onFailure') {
      if (!(WITH_KEY_ON_FAILURE as readonly unknown[]).includes(value))
        throw invalidOption(name, 'must be "fail" or "platform"');
    } else if (Object.hasOwn(RANGES, name)) {
      const [min, max] = RANGES[name as keyof typeof RANGES];
      if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
        throw invalidOption(name, `must be an integer from ${min} to ${max}`);
    } else {
      throw invalidOption(name, 'unknown option');
    }
  }
  return options as KeyPoolsOptions;
}

/**
 * Key pools for `createVault({ pools: keyPools() })`.
 *
 * @example
 * ```ts
 * const vault = createVault({ store, keyring, pools: keyPools({ maxAttempts: 3 }) });
 * await vault.as({ tenantId: 'acme', actor }).setPoolPolicy({ provider: 'openai', policy: 'round-robin' });
 * const answer = await vault.withKey({ tenantId: 'acme', provider: 'openai' }, (openai: OpenAI, r, { signal }) =>
 *   openai.chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal }),
 * );
 * ```
 */
export function keyPools(options: KeyPoolsOptions = {}): PoolsFeature {
  const o = checkOptions(options);
  const state = new PoolState({
    factsTtlMs: o.factsTtlMs ?? 1000,
    backoffMs: o.backoffMs ?? 1000,
    maxCooldownMs: o.maxCooldownMs ?? 3_600_000,
    maxKeys: o.maxKeys ?? 10_000,
  });
  const defaults = {
    maxAttempts: o.maxAttempts ?? 3,
    timeoutMs: o.timeoutMs ?? 60_000,
    onFailure: o.onFailure ?? 'fail',
  } as const;
  const listeners: AttemptListeners = new WeakMap();

  /** Learns from an outcome; a new cooldown is shared through the store in the background. */
  const learn = (ctx: VaultContext, resolution: Resolution, outcome: Pick<Outcome, 'status' | 'retryAfter' | 'at'>) => {
    if (resolution.configId === null) return;
    const keySetAt = clientContextOf(resolution)?.keySetAt ?? null;
    const until = state.note(resolution.tenantId, resolution.configId, keySetAt, outcome);
    if (until === null) return;
    const cooldown = {
      tenantId: resolution.tenantId,
      configId: resolution.configId,
      until,
      reason: 'rate_limited' as const,
      setAt: outcome.at,
    };
    callDetached(
      () => ctx.store.putKeyCooldown(resolution.tenantId, cooldown),
      undefined,
      'keyCooldown',
      ctx.onHookError,
    );
  };

  return {
    decide: (ctx, input) => decideWithPool(ctx, state, input),

    observe(ctx, resolution, outcome) {
      learn(ctx, resolution, outcome);
      listeners.get(resolution)?.(outcome);
    },

    withKey: (ctx, request, fn, callOptions) =>
      withKey(ctx, listeners, defaults, request, fn, callOptions, (resolution, status) =>
        learn(ctx, resolution, { status, at: ctx.now().toISOString() }),
      ),
    setPolicy: (ctx, as, input) => setPolicy(ctx, state, as, input),
    removePolicy: (ctx, as, input) => removePolicy(ctx, state, as, input),
    getPolicies: (ctx, as) => getPolicies(ctx, as),
    listPools: (ctx, as, query) => listPools(ctx, state, as, query),
  };
}

export type { PoolMemberView, PoolView } from './hub.js';
export type { WithKeyAttempt, WithKeyOptions } from './with-key.js';
export type { PoolMemberSetting, PoolPolicy } from '../resolve/pool.js';
