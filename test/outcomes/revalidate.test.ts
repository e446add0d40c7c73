/**
 * vault.revalidate against a local provider stand-in: which keys it checks,
 * how many at once, what it records, progress, the summary, and stopping.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isByokitError, type RevalidateProgress } from '../../src/index.js';
import { canaryKey } from '../providers/leak.js';
import { expectNothingSecret, keyed, outcomeVault } from './helpers.js';

let server: Server;
let url: string;
let inFlight = 0;
let maxInFlight = 0;
let calls = 0;

beforeAll(async () => {
  // GET /v1/models: 401 for keys containing "BAD", else 200; each answer takes 25 ms.
  server = createServer((req, res) => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      const bad = String(req.headers.authorization).includes('BAD');
      res.writeHead(bad ? 401 : 200, { 'content-type': 'application/json' });
      res.end(bad ? '{"error":{"code":"invalid_api_key"}}' : '{"object":"list","data":[]}');
    }, 25);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const DAY = 24 * 3600_000;

async function fleet(count: number, { bad = 0 } = {}) {
  let clock = Date.parse('2026-03-01T00:00:00.000Z');
  const setup = outcomeVault({ now: () => new Date(clock) });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = canaryKey(i < bad ? 'sk-proj-BAD' : 'sk-proj-');
    ids.push((await keyed(setup, { provider: 'openai', key, baseUrl: url, name: `k${i}` })).configId);
  }
  return { ...setup, ids, advance: (ms: number) => (clock += ms) };
}

describe('vault.revalidate', () => {
  it('checks the keys never or not recently validated, at most `concurrency` at a time, and sums up by status', async () => {
    const { vault, owner, ids, advance, health } = await fleet(10, { bad: 3 });
    // Two keys were checked an hour ago: not due.
    advance(DAY);
    await owner.validateKey(ids[8]!);
    await owner.validateKey(ids[9]!);
    advance(3600_000);
    await owner.setEnabled(ids[7]!, false);
    const progress: RevalidateProgress[] = [];
    calls = 0;
    maxInFlight = 0;
    const summary = await vault.revalidate({
      tenantIds: ['acme', 'nobody'],
      olderThan: DAY,
      concurrency: 3,
      onProgress: (p) => void progress.push(p),
    });
    expect(summary).toStrictEqual({
      checked: 7,
      byStatus: { valid: 4, invalid_key: 3, forbidden_model: 0, rate_limited: 0, unreachable: 0, unexpected: 0 },
      failed: [],
      skipped: 1,
      aborted: false,
    });
    expect(calls).toBe(7);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(progress).toHaveLength(7);
    expect(progress.at(-1)!.summary.checked).toBe(7);
    expect(new Set(progress.map((p) => p.configId))).toStrictEqual(new Set(ids.slice(0, 7)));
    // Each check is a validateKey: recorded, and the refused keys are failing now.
    const views = (await owner.listConfigs()).items;
    expect(
      views
        .filter((v) => v.health.state === 'failing')
        .map((v) => v.id)
        .sort(),
    ).toStrictEqual(ids.slice(0, 3).sort());
    expect(views.filter((v) => v.id !== ids[7]).every((v) => v.lastValidatedAt !== null)).toBe(true);
    expect(health.filter((e) => e.transition === 'failing')).toHaveLength(3);
    const audit = (await owner.listAudit({ type: 'key.validated', limit: 100 })).items;
    expect(audit.filter((e) => e.actor?.id === 'byokit:revalidate')).toHaveLength(7);
    expectNothingSecret({ summary, progress, audit }, canaryKey('sk-proj-'), []);
  });

  it('a second run right after finds nothing due; a run with olderThan 0 checks every active key again', async () => {
    const { vault, advance } = await fleet(3);
    expect((await vault.revalidate({ tenantIds: ['acme'], olderThan: DAY })).checked).toBe(3);
    advance(3600_000);
    expect((await vault.revalidate({ tenantIds: ['acme'], olderThan: DAY })).checked).toBe(0);
    expect((await vault.revalidate({ tenantIds: ['acme'], olderThan: 0 })).checked).toBe(3);
    advance(1);
    expect((await vault.revalidate({ tenantIds: ['acme'], olderThan: Number.MAX_VALUE })).checked).toBe(0);
  });

  it('stops starting checks when its signal aborts, and says so', async () => {
    const { vault } = await fleet(12);
    const controller = new AbortController();
    const summary = await vault.revalidate({
      tenantIds: ['acme'],
      olderThan: DAY,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.summary.checked === 2) controller.abort();
      },
    });
    expect(summary.aborted).toBe(true);
    expect(summary.checked).toBeGreaterThanOrEqual(2);
    expect(summary.checked).toBeLessThan(12);
  });

  it('checks its options: typed errors, nothing checked', async () => {
    const { vault } = await fleet(1);
    calls = 0;
    for (const options of [
      { olderThan: DAY },
      { tenantIds: [], olderThan: DAY },
      { tenantIds: ['acme'], olderThan: -1 },
      { tenantIds: ['acme'], olderThan: DAY, concurrency: 0 },
      { tenantIds: ['acme'], olderThan: DAY, signal: 'stop' },
    ]) {
      const error = await vault.revalidate(options as never).catch((e: unknown) => e);
      expect(isByokitError(error, 'VALIDATION_FAILED')).toBe(true);
    }
    expect(calls).toBe(0);
  });
});
