/**
 * Attack: hold or flood the server that validates keys. An endpoint sends
 * its headers at once and then drips the body a byte at a time (holding a
 * validation for minutes), or sends an answer of tens of megabytes (read
 * whole into memory). Every validation is bounded: one deadline over
 * headers and bodies, and a cap on the bytes read.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVault, Keyring, MemoryStore } from '../../src/index.js';
import { drip, flood, startHostileServer, type HostileServer } from './hostile-server.js';
import { PROVIDER_TARGETS, type Target } from './targets.js';

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

async function configFor(target: Target) {
  // The hostile server is local: allow exactly 127.0.0.1.
  const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate('k1'), allowPrivateEndpoints: ['127.0.0.1'] });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
  const config = await admin.createConfig({ name: 'c', provider: target.provider, baseUrl: target.baseUrl(server.url), options: target.options });
  await admin.setKey(config.id, target.key);
  return { admin, config };
}

describe.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))('validateKey against %s', (_name, target) => {
  it('a body dripped a byte at a time stops at the deadline', { timeout: 6000 }, async () => {
    server.handle((_req, res) => drip(res, 200, 20));
    const { admin, config } = await configFor(target);
    const started = Date.now();
    const result = await admin.validateKey(config.id, { timeoutMs: 800 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ status: 'unreachable', reason: 'timeout' });
  });

  it.each([200, 500])('a huge answer (HTTP %i, chunked) is dropped at the byte cap', { timeout: 8000 }, async (status) => {
    const before = server.bytesWritten();
    server.handle((_req, res) => flood(res, HUGE, status));
    const { admin, config } = await configFor(target);
    const result = await admin.validateKey(config.id);
    expect(result).toMatchObject({ status: 'unexpected', reason: 'response_too_large', httpStatus: status });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.bytesWritten() - before).toBeLessThan(FLOOD_CEILING);
  });

  it('a huge declared content-length is refused before the body is read', { timeout: 8000 }, async () => {
    const before = server.bytesWritten();
    server.handle((_req, res) => flood(res, HUGE, 401, true));
    const { admin, config } = await configFor(target);
    const result = await admin.validateKey(config.id);
    expect(result).toMatchObject({ reason: 'response_too_large', httpStatus: 401 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.bytesWritten() - before).toBeLessThan(FLOOD_CEILING);
  });
});
