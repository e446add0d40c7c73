/**
 * Which stored configs can win a resolution: the rule behind
 * `loadCandidates`' filter, as plain functions over records. The resolver
 * and every adapter use the same notion of "usable", so a filtered read
 * and the decision made from it can never disagree about a row.
 *
 * `selectCandidates` is the whole rule for a store that holds its rows in
 * memory (or has just read a tenant's rows): adapter authors can filter
 * with it instead of writing the walk again.
 *
 * @module
 */
import type { CandidateFilter, SealedConfigRecord, ConfigRecord, ScopePath } from './types.js';

/**
 * Whether a key with this expiry is expired at `now` (an ISO string):
 * `keyExpiresAt` not greater than `now`, compared as strings. The vault
 * writes expiries as `Date#toISOString` strings, for which string order is
 * time order; any other text is still judged the same way everywhere (in
 * SQL, Lua and here), so a store and the resolver never disagree.
 */
export function keyExpired(keyExpiresAt: string | null, now: string): boolean {
  return keyExpiresAt !== null && keyExpiresAt <= now;
}

/**
 * Whether a config can win a resolution at `now`: enabled, holding a key
 * (a sealed key or a key hint: a row whose two disagree counts, and fails
 * closed where it wins), and not expired.
 */
export function isUsableCandidate(
  record: Pick<SealedConfigRecord, 'enabled' | 'sealedKey' | 'keyHint' | 'keyExpiresAt'>,
  now: string,
): boolean {
  return (
    record.enabled === true &&
    (record.sealedKey !== null || record.keyHint !== null) &&
    !keyExpired(record.keyExpiresAt, now)
  );
}

/** Resolution order within one group: the default first, then the newest id. */
export function byResolutionPreference(a: ConfigRecord, b: ConfigRecord): number {
  if (a.isDefault !== b.isDefault) return a.isDefault ? -1 : 1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Whether `record` is a custom endpoint that routes `provider` (never for `provider` `'custom'` itself). */
export function routesProvider(record: Pick<ConfigRecord, 'provider' | 'routes'>, provider: string): boolean {
  return record.provider === 'custom' && provider !== 'custom' && record.routes.includes(provider);
}

/**
 * The winner of the walk `loadCandidates` describes, among `rows`: per
 * scope in order, the custom endpoints routing `provider`, then the
 * provider's configs (or, for `provider` `null`, all the scope's configs),
 * each group default first, then newest; the first usable one. `null` when
 * none is usable.
 */
export function findWinner<R extends SealedConfigRecord>(
  rows: readonly R[],
  scopes: readonly ScopePath[],
  provider: string | null,
  now: string,
): R | null {
  for (const scope of scopes) {
    const inScope = rows.filter((row) => row.scope === scope);
    const groups =
      provider === null
        ? [inScope]
        : [inScope.filter((row) => routesProvider(row, provider)), inScope.filter((row) => row.provider === provider)];
    for (const group of groups) {
      const winner = group.sort(byResolutionPreference).find((row) => isUsableCandidate(row, now));
      if (winner) return winner;
    }
  }
  return null;
}

/**
 * What a filtered `loadCandidates` returns from `rows` (the tenant's
 * configs in `scopes`, or more): the named configs and the winner, and
 * nothing else. Without a filter, every row in `scopes`.
 *
 * @example
 * ```ts
 * async loadCandidates(tenantId, scopes, filter) {
 *   const rows = await this.readTenantRows(tenantId); // CandidateRecords
 *   return selectCandidates(rows, scopes, filter);
 * }
 * ```
 */
export function selectCandidates<R extends SealedConfigRecord>(
  rows: readonly R[],
  scopes: readonly ScopePath[],
  filter?: CandidateFilter,
): R[] {
  const wanted = new Set(scopes);
  const inScopes = rows.filter((row) => wanted.has(row.scope));
  if (!filter) return inScopes;
  const config = filter.config;
  const named = config === null ? [] : inScopes.filter((row) => row.id === config || row.name === config);
  if (filter.provider === null && config !== null) return named;
  const winner = findWinner(inScopes, [...wanted], filter.provider, filter.now);
  const out = winner && !named.includes(winner) ? [...named, winner] : named;
  if (winner && filter.pool === true)
    out.push(...poolOf(inScopes, winner, filter.provider, filter.now).filter((row) => !out.includes(row)));
  return out;
}

/**
 * The other usable configs of `winner`'s pool among `rows`: same scope,
 * provider `provider`, when the winner is one of that provider's own
 * configs (see `CandidateFilter.pool`).
 */
export function poolOf<R extends SealedConfigRecord>(
  rows: readonly R[],
  winner: R,
  provider: string | null,
  now: string,
): R[] {
  if (provider === null || winner.provider !== provider) return [];
  return rows.filter(
    (row) => row !== winner && row.scope === winner.scope && row.provider === provider && isUsableCandidate(row, now),
  );
}
