/**
 * Attack: an allowed endpoint answers 302 to an internal address. Followed,
 * the key's request reaches the internal service (Google's and Azure's key
 * headers travel along to the new origin) and the internal answer comes
 * back in `detail`. A request carrying a key never follows a redirect; a
 * host fetch that follows one anyway can't connect to an address the
 * policy refuses; and the one SDK byokit can't guard is never built for a
 * tenant's endpoint.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { json, startHostileServer, type HostileServer } from './hostile-server.js';
import { errorTexts, PROVIDER_TARGETS, TARGETS, tenantKeyFor, type Target } from './targets.js';

let front: HostileServer;
let internal: HostileServer;
beforeAll(async () => {
  internal = await startHostileServer((_req, res) =>
    json(res, 200, { object: 'list', data: [], models: [], secret: 'INTERNAL-SERVICE-ANSWER', candidates: [] }),
  );
  front = await startHostileServer();
});
afterAll(async () => {
  await front.close();
  await internal.close();
});
beforeEach(() => {
  front.hits.length = 0;
  internal.hits.length = 0;
});

describe.each([302, 307])('an endpoint that redirects (HTTP %i) to an internal address', (status) => {
  beforeEach(() => {
    front.handle((_req, res) => res.writeHead(status, { location: `${internal.url}/latest/meta-data/iam` }).end());
  });

  describe.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))('validateKey: %s', (_name, target) => {
    it('is refused with reason redirect_refused; the internal address is never reached', async () => {
      const { admin, config } = await tenantKeyFor(target, front.url);
      const result = await admin.validateKey(config.id);
      expect(front.hits.length).toBeGreaterThan(0);
      expect(internal.hits).toHaveLength(0);
      expect(result).toMatchObject({ status: 'unexpected', httpStatus: status, reason: 'redirect_refused' });
      expect(JSON.stringify(result)).not.toContain('INTERNAL-SERVICE-ANSWER');
      const [event] = (await admin.listAudit({ type: 'key.validated' })).items;
      expect(event?.detail).toMatchObject({ status: 'unexpected', reason: 'redirect_refused' });
    });
  });

  describe.each(TARGETS.filter((t) => t.guardedClient).map((t) => [t.name, t] as const))(
    'a createClient client: %s',
    (_name, target) => {
      it('fails with REDIRECT_REFUSED; the internal address is never reached', async () => {
        const { vault } = await tenantKeyFor(target, front.url);
        const resolution = await vault.resolve({ tenantId: 'acme', provider: target.provider });
        const client = await createClient(resolution, { expect: target.expect, clientOptions: target.clientOptions });
        const error = await target.call(client).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).not.toBeNull();
        expect(front.hits.length).toBeGreaterThan(0);
        expect(internal.hits).toHaveLength(0);
        expect(errorTexts(error)).toContain('REDIRECT_REFUSED');
      });
    },
  );
});

describe('@google/generative-ai (no fetch option): never built for a tenant endpoint', () => {
  const target = TARGETS.find((t) => !t.guardedClient)!;

  it("createClient refuses it with ENDPOINT_REFUSED naming sdk 'genai'; nothing is sent", async () => {
    front.handle((_req, res) => res.writeHead(307, { location: `${internal.url}/latest/meta-data/iam` }).end());
    const { vault } = await tenantKeyFor(target, front.url);
    const resolution = await vault.resolve({ tenantId: 'acme', provider: target.provider });
    for (const options of [{}, { expect: 'google' }]) {
      await expect(createClient(resolution, options)).rejects.toMatchObject({
        code: 'ENDPOINT_REFUSED',
        message: expect.stringContaining("sdk: 'genai'"),
      });
    }
    expect(front.hits).toHaveLength(0);
    expect(internal.hits).toHaveLength(0);
  });
});

describe("a host fetch that follows redirects itself (ignores redirect: 'manual')", () => {
  /** Listens on 127.0.0.2: a loopback address the attack vaults (which allow 127.0.0.1 only) refuse. */
  let refused: HostileServer;
  beforeAll(async () => {
    refused = await startHostileServer(
      (_req, res) => json(res, 200, { object: 'list', data: [], models: [], secret: 'INTERNAL-SERVICE-ANSWER' }),
      '127.0.0.2',
    );
  });
  afterAll(() => refused.close());
  beforeEach(() => {
    refused.hits.length = 0;
    front.handle((req, res) => res.writeHead(307, { location: `${refused.url}${req.url}` }).end());
  });
  // e.g. a tracing wrapper written as fetch(url, { ...init, redirect: 'follow' }), or a polyfill that ignores `redirect`
  const following = (input: string | URL | Request, init?: RequestInit) =>
    fetch(input, { ...init, redirect: 'follow' });
  /** The target's client options with `following` as its SDK's fetch; null for @mistralai/mistralai (an HTTPClient, not a fetch). */
  function withHostFetch(target: Target): Record<string, unknown> | null {
    if (target.provider === 'mistral') return null;
    if (target.expect === 'google-genai')
      return { httpOptions: { ...(target.clientOptions.httpOptions as object), fetch: following } };
    return { ...target.clientOptions, fetch: following };
  }

  it.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))(
    'validateKey against %s: redirect_refused; the refused address is never connected to',
    async (_name, target) => {
      const { admin, config } = await tenantKeyFor(target, front.url);
      const result = await admin.validateKey(config.id, { clientOptions: { fetch: following } });
      expect(front.hits.length).toBeGreaterThan(0);
      expect(refused.hits).toHaveLength(0);
      expect(result).toMatchObject({ status: 'unexpected', reason: 'redirect_refused' });
    },
  );

  it.each(TARGETS.filter((t) => t.guardedClient && withHostFetch(t)).map((t) => [t.name, t] as const))(
    'a createClient client: %s fails with REDIRECT_REFUSED; the refused address is never connected to',
    async (_name, target) => {
      const { vault } = await tenantKeyFor(target, front.url);
      const resolution = await vault.resolve({ tenantId: 'acme', provider: target.provider });
      const client = await createClient(resolution, { expect: target.expect, clientOptions: withHostFetch(target)! });
      const error = await target.call(client).then(
        () => null,
        (e: unknown) => e,
      );
      expect(front.hits.length).toBeGreaterThan(0);
      expect(refused.hits).toHaveLength(0);
      expect(errorTexts(error)).toContain('REDIRECT_REFUSED');
    },
  );
});
