/**
 * Attack: map the platform's internal DNS through validateKey. A tenant
 * stores base URLs with internal-looking names and reads the results: a
 * result that says "resolves to a loopback address", "... a private
 * address" or "could not be reached (ENOTFOUND)" tells them which names
 * exist inside the platform's network and what they point at.
 *
 * What stops it: every endpoint refusal gives the tenant one wording, and a
 * name that does not resolve is refused the same way (it fails closed);
 * the reason, with the address class, goes to the host's
 * `onNetworkIncident` hook only.
 *
 * DNS is the real resolver, with the names of this test answered by a spy
 * on `dns.lookup` (what byokit's connect-time check and pre-request check
 * both call), so the result does not depend on the machine's DNS.
 */
import dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVault, Keyring, MemoryStore, type NetworkIncident } from '../../src/index.js';

const ANSWERS: Record<string, string | null> = {
  'loop.corp.test': '127.0.0.1',
  'db.corp.test': '10.0.0.5',
  'link.corp.test': '169.254.10.10',
  'meta.corp.test': '169.254.169.254',
  'missing.corp.test': null,
};

beforeAll(() => {
  const lookup = dns.lookup.bind(dns);
  vi.spyOn(dns, 'lookup').mockImplementation(((
    hostname: string,
    options: unknown,
    callback: (...args: unknown[]) => void,
  ) => {
    if (!Object.hasOwn(ANSWERS, hostname)) return (lookup as (...args: unknown[]) => void)(hostname, options, callback);
    const address = ANSWERS[hostname];
    setImmediate(() =>
      address === null
        ? callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }))
        : callback(null, [{ address, family: 4 }]),
    );
  }) as typeof dns.lookup);
});
afterAll(() => vi.restoreAllMocks());

async function validate(host: string, clientOptions?: Record<string, unknown>) {
  const incidents: NetworkIncident[] = [];
  const vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate('k1'),
    onNetworkIncident: (incident) => void incidents.push(incident),
  });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'o', role: 'owner' } });
  const cfg = await admin.createConfig({ name: 'c', provider: 'custom', baseUrl: `http://${host}:8080/v1` });
  await admin.setKey(cfg.id, 'gw-CANARY00000000000000000001');
  const { config: _config, ...result } = await admin.validateKey(cfg.id, {
    timeoutMs: 3000,
    ...(clientOptions ? { clientOptions } : {}),
  });
  const [event] = (await admin.listAudit({ type: 'key.validated' })).items;
  await new Promise((resolve) => setImmediate(resolve));
  return { result, audit: event?.detail, incidents };
}

describe('validateKey does not tell a tenant what internal names resolve to', () => {
  it.each([
    ['at connect time (Node, no host fetch)', undefined],
    [
      'before the request (a host fetch)',
      { fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init) },
    ],
  ])(
    '%s: a loopback, private, link-local, metadata and a missing name give the same result',
    async (_how, clientOptions) => {
      const seen = await Promise.all(Object.keys(ANSWERS).map((host) => validate(host, clientOptions)));
      const [first] = seen;
      expect(first!.result).toEqual({ status: 'unreachable', reason: 'endpoint_refused', detail: expect.any(String) });
      for (const { result, audit } of seen) {
        expect(result).toEqual(first!.result);
        expect(audit).toEqual(first!.audit);
        expect(JSON.stringify(result)).not.toMatch(
          /loopback|private|link-local|metadata|ENOTFOUND|resolve[sd] to|corp\.test/,
        );
      }
    },
  );

  it('the host hears the reason, with the address class, through onNetworkIncident', async () => {
    const reasons = await Promise.all(
      Object.keys(ANSWERS).map(async (host) =>
        (await validate(host)).incidents.map((i) => `${i.error.code} ${i.error.message}`),
      ),
    );
    expect(reasons.map((list) => list[0])).toEqual([
      expect.stringMatching(/^ENDPOINT_REFUSED .*loop\.corp\.test.*resolves to a loopback address/),
      expect.stringMatching(/^ENDPOINT_REFUSED .*resolves to a private address/),
      expect.stringMatching(/^ENDPOINT_REFUSED .*resolves to a link-local address/),
      expect.stringMatching(/^ENDPOINT_REFUSED .*resolves to a cloud metadata address/),
      expect.stringMatching(/^ENDPOINT_REFUSED .*could not be resolved \(ENOTFOUND\)/),
    ]);
    const { incidents } = await validate('db.corp.test');
    expect(incidents[0]).toMatchObject({
      tenantId: 'acme',
      provider: 'custom',
      configId: expect.stringMatching(/^cfg_/),
    });
  });
});
