/**
 * The storage contract of key cooldowns: short-lived facts ("this key is
 * rate-limited until ...") that key pools pass over. A cooldown is not a
 * record an admin keeps: it expires on its own at `until`, and losing one
 * costs at most one more 429. Stores that several processes share
 * (PostgreSQL, Redis) keep them there, so every process passes the key
 * over; the memory and SQLite adapters keep them in process
 * ({@link InProcessCooldowns}).
 *
 * @module
 */

/** Why a key is cooling down. */
export type CooldownReason = 'rate_limited';

/** One key's cooldown: passed over by its pool until `until`. */
export interface KeyCooldownRecord {
  /** The tenant of the config (stores file the record under the tenant of the call, whatever this says). */
  tenantId: string;
  /** The config whose key is cooling down; the config need not exist any more. */
  configId: string;
  /** ISO time (`Date#toISOString`) the cooldown ends; the record expires then. */
  until: string;
  /** Why: `rate_limited` (a 429 from the provider), the only reason today. */
  reason: CooldownReason;
  /** ISO time the cooldown was set. */
  setAt: string;
}

/** The cooldown methods of a storage adapter (part of `StorageAdapter`). */
export interface CooldownStorage {
  /**
   * Stores a key's cooldown under `tenantId` (whatever `cooldown.tenantId`
   * says), in one round trip, with time-to-live semantics: the record
   * expires at `cooldown.until` and is never returned after it.
   * - The later cooldown wins: when a cooldown ending at or after
   *   `cooldown.until` is stored, nothing changes (a shorter 429 never
   *   shortens a longer one). Atomic: after any set of concurrent calls the
   *   stored `until` is the latest one given.
   * - Never touches the config (`revision`, `updatedAt` stay) and needs no
   *   config to exist: a cooldown of a deleted config simply expires.
   * - Memory bounded: a store keeps at most one record per (tenant,
   *   config), and drops expired ones.
   */
  putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void>;

  /**
   * The cooldowns of this tenant's configs among `configIds` (at most 500)
   * that end after `now` (an ISO string, compared as strings), in any
   * order; one round trip. Another tenant's records, and expired ones,
   * are never returned.
   */
  loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]>;
}

/** The cooldown method names, checked when a vault is created. */
export const COOLDOWN_STORAGE_METHODS = [
  'putKeyCooldown',
  'loadKeyCooldowns',
] as const satisfies readonly (keyof CooldownStorage)[];

/**
 * Cooldowns kept in process, for adapters whose store is not shared
 * between processes (memory, SQLite) or that have nowhere better to put
 * them: a bounded map, expired records dropped first, then the oldest
 * set. Adapter authors can delegate both methods to one.
 *
 * @example
 * ```ts
 * readonly #cooldowns = new InProcessCooldowns();
 * putKeyCooldown(tenantId, c) { return Promise.resolve(this.#cooldowns.put(tenantId, c, new Date().toISOString())); }
 * loadKeyCooldowns(tenantId, ids, now) { return Promise.resolve(this.#cooldowns.load(tenantId, ids, now)); }
 * ```
 */
export class InProcessCooldowns {
  readonly #records = new Map<string, KeyCooldownRecord>();
  readonly #max: number;

  /** @param max Records kept at most (default 10,000). */
  constructor(max = 10_000) {
    this.#max = max;
  }

  /** Stores `cooldown` unless a later one is held; `clock` is the current time (ISO), for dropping expired ones. */
  put(tenantId: string, cooldown: KeyCooldownRecord, clock: string): void {
    const key = `${tenantId}\u0000${cooldown.configId}`;
    const held = this.#records.get(key);
    if (held && held.until >= cooldown.until) return;
    this.#records.delete(key);
    if (this.#records.size >= this.#max) {
      for (const [k, r] of this.#records) if (r.until <= clock) this.#records.delete(k);
      // Still full: the oldest set goes (a Map iterates in insertion order).
      while (this.#records.size >= this.#max) this.#records.delete(this.#records.keys().next().value!);
    }
    this.#records.set(key, {
      tenantId,
      configId: cooldown.configId,
      until: cooldown.until,
      reason: cooldown.reason,
      setAt: cooldown.setAt,
    });
  }

  /** The tenant's cooldowns among `configIds` that end after `now`. */
  load(tenantId: string, configIds: readonly string[], now: string): KeyCooldownRecord[] {
    const out: KeyCooldownRecord[] = [];
    for (const id of new Set(configIds)) {
      const record = this.#records.get(`${tenantId}\u0000${id}`);
      if (record && record.until > now) out.push({ ...record });
    }
    return out;
  }
}
