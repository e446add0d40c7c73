/**
 * Group `quotas`: the access-key counters. A requests quota counts only
 * below its limit and exactly `limit` of 200 concurrent callers get
 * through; a token budget refuses once reached; concurrent token charges
 * all add up; usage is aggregated per key and day, listed in order with
 * filters and cursor, and kept per tenant.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { AccessKeyUsageQuery, AccessKeyUsageRecord } from '../store/access-key-storage.js';
import type { StorageAdapter } from '../store/types.js';
import { makeAccessKeyRecord, makeTenantIds } from './fixtures.js';
import { NO_RAW_DUMP, dumpOf, groupTitle, useStore } from './harness.js';
import type { StorageAdapterTestOptions } from './types.js';

const W1 = '2026-11-24T10:00:00.000Z';
const W2 = '2026-11-24T11:00:00.000Z';
const DAY = '2026-11-24';

async function allUsage(
  store: StorageAdapter,
  tenantId: string,
  query: Omit<AccessKeyUsageQuery, 'cursor'>,
): Promise<AccessKeyUsageRecord[]> {
  const out: AccessKeyUsageRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.listAccessKeyUsage(tenantId, cursor === undefined ? query : { ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    out.push(...page.items);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** Registers the `quotas` group. */
export function describeQuotas(options: StorageAdapterTestOptions): void {
  describe(groupTitle(options, 'quotas'), () => {
    const sut = useStore(options);

    it('without quotas every use is counted in the usage record of its day', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      for (let i = 0; i < 3; i++)
        expect(await store.useAccessKey(a, id, { period: DAY })).toStrictEqual({
          exceeded: null,
          requests: 0,
          tokens: 0,
        });
      expect(await allUsage(store, a, { limit: 10 })).toStrictEqual([
        { tenantId: a, keyId: id, period: DAY, requests: 3, tokens: 0 },
      ]);
    });

    it('a requests quota counts up to its limit, then refuses without counting; a new window starts again from 0', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      const use = (window: string) => store.useAccessKey(a, id, { period: DAY, requests: { window, limit: 3 } });
      for (let n = 1; n <= 3; n++) expect(await use(W1)).toStrictEqual({ exceeded: null, requests: n, tokens: 0 });
      expect(await use(W1)).toStrictEqual({ exceeded: 'requests', requests: 3, tokens: 0 });
      expect(await use(W1)).toStrictEqual({ exceeded: 'requests', requests: 3, tokens: 0 });
      expect(await use(W2)).toStrictEqual({ exceeded: null, requests: 1, tokens: 0 });
      expect((await allUsage(store, a, { limit: 10 }))[0]?.requests).toBe(4);
    });

    it("a token budget refuses a use once the window's charged tokens reach it (nothing counted), and a new window starts from 0", async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      const use = (window: string) =>
        store.useAccessKey(a, id, { period: DAY, requests: { window, limit: 100 }, tokens: { window, limit: 1000 } });
      expect(await use(W1)).toStrictEqual({ exceeded: null, requests: 1, tokens: 0 });
      await store.chargeAccessKeyTokens(a, id, { period: DAY, tokens: 999, window: W1 });
      expect(await use(W1)).toStrictEqual({ exceeded: null, requests: 2, tokens: 999 });
      await store.chargeAccessKeyTokens(a, id, { period: DAY, tokens: 1, window: W1 });
      expect(await use(W1)).toStrictEqual({ exceeded: 'tokens', requests: 2, tokens: 1000 });
      expect(await use(W2)).toStrictEqual({ exceeded: null, requests: 1, tokens: 0 });
      // A charge without a window (no token budget) adds to usage only.
      await store.chargeAccessKeyTokens(a, id, { period: DAY, tokens: 5 });
      expect(await use(W2)).toStrictEqual({ exceeded: null, requests: 2, tokens: 0 });
      expect(await allUsage(store, a, { limit: 10 })).toStrictEqual([
        { tenantId: a, keyId: id, period: DAY, requests: 4, tokens: 1005 },
      ]);
    });

    it('race: 200 concurrent uses against a limit of 50 let exactly 50 through and count exactly 50', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      const results = await Promise.all(
        Array.from({ length: 200 }, () =>
          store.useAccessKey(a, id, { period: DAY, requests: { window: W1, limit: 50 } }),
        ),
      );
      expect(results.filter((r) => r.exceeded === null)).toHaveLength(50);
      expect(results.filter((r) => r.exceeded === 'requests')).toHaveLength(150);
      expect(new Set(results.filter((r) => r.exceeded === null).map((r) => r.requests))).toStrictEqual(
        new Set(Array.from({ length: 50 }, (_, i) => i + 1)),
      );
      expect(await allUsage(store, a, { limit: 10 })).toStrictEqual([
        { tenantId: a, keyId: id, period: DAY, requests: 50, tokens: 0 },
      ]);
    });

    it('race: 200 concurrent token charges all add up, in the usage record and in the budget window', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      await Promise.all(
        Array.from({ length: 200 }, () => store.chargeAccessKeyTokens(a, id, { period: DAY, tokens: 7, window: W1 })),
      );
      expect(await allUsage(store, a, { limit: 10 })).toStrictEqual([
        { tenantId: a, keyId: id, period: DAY, requests: 0, tokens: 1400 },
      ]);
      expect(await store.useAccessKey(a, id, { period: DAY, tokens: { window: W1, limit: 1401 } })).toStrictEqual({
        exceeded: null,
        requests: 0,
        tokens: 1400,
      });
      expect((await store.useAccessKey(a, id, { period: DAY, tokens: { window: W1, limit: 1400 } })).exceeded).toBe(
        'tokens',
      );
    });

    it("counters and usage are per tenant: another tenant's uses of the same key id never touch them", async () => {
      const { store } = sut();
      const { a, b } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      for (let i = 0; i < 2; i++) await store.useAccessKey(a, id, { period: DAY, requests: { window: W1, limit: 2 } });
      await store.chargeAccessKeyTokens(a, id, { period: DAY, tokens: 10, window: W1 });
      expect(
        await store.useAccessKey(b, id, {
          period: DAY,
          requests: { window: W1, limit: 2 },
          tokens: { window: W1, limit: 10 },
        }),
      ).toStrictEqual({
        exceeded: null,
        requests: 1,
        tokens: 0,
      });
      expect(await allUsage(store, a, { limit: 10 })).toStrictEqual([
        { tenantId: a, keyId: id, period: DAY, requests: 2, tokens: 10 },
      ]);
      expect(await allUsage(store, b, { limit: 10 })).toStrictEqual([
        { tenantId: b, keyId: id, period: DAY, requests: 1, tokens: 0 },
      ]);
    });

    it('listAccessKeyUsage orders by period then key id, filters by key and inclusive period range, and pages without repeats', async () => {
      const { store } = sut();
      const { a } = makeTenantIds();
      const keys = [makeAccessKeyRecord().id, makeAccessKeyRecord().id, makeAccessKeyRecord().id].sort();
      const days = ['2026-10-31', '2026-11-01', '2026-11-02', '2026-12-01'];
      for (const day of [...days].reverse())
        for (const key of [...keys].reverse()) await store.useAccessKey(a, key, { period: day });
      const expected = days.flatMap((period) =>
        keys.map((keyId) => ({ tenantId: a, keyId, period, requests: 1, tokens: 0 })),
      );
      for (const limit of [1, 2, 5, 12, 500]) expect(await allUsage(store, a, { limit })).toStrictEqual(expected);
      expect(await allUsage(store, a, { limit: 2, keyId: keys[1]! })).toStrictEqual(
        expected.filter((u) => u.keyId === keys[1]),
      );
      expect(await allUsage(store, a, { limit: 2, from: '2026-11-01', to: '2026-11-02' })).toStrictEqual(
        expected.filter((u) => u.period.startsWith('2026-11')),
      );
      expect(await allUsage(store, a, { limit: 3, keyId: keys[2]!, from: '2026-11-02' })).toStrictEqual(
        expected.filter((u) => u.keyId === keys[2] && u.period >= '2026-11-02'),
      );
      expect(await store.listAccessKeyUsage(a, { limit: 5, to: '2026-10-30' })).toStrictEqual({
        items: [],
        nextCursor: null,
      });
    });

    it(`keeps counters and usage under the tenant of the call (raw look; ${NO_RAW_DUMP})`, async (ctx) => {
      const current = sut();
      if (!current.rawDump) ctx.skip('createStore returned no rawDump');
      const { a, b } = makeTenantIds();
      const id = makeAccessKeyRecord().id;
      await current.store.useAccessKey(a, id, { period: DAY, requests: { window: W1, limit: 5 } });
      await current.store.chargeAccessKeyTokens(a, id, { period: DAY, tokens: 3, window: W1 });
      const dump = (await dumpOf(current))!;
      expect(dump).toContain(a);
      expect(dump).toContain(id);
      expect(dump).not.toContain(b);
    });
  });
}
