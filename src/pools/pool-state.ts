/**
 * What one vault knows about its key pools between requests: the
 * cooldowns and failing keys it saw itself (at once, in process), the
 * facts it read from the store (other processes' cooldowns, key health,
 * the tenant's policies; cached for a short time), and where each pool's
 * rotation stands. Every map is bounded.
 *
 * Why a short cache instead of a read per resolution: a pool's facts
 * change only when a call fails, while resolutions happen on every call.
 * The single-config path reads nothing here (one member: nothing to
 * choose); a pool with several members reads its facts (policy, shared
 * cooldowns, health: three reads side by side, one round trip of time)
 * at most once per `factsTtlMs` per process, and this process's own
 * cooldowns apply at once. Another process's cooldown is seen within
 * `factsTtlMs` (default 1 s): a few calls more may meet its 429.
 *
 * @module
 */
import type { PoolPolicy } from '../resolve/pool.js';
import type { Outcome } from '../outcomes/types.js';
import type { SettingsRecord } from '../store/settings-storage.js';
import type { SealedConfigRecord } from '../store/types.js';
import { callStore, type VaultContext } from '../vault/context.js';
import { readSettings } from '../vault/settings/document.js';

/** Settings of a pool state (from `keyPools(...)`). */
export interface PoolStateOptions {
  factsTtlMs: number;
  backoffMs: number;
  maxCooldownMs: number;
  maxKeys: number;
}

/** A pool's facts as read from the store, and when. */
interface CachedFacts {
  readAt: number;
  members: string;
  policy: PoolPolicy | null;
  cooldowns: Map<string, string>;
  /** Configs whose stored health says `failing` for their current key. */
  failing: Set<string>;
}

/** What this process saw of one key. */
interface LocalKey {
  /** End of the cooldown this process set (ISO), if any. */
  until?: string;
  /** 429s in a row without a success: the backoff doubles with each. */
  strikes: number;
  /** What this process saw last: an auth failure (`true`), a success (`false`), or neither (`null`: the store decides). */
  failing: boolean | null;
  /** The `keySetAt` of the key `failing` is about: news about a replaced key says nothing of its successor. */
  keySetAt: string | null;
}

/** Sets `key` in a bounded map: the oldest entry goes first when it is full. */
function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  while (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

/**
 * The policies of a settings record as `readSettings` returns it: checked
 * against the tenant and validated (the document schema validates the
 * `pools` section; a bad one fails closed with `STORE_FAILED`).
 */
export function poolPolicies(record: SettingsRecord | null): PoolPolicy[] {
  const section = record?.document.pools as { policies: PoolPolicy[] } | undefined;
  return section?.policies ?? [];
}

/** @internal One vault's knowledge of its pools. */
export class PoolState {
  readonly #options: PoolStateOptions;
  readonly #local = new Map<string, LocalKey>();
  readonly #facts = new Map<string, CachedFacts>();
  readonly #rotation = new Map<string, number>();

  constructor(options: PoolStateOptions) {
    this.#options = options;
  }

  /** The next turn of a pool's rotation (advanced synchronously: concurrent choices never share a turn). */
  nextTurn(poolKey: string): number {
    const turn = this.#rotation.get(poolKey) ?? 0;
    boundedSet(this.#rotation, poolKey, turn + 1 >= Number.MAX_SAFE_INTEGER ? 0 : turn + 1, this.#options.maxKeys);
    return turn;
  }

  /**
   * The facts of a pool: from the cache when read less than `factsTtlMs`
   * ago for the same members, else read now (policy, cooldowns, health).
   */
  async facts(
    ctx: VaultContext,
    tenantId: string,
    poolKey: string,
    scope: string,
    provider: string,
    members: readonly SealedConfigRecord[],
    now: Date,
  ): Promise<CachedFacts> {
    const ids = members.map((m) => m.id);
    const memberKey = ids.join(',');
    const cached = this.#facts.get(poolKey);
    const clock = Date.now();
    if (cached && cached.members === memberKey && clock - cached.readAt < this.#options.factsTtlMs) return cached;
    const [settings, cooldowns, health] = await Promise.all([
      readSettings(ctx, tenantId),
      callStore(ctx, 'loadKeyCooldowns', () => ctx.store.loadKeyCooldowns(tenantId, ids, now.toISOString())),
      callStore(ctx, 'loadKeyHealth', () => ctx.store.loadKeyHealth(tenantId, ids)),
    ]);
    const policy = poolPolicies(settings).find((p) => p.scope === scope && p.provider === provider) ?? null;
    const keySetAt = new Map(members.map((m) => [m.id, m.keySetAt]));
    const facts: CachedFacts = {
      readAt: clock,
      members: memberKey,
      policy,
      // Only this tenant's, whatever the store returned.
      cooldowns: new Map(cooldowns.filter((c) => c.tenantId === tenantId).map((c) => [c.configId, c.until])),
      // Health about the key the config holds now; news about an older key says nothing of it.
      failing: new Set(
        health
          .filter((h) => h.tenantId === tenantId && h.state === 'failing' && h.keySetAt === keySetAt.get(h.configId))
          .map((h) => h.configId),
      ),
    };
    boundedSet(this.#facts, poolKey, facts, this.#options.maxKeys);
    return facts;
  }

  /** Forgets a tenant's cached policies (after this process changed them). */
  forgetTenant(tenantId: string): void {
    for (const key of this.#facts.keys()) if (key.startsWith(`${tenantId}\u0000`)) this.#facts.delete(key);
  }

  /** The end of a key's cooldown: the later of what the store said and what this process saw, or `null`. */
  cooldownUntil(tenantId: string, configId: string, stored: string | undefined): string | null {
    const local = this.#local.get(`${tenantId}\u0000${configId}`)?.until;
    const until = local === undefined ? stored : stored === undefined || local > stored ? local : stored;
    return until ?? null;
  }

  /** Whether a key is failing: this process saw an auth failure of this very key since its last success, or the store says so. */
  failing(tenantId: string, configId: string, keySetAt: string | null, stored: boolean): boolean {
    const local = this.#local.get(`${tenantId}\u0000${configId}`);
    return local && local.keySetAt === keySetAt ? (local.failing ?? stored) : stored;
  }

  /**
   * Learns from one outcome of a call with a config's key: a 429 starts
   * (or extends) its cooldown, until the provider's `retryAfter` or an
   * exponential backoff, written to the store once per cooldown (never on
   * a success); an auth failure marks it failing here; a success clears both
   * marks. Returns the cooldown to share, if one started.
   */
  note(
    tenantId: string,
    configId: string,
    keySetAt: string | null,
    outcome: Pick<Outcome, 'status' | 'retryAfter' | 'at'>,
  ): string | null {
    const id = `${tenantId}\u0000${configId}`;
    const entry: LocalKey = this.#local.get(id) ?? { strikes: 0, failing: null, keySetAt };
    const o = this.#options;
    let shared: string | null = null;
    if (outcome.status === 'rate_limited') {
      entry.strikes += 1;
      const wait =
        outcome.retryAfter !== undefined
          ? outcome.retryAfter * 1000
          : o.backoffMs * 2 ** Math.min(entry.strikes - 1, 20);
      const until = new Date(Date.parse(outcome.at) + Math.min(Math.max(wait, 1), o.maxCooldownMs)).toISOString();
      const held = entry.until;
      if (held === undefined || until > held) {
        entry.until = until;
        // Shared once per cooldown: a burst of 429s (each a few ms later) extends it here, and is written
        // again only when it moves the end by more than a second or a tenth of the wait.
        const gain =
          held === undefined || held <= outcome.at ? Number.POSITIVE_INFINITY : Date.parse(until) - Date.parse(held);
        if (gain >= Math.max(1000, wait / 10)) shared = until;
      }
    } else if (outcome.status === 'auth_failed') {
      entry.failing = true;
      entry.keySetAt = keySetAt;
    } else if (outcome.status === 'ok') {
      entry.strikes = 0;
      entry.failing = false;
      entry.keySetAt = keySetAt;
    } else if (!this.#local.has(id)) {
      return null;
    }
    boundedSet(this.#local, id, entry, this.#options.maxKeys);
    return shared;
  }
}
