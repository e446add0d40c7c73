/**
 * Each enum is declared once, as an `as const` list its type derives from;
 * these tests hold the lists to what the code does with them and to what
 * the docs promise.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_EVENT_TYPES,
  BYOKIT_ERROR_CODES,
  ByokitError,
  isByokitError,
  NETWORK_ERROR_CODES,
  QUOTA_WINDOWS,
  VALIDATION_FAILURE_REASONS,
  VALIDATION_STATUSES,
  WITH_KEY_ON_FAILURE,
} from '../../src/index.js';
import { listAuditInputSchema } from '../../src/vault/schemas.js';

const concepts = readFileSync(new URL('../../docs/concepts.md', import.meta.url), 'utf8');
const errorsSection = concepts.slice(concepts.indexOf('## Errors'));

describe('one list per enum', () => {
  it.each([
    ['BYOKIT_ERROR_CODES', BYOKIT_ERROR_CODES],
    ['NETWORK_ERROR_CODES', NETWORK_ERROR_CODES],
    ['AUDIT_EVENT_TYPES', AUDIT_EVENT_TYPES],
    ['VALIDATION_STATUSES', VALIDATION_STATUSES],
    ['VALIDATION_FAILURE_REASONS', VALIDATION_FAILURE_REASONS],
    ['QUOTA_WINDOWS', QUOTA_WINDOWS],
    ['WITH_KEY_ON_FAILURE', WITH_KEY_ON_FAILURE],
  ])('%s has no duplicates and is frozen in shape', (_, list) => {
    expect(list.length).toBeGreaterThan(1);
    expect(new Set(list).size).toBe(list.length);
  });

  it('every error code is documented in docs/concepts.md, and the docs name no code outside the list', () => {
    for (const code of BYOKIT_ERROR_CODES) expect(errorsSection, code).toContain(`\`${code}\``);
    const named = new Set([...errorsSection.matchAll(/`([A-Z][A-Z_]{3,})`/g)].map((m) => m[1]));
    named.delete('BYOKIT_ERROR_CODES');
    expect([...named].filter((code) => !(BYOKIT_ERROR_CODES as readonly string[]).includes(code!))).toEqual([]);
  });

  it('isByokitError recognises exactly the listed codes on a foreign error object', () => {
    for (const code of BYOKIT_ERROR_CODES) expect(isByokitError(Object.assign(new Error('x'), { code }))).toBe(true);
    expect(isByokitError(Object.assign(new Error('x'), { code: 'NOT_A_BYOKIT_CODE' }))).toBe(false);
    expect(isByokitError(new ByokitError('NO_KEY', 'x'), 'NO_KEY')).toBe(true);
  });

  it('network error codes are byokit error codes', () => {
    for (const code of NETWORK_ERROR_CODES) expect(BYOKIT_ERROR_CODES).toContain(code);
  });

  it('listAudit accepts every audit type and nothing else', () => {
    for (const type of AUDIT_EVENT_TYPES) expect(listAuditInputSchema.safeParse({ type }).success, type).toBe(true);
    expect(listAuditInputSchema.safeParse({ type: 'key.exploded' }).success).toBe(false);
  });
});
