/**
 * Attack: hold or flood the server that validates keys. An endpoint sends
 * its headers at once and then drips the body a byte at a time (holding a
 * validation for minutes), or sends an answer of tens of megabytes (read
 * whole into memory). Every validation is bounded: one deadline over
 * headers and bodies, and a cap on the bytes read.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drip, flood, startHostileServer, type HostileServer } from './hostile-server.js';
import { PROVIDER_TARGETS, tenantKeyFor } from './targets.js';

const HUGE = 48 * 1024 * 1024;
/** What a bounded client lets the server push: the cap plus socket buffers, far below HUGE. */
const FLOOD_CEILING = 16 * 1024 * 1024;

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.hits.length = 0;
});

describe.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))('validateKey against %s', (_name, target) => {
  // The drip never ends: without the deadline the call would hang until the test's own timeout. The
  // bound on the elapsed time leaves room for a loaded CI machine (a run at load 8 took 3.2 s).
  it('a body dripped a byte at a time stops at the deadline', { timeout: 10_000 }, async () => {
    server.handle((_req, res) => drip(res, 200, 20));
    const { admin, config } = await tenantKeyFor(target, server.url);
    const started = Date.now();
    const result = await admin.validateKey(config.id, { timeoutMs: 800 });
    expect(Date.now() - started).toBeLessThan(6000);
    expect(result).toMatchObject({ status: 'unreachable', reason: 'timeout' });
  });

  it.each([200, 500])(
    'a huge answer (HTTP %i, chunked) is dropped at the byte cap',
    { timeout: 8000 },
    async (status) => {
      const before = server.bytesWritten();
      server.handle((_req, res) => flood(res, HUGE, status));
      const { admin, config } = await tenantKeyFor(target, server.url);
      const result = await admin.validateKey(config.id);
      expect(result).toMatchObject({ status: 'unexpected', reason: 'response_too_large', httpStatus: status });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.bytesWritten() - before).toBeLessThan(FLOOD_CEILING);
    },
  );

  it('a huge declared content-length is refused before the body is read', { timeout: 8000 }, async () => {
    const before = server.bytesWritten();
    server.handle((_req, res) => flood(res, HUGE, 401, true));
    const { admin, config } = await tenantKeyFor(target, server.url);
    const result = await admin.validateKey(config.id);
    expect(result).toMatchObject({ reason: 'response_too_large', httpStatus: 401 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.bytesWritten() - before).toBeLessThan(FLOOD_CEILING);
  });
});
