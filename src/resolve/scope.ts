/**
 * Scope paths: `''` is the tenant itself; `'ws1'` a workspace; `'ws1/proj7'`
 * a project inside it. Resolution walks from the asked scope up to the
 * tenant.
 *
 * @module
 */
import type { ScopePath } from '../store/types.js';

/** Allowed characters of one scope segment. */
export const SCOPE_SEGMENT_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** Deepest scope path accepted (organisation > workspace > project > ...). */
export const MAX_SCOPE_DEPTH = 8;

/**
 * The chain from `scope` up to the tenant, most specific first.
 *
 * @example
 * ```ts
 * scopeChain('ws1/proj7') // ['ws1/proj7', 'ws1', '']
 * ```
 */
export function scopeChain(scope: ScopePath): ScopePath[] {
  if (scope === '') return [''];
  const segments = scope.split('/');
  const chain: ScopePath[] = [];
  for (let depth = segments.length; depth > 0; depth--) chain.push(segments.slice(0, depth).join('/'));
  chain.push('');
  return chain;
}
