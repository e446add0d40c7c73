/**
 * Quota windows and usage periods: pure functions of a time.
 *
 * Windows are fixed and aligned to UTC (a minute, an hour, a day from
 * midnight UTC, a calendar month), so every instance of the host agrees on
 * the window of a call without talking to the others, and an adapter makes
 * the count atomic with one conditional increment. The price of fixed
 * windows: a burst at a boundary can use up to twice the limit within one
 * window's length (the end of one window and the start of the next).
 *
 * @module
 */
import type { QuotaWindow } from '../store/access-key-storage.js';

const LENGTH_MS: Record<Exclude<QuotaWindow, 'month'>, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The window of `per` that holds `at`: its id (the start time, ISO) and
 * when it ends (`resetAt`, ISO).
 *
 * @example
 * ```ts
 * quotaWindow('hour', new Date('2026-11-24T10:42:00Z'));
 * // { id: '2026-11-24T10:00:00.000Z', resetAt: '2026-11-24T11:00:00.000Z' }
 * ```
 */
export function quotaWindow(per: QuotaWindow, at: Date): { id: string; resetAt: string } {
  const t = at.getTime();
  let start: number;
  let end: number;
  if (per === 'month') {
    start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    end = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  } else {
    const length = LENGTH_MS[per];
    start = Math.floor(t / length) * length;
    end = start + length;
  }
  return { id: new Date(start).toISOString(), resetAt: new Date(end).toISOString() };
}

/** The usage period of `at`: its UTC day, `YYYY-MM-DD`. */
export function usagePeriod(at: Date): string {
  return at.toISOString().slice(0, 10);
}
