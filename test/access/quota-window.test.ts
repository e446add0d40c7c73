import { describe, expect, it } from 'vitest';
import { quotaWindow, usagePeriod } from '../../src/access/quota-window.js';

describe('quota windows', () => {
  it.each([
    ['minute', '2026-11-24T10:42:31.250Z', '2026-11-24T10:42:00.000Z', '2026-11-24T10:43:00.000Z'],
    ['hour', '2026-11-24T10:42:31.250Z', '2026-11-24T10:00:00.000Z', '2026-11-24T11:00:00.000Z'],
    ['day', '2026-11-24T23:59:59.999Z', '2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    ['day', '2026-11-25T00:00:00.000Z', '2026-11-25T00:00:00.000Z', '2026-11-26T00:00:00.000Z'],
    ['month', '2026-11-24T10:42:31.250Z', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['month', '2026-12-31T23:59:59.999Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['month', '2028-02-29T12:00:00.000Z', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
  ] as const)('%s window of %s starts at %s and resets at %s', (per, at, id, resetAt) => {
    expect(quotaWindow(per, new Date(at))).toStrictEqual({ id, resetAt });
  });

  it('are fixed: every time inside a window gives the same window', () => {
    const start = Date.parse('2026-11-24T10:00:00.000Z');
    const ids = new Set([0, 1, 59_999, 30_000].map((offset) => quotaWindow('minute', new Date(start + offset)).id));
    expect(ids).toStrictEqual(new Set(['2026-11-24T10:00:00.000Z']));
    expect(quotaWindow('minute', new Date(start + 60_000)).id).toBe('2026-11-24T10:01:00.000Z');
  });

  it('usage periods are UTC days', () => {
    expect(usagePeriod(new Date('2026-11-24T23:59:59.999Z'))).toBe('2026-11-24');
    expect(usagePeriod(new Date('2026-11-25T00:00:00.000Z'))).toBe('2026-11-25');
  });
});
