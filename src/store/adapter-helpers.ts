/**
 * What every storage adapter does the same way: pages of `limit + 1`
 * fetched rows, an update applied with `revision + 1`, the expected-revision
 * check of a compare-and-swap. Published in `byokit/adapter`.
 *
 * @module
 */
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import { ConflictError } from '../errors.js';
import { storeMessage } from '../message.js';
import { patchedFields } from './patch.js';
import type { ConfigPatch, ConfigRecord, Page } from './types.js';

/**
 * How many rows to fetch for a page of `limit`: one more, so that whether a
 * next page exists is known without a second query. Hand the rows to
 * {@link pageOf}.
 */
export function pageFetchLimit(limit: number): number {
  return limit + 1;
}

/**
 * A page from rows fetched with {@link pageFetchLimit}, in page order: the
 * first `limit` rows, and a cursor (of the last row kept) only when a row
 * beyond them was found.
 *
 * @param cursorOf - the cursor of a row; by default its `id`.
 * @example
 * ```ts
 * const rows = await db.query('SELECT ... WHERE id > $1 ORDER BY id LIMIT $2', [cursor, pageFetchLimit(limit)]);
 * return pageOf(rows.map(toRecord), limit);
 * ```
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (row: T) => string = (row) => (row as { id: string }).id,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/**
 * A page of an id-sorted in-memory list: the first `limit` items after
 * `cursor` (an id; `undefined` from the start), ascending, or descending
 * when the list is sorted newest first (audit events).
 */
export function pageAfter<
  T extends {
    /** The item's id: the list's sort key and the cursor. */
    id: string;
  },
>(
  sorted: readonly T[],
  cursor: string | undefined,
  limit: number,
  order: 'ascending' | 'descending' = 'ascending',
): Page<T> {
  const after =
    cursor === undefined
      ? sorted
      : sorted.filter((item) => (order === 'descending' ? item.id < cursor : item.id > cursor));
  return pageOf(after, limit);
}

/**
 * Throws `ConflictError` `CONCURRENT_UPDATE` when `expectedRevision` is
 * given and the stored record has another revision: the compare-and-swap of
 * `updateConfig`. Call it in the same transaction (or under the same lock)
 * as the write that follows.
 *
 * @param store - the adapter's name, for the message (`[byokit] [<store>] ...`).
 */
export function checkExpectedRevision(
  store: string,
  stored: Pick<ConfigRecord, 'id' | 'revision'>,
  expectedRevision: number | undefined,
): void {
  if (expectedRevision !== undefined && stored.revision !== expectedRevision)
    throw new ConflictError('CONCURRENT_UPDATE', storeMessage(store, `config ${stored.id} changed since it was read`));
}

/**
 * The record after `patch`: only the fields an update may change (see
 * `patchedFields`), and `revision` one higher. Sealed values travel beside
 * it (`patchedSealedKeys`); when the patch sets or clears `sealedKey`,
 * `kekId` follows it (`null` once the key is gone), so the record can be
 * returned as it is.
 */
export function applyConfigPatch(current: ConfigRecord, patch: ConfigPatch): ConfigRecord {
  const kekId = patch.sealedKey === undefined ? current.kekId : sealedKekId(patch.sealedKey);
  return { ...current, ...patchedFields(patch), kekId, revision: current.revision + 1 };
}
