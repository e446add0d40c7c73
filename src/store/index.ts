import { copyConfigRecord as copyRecord, patchedFields as patchFields } from './patch.js';

export { MemoryStore } from './memory.js';
export * from './types.js';
export * from './settings-storage.js';
export * from './access-key-storage.js';
export * from './cooldown-storage.js';

/**
 * The record fields a patch sets, as in 0.1.
 *
 * @deprecated Import `patchedFields` from `byokit/adapter`, beside the other adapter helpers.
 */
export const patchedFields: typeof patchFields = patchFields;

/**
 * A fresh copy of a config record, as in 0.1.
 *
 * @deprecated Import `copyConfigRecord` from `byokit/adapter`, beside the other adapter helpers.
 */
export const copyConfigRecord: typeof copyRecord = copyRecord;
