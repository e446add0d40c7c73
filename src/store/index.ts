export { MemoryStore } from './memory.js';
export * from './types.js';
export { CONFIG_PATCH_FIELDS, copyConfigRecord, patchedFields } from './patch.js';
