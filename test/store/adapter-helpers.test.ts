import { describe, expect, it } from 'vitest';
import {
  applyConfigPatch,
  checkExpectedRevision,
  ConflictError,
  isByokitError,
  pageAfter,
  pageFetchLimit,
  pageOf,
} from '../../src/adapter.js';
import { makeConfigRecord } from '../../src/testing/fixtures.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id_${String(i).padStart(2, '0')}` }));

describe('byokit/adapter paging', () => {
  it('fetches one row more than a page', () => {
    expect(pageFetchLimit(1)).toBe(2);
    expect(pageFetchLimit(50)).toBe(51);
  });

  it.each([
    [0, 5, 0, null],
    [3, 5, 3, null],
    [5, 5, 5, null],
    [6, 5, 5, 'id_04'],
    [51, 50, 50, 'id_49'],
  ])('pageOf %i rows with limit %i: %i items, cursor %s', (rows, limit, items, cursor) => {
    const page = pageOf(ids(rows), limit);
    expect(page.items).toEqual(ids(rows).slice(0, limit));
    expect(page.items.length).toBe(items);
    expect(page.nextCursor).toBe(cursor);
  });

  it('pageOf takes the cursor of the last item kept, by the given function', () => {
    const rows = [
      { period: '2026-01-01', keyId: 'a' },
      { period: '2026-01-01', keyId: 'b' },
      { period: '2026-01-02', keyId: 'a' },
    ];
    expect(pageOf(rows, 2, (r) => `${r.period}:${r.keyId}`).nextCursor).toBe('2026-01-01:b');
    expect(pageOf(rows, 3, (r) => `${r.period}:${r.keyId}`).nextCursor).toBeNull();
  });

  it('pageAfter walks an ascending list without gaps or repeats, and a descending one too', () => {
    const all = ids(23);
    for (const [order, list] of [
      ['ascending', all],
      ['descending', [...all].reverse()],
    ] as const) {
      for (const limit of [1, 5, 22, 23, 500]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = pageAfter(list, cursor, limit, order);
          seen.push(...page.items.map((i) => i.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen, `${order} limit ${limit}`).toEqual(list.map((i) => i.id));
      }
    }
  });
});

describe('byokit/adapter updates', () => {
  it('applyConfigPatch sets the patched fields and bumps the revision by exactly 1', () => {
    const current = makeConfigRecord({ revision: 7, name: 'old', model: 'm' });
    const next = applyConfigPatch(current, { name: 'new', model: undefined, updatedAt: '2030-01-01T00:00:00.000Z' });
    expect(next).toEqual({ ...current, name: 'new', updatedAt: '2030-01-01T00:00:00.000Z', revision: 8 });
    expect(current.name).toBe('old');
  });

  it('applyConfigPatch never takes id, tenant, createdAt, revision or kekId from a patch', () => {
    const current = makeConfigRecord({ revision: 2 });
    const hostile = { id: 'x', tenantId: 'y', createdAt: 'z', revision: 99, kekId: 'k9' } as never;
    expect(applyConfigPatch(current, hostile)).toEqual({ ...current, revision: 3 });
  });

  it('applyConfigPatch: kekId follows a patched sealedKey (null once the key is removed), else stays', () => {
    const current = makeConfigRecord({ revision: 1, kekId: 'kek-1' });
    expect(applyConfigPatch(current, { sealedKey: null, keyHint: null }).kekId).toBeNull();
    expect(applyConfigPatch(current, { name: 'renamed' }).kekId).toBe('kek-1');
    expect(applyConfigPatch(current, { sealedKey: 'byokit:1:kek-2:AAAA:BBBB:CCCC' }).kekId).toBe('kek-2');
  });

  it('checkExpectedRevision passes a match or no expectation, and throws CONCURRENT_UPDATE naming the store', () => {
    const stored = { id: 'cfg_1', revision: 4 };
    expect(() => checkExpectedRevision('my-store', stored, 4)).not.toThrow();
    expect(() => checkExpectedRevision('my-store', stored, undefined)).not.toThrow();
    let thrown: unknown;
    try {
      checkExpectedRevision('my-store', stored, 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConflictError);
    expect(isByokitError(thrown, 'CONCURRENT_UPDATE')).toBe(true);
    expect((thrown as Error).message).toBe('[byokit] [my-store] config cfg_1 changed since it was read');
  });
});
