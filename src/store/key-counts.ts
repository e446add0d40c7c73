/**
 * The store-wide rotation reads, as plain functions over stored rows, for
 * adapters that hold their rows in process (the memory store, a file
 * store): which configs still hold a key under another KEK, and how many
 * keys each KEK seals, per state.
 *
 * @module
 */
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import { keyExpired } from './candidates.js';
import { SEALED_KEY_SLOTS, type SealedConfigRecord, type KeyCount, type Page, type StoredKeyState } from './types.js';

/**
 * What {@link countKeysByKek} reads of a stored row: its three sealed
 * values, and `enabled` and `keyExpiresAt`, which decide the state of its
 * active key. A {@link SealedConfigRecord} has them all.
 */
export type SealedSlots = Pick<
  SealedConfigRecord,
  'sealedKey' | 'pendingSealedKey' | 'previousSealedKey' | 'enabled' | 'keyExpiresAt'
>;

/**
 * Whether any sealed key of the row (active, pending or previous) is under
 * another KEK than `kekId`; a sealed value naming no KEK counts as another.
 */
export function holdsKeyUnderOtherKek(
  row: Pick<SealedConfigRecord, 'sealedKey' | 'pendingSealedKey' | 'previousSealedKey'>,
  kekId: string,
): boolean {
  return SEALED_KEY_SLOTS.some((slot) => row[slot] !== null && sealedKekId(row[slot]) !== kekId);
}

/** The state a row's key in `slot` counts as at `now` (an ISO string). */
function stateOf(row: SealedSlots, slot: (typeof SEALED_KEY_SLOTS)[number], now: string): StoredKeyState {
  if (slot === 'pendingSealedKey') return 'pending';
  if (slot === 'previousSealedKey') return 'previous';
  if (!row.enabled) return 'disabled';
  return keyExpired(row.keyExpiresAt, now) ? 'expired' : 'active';
}

/**
 * Counts sealed keys per KEK id and state over `rows`, as
 * `StorageAdapter.countKeysByKek` returns them.
 *
 * @example
 * ```ts
 * async countKeysByKek({ now }) { return countKeysByKek(this.allRows(), now); }
 * ```
 */
export function countKeysByKek(rows: Iterable<SealedSlots>, now: string): KeyCount[] {
  const counts = new Map<string, KeyCount>();
  for (const row of rows) {
    for (const slot of SEALED_KEY_SLOTS) {
      const sealed = row[slot];
      if (sealed === null) continue;
      const kekId = sealedKekId(sealed);
      const state = stateOf(row, slot, now);
      const key = `${kekId ?? ''}\u0000${kekId === null ? 0 : 1}\u0000${state}`;
      const line = counts.get(key);
      if (line) line.count += 1;
      else counts.set(key, { kekId, state, count: 1 });
    }
  }
  return [...counts.values()];
}

/**
 * The cursor of a store-wide walk (tenant, then id), as an opaque string.
 * Kept readable on purpose: it names a tenant and a config id, no secret.
 */
export function encodeStoreCursor(tenantId: string, id: string): string {
  return JSON.stringify([tenantId, id]);
}

/** The (tenant, id) a store-wide cursor names, or `null` for a malformed one. */
export function decodeStoreCursor(cursor: string): [tenantId: string, id: string] | null {
  try {
    const value: unknown = JSON.parse(cursor);
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string')
      return [value[0], value[1]];
  } catch {
    // A malformed cursor reads as none.
  }
  return null;
}

/** Orders (tenant, id) pairs by tenant, then id, comparing code units (what every in-process store uses). */
export function compareTenantAndId(a: { tenantId: string; id: string }, b: { tenantId: string; id: string }): number {
  if (a.tenantId !== b.tenantId) return a.tenantId < b.tenantId ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * One page of a store-wide walk over in-process rows: the rows after
 * `cursor` (by tenant, then id) that hold a key under another KEK than
 * `kekIdNot`, at most `limit`, with the cursor of the next page (`null`
 * after the last), as `StorageAdapter.listSealedConfigsAcrossTenants`
 * returns them.
 */
export function pageAcrossTenants<T extends SealedConfigRecord>(
  rows: Iterable<{ tenantId: string; row: T }>,
  query: { kekIdNot: string; cursor?: string; limit: number },
): Page<T> {
  const after = query.cursor === undefined ? null : decodeStoreCursor(query.cursor);
  const matching: { tenantId: string; id: string; row: T }[] = [];
  for (const { tenantId, row } of rows) {
    if (!holdsKeyUnderOtherKek(row, query.kekIdNot)) continue;
    const entry = { tenantId, id: row.id, row };
    if (after !== null && compareTenantAndId(entry, { tenantId: after[0], id: after[1] }) <= 0) continue;
    matching.push(entry);
  }
  matching.sort(compareTenantAndId);
  const page = matching.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((e) => e.row),
    nextCursor: matching.length > query.limit && last ? encodeStoreCursor(last.tenantId, last.id) : null,
  };
}
