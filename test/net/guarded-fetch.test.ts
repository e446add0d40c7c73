import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkError } from '../../src/errors.js';
import { networkPolicy, type NetworkPolicyOptions } from '../../src/net/endpoint-policy.js';
import { createGuardedFetch, type FetchFunction } from '../../src/net/guarded-fetch.js';
import { AddressRule } from '../../src/net/address-rule.js';
import { connectTimeDispatcher, type LookupAll } from '../../src/net/resolved-addresses.js';
import { createTransport } from '../../src/net/transport.js';
import { drip, flood, json, startHostileServer, type HostileServer } from '../adversarial/hostile-server.js';

const LOCAL = { allowPrivateEndpoints: ['127.0.0.1'] } as const;
const request = { tenantId: 'acme', provider: 'openai', action: 'request' as const };

function guarded(options: NetworkPolicyOptions = LOCAL, extra: Partial<Parameters<typeof createGuardedFetch>[0]> = {}) {
  const incidents: NetworkError[] = [];
  const fetch = createGuardedFetch({
    policy: networkPolicy(options),
    request,
    onIncident: (e) => incidents.push(e),
    ...extra,
  });
  return { fetch, incidents };
}

/** A resolver that fails every name the way getaddrinfo does for a missing one. */
const failingLookup: LookupAll = (hostname, callback) =>
  callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);

/** A resolver that answers every name with `address` and counts its calls. */
function fixedLookup(address: string): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname, callback) => {
    calls.push(hostname);
    callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
  }) as LookupAll & { calls: string[] };
  lookup.calls = calls;
  return lookup;
}

let api: HostileServer;
let internal: HostileServer;
beforeAll(async () => {
  api = await startHostileServer();
  internal = await startHostileServer((_req, res) => json(res, 200, { secret: 'INTERNAL-ONLY' }));
});
afterAll(async () => {
  await api.close();
  await internal.close();
});
beforeEach(() => {
  api.hits.length = 0;
  internal.hits.length = 0;
});

describe('the guarded fetch: endpoint policy on every request', () => {
  it('refuses a loopback URL by default, before anything is sent', async () => {
    const { fetch, incidents } = guarded({});
    await expect(fetch(`${api.url}/v1/models`)).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
      message: expect.stringContaining('loopback'),
    });
    expect(api.hits).toHaveLength(0);
    expect(incidents.map((e) => e.code)).toEqual(['ENDPOINT_REFUSED']);
  });

  it('asks the host policy with each request URL and the calling context', async () => {
    api.handle((_req, res) => json(res, 200, {}));
    const seen: string[] = [];
    const { fetch } = guarded({
      ...LOCAL,
      endpointPolicy: (u, r) => (seen.push(`${r.action} ${u.pathname}`), !u.pathname.includes('admin')),
    });
    expect((await fetch(`${api.url}/v1/models`)).status).toBe(200);
    await expect(fetch(`${api.url}/v1/admin`)).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    expect(seen).toEqual(['request /v1/models', 'request /v1/admin']);
    expect(api.hits).toHaveLength(1);
  });

  it('takes Request objects (as @mistralai/mistralai sends them), body included', async () => {
    let body = '';
    api.handle((req, res) => json(res, 200, { method: req.method }));
    const { fetch } = guarded();
    const response = await fetch(
      new Request(`${api.url}/v1/chat`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    body = await response.text();
    expect(body).toBe('{"method":"POST"}');
  });
});

describe('the guarded fetch: redirects', () => {
  it.each([301, 302, 303, 307, 308])('a %i is refused and its target never reached', async (status) => {
    api.handle((_req, res) => res.writeHead(status, { location: `${internal.url}/latest/meta-data` }).end('moved'));
    const { fetch, incidents } = guarded();
    await expect(fetch(`${api.url}/v1/models`, { headers: { 'x-goog-api-key': 'k' } })).rejects.toMatchObject({
      code: 'REDIRECT_REFUSED',
      httpStatus: status,
    });
    expect(internal.hits).toHaveLength(0);
    expect(incidents[0]?.code).toBe('REDIRECT_REFUSED');
  });

  it('a host fetch is asked not to follow, and a redirect it followed anyway is still refused', async () => {
    api.handle((_req, res) => json(res, 200, {}));
    const inits: RequestInit[] = [];
    const following: FetchFunction = async (input, init) => {
      inits.push(init ?? {});
      const response = await globalThis.fetch(input, init);
      Object.defineProperty(response, 'redirected', { value: true });
      return response;
    };
    const { fetch } = guarded(LOCAL, { base: following });
    await expect(fetch(`${api.url}/v1/models`)).rejects.toMatchObject({ code: 'REDIRECT_REFUSED' });
    expect(inits[0]?.redirect).toBe('manual');
  });
});

describe("the guarded fetch: a host's fetch that follows redirects itself", () => {
  let refused: HostileServer;
  beforeAll(async () => {
    // 127.0.0.2: loopback, and not in LOCAL's opt-in.
    refused = await startHostileServer((_req, res) => json(res, 200, { secret: 'INTERNAL-ONLY' }), '127.0.0.2');
  });
  afterAll(() => refused.close());

  it('is stopped at connect time when it follows a redirect to a refused IP literal: REDIRECT_REFUSED, target never connected to', async () => {
    api.handle((req, res) => res.writeHead(307, { location: `${refused.url}${req.url}` }).end());
    const following: FetchFunction = (input, init) => globalThis.fetch(input, { ...init, redirect: 'follow' });
    const { fetch, incidents } = guarded(LOCAL, { base: following });
    await expect(fetch(`${api.url}/v1/models`, { headers: { 'api-key': 'k' } })).rejects.toMatchObject({
      code: 'REDIRECT_REFUSED',
    });
    expect(api.hits).toHaveLength(1);
    expect(refused.hits).toHaveLength(0);
    expect(incidents.map((e) => e.code)).toEqual(['REDIRECT_REFUSED']);
  });

  it("byokit's dispatcher checks IP-literal hosts on every connection it makes", async () => {
    const dispatcher = await connectTimeDispatcher(AddressRule.from(['127.0.0.1']));
    expect(dispatcher).not.toBeNull();
    const error = await globalThis.fetch(`${refused.url}/x`, { dispatcher } as RequestInit).catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({
      code: 'ENDPOINT_REFUSED',
      message: expect.stringContaining('a loopback address'),
    });
    expect(refused.hits).toHaveLength(0);
    api.handle((_req, res) => json(res, 200, { ok: true }));
    expect((await globalThis.fetch(`${api.url}/x`, { dispatcher } as RequestInit)).status).toBe(200);
  });
});

describe('the guarded fetch: what a host name resolves to', () => {
  it('a name that does not resolve is refused (fails closed): at connect time, before a host fetch, and in a transport check', async () => {
    await expect(
      guarded({}, { lookupAll: failingLookup }).fetch('http://missing.example.test/v1'),
    ).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
      message: expect.stringContaining('could not be resolved (ENOTFOUND)'),
    });
    let called = 0;
    const hostFetch: FetchFunction = async (input, init) => (called++, globalThis.fetch(input, init));
    await expect(
      guarded({}, { base: hostFetch, lookupAll: failingLookup }).fetch('http://missing.example.test/v1'),
    ).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
    });
    expect(called).toBe(0);
    const transport = createTransport({ policy: networkPolicy({}), request, lookupAll: failingLookup });
    await expect(transport.check('https://missing.example.test', { resolve: true })).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
    });
  });

  it('checks the address at connect time: a name resolving to loopback is refused', async () => {
    const lookup = fixedLookup('127.0.0.1');
    const { fetch } = guarded({}, { lookupAll: lookup });
    const port = new URL(api.url).port;
    await expect(fetch(`http://api.example.test:${port}/v1/models`)).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
      message: expect.stringContaining('resolves to a loopback address'),
    });
    expect(api.hits).toHaveLength(0);
    // One resolution, the connection's own: nothing a rebinding DNS could answer differently later.
    expect(lookup.calls).toEqual(['api.example.test']);
  });

  it('connects to the address it checked (the opt-in lets the same name through)', async () => {
    api.handle((_req, res) => json(res, 200, { ok: true }));
    const { fetch } = guarded(LOCAL, { lookupAll: fixedLookup('127.0.0.1') });
    const port = new URL(api.url).port;
    expect(await (await fetch(`http://api.example.test:${port}/v1/models`)).json()).toEqual({ ok: true });
    expect(api.hits[0]?.headers.host).toBe(`api.example.test:${port}`);
  });

  it("with a host's own fetch, checks the resolved addresses before the request", async () => {
    let called = 0;
    const hostFetch: FetchFunction = async (input, init) => {
      called++;
      return globalThis.fetch(input, init);
    };
    const { fetch } = guarded({}, { base: hostFetch, lookupAll: fixedLookup('10.1.2.3') });
    await expect(fetch('http://llm.example.test/v1/models')).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
      message: expect.stringContaining('private'),
    });
    expect(called).toBe(0);
  });

  it('a transport check (for SDKs without a fetch option) resolves the name when asked to', async () => {
    const transport = createTransport({
      policy: networkPolicy({}),
      request,
      lookupAll: fixedLookup('169.254.169.254'),
    });
    await expect(transport.check('https://gemini.example.test')).resolves.toBeUndefined();
    await expect(transport.check('https://gemini.example.test', { resolve: true })).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
    });
    await expect(transport.check('http://[::ffff:127.0.0.1]:11434')).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
    });
  });
});

describe('the guarded fetch: bounds (validation) and streams (clients)', () => {
  const limits = (ms: number, maxBytes = 64 * 1024) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(Object.assign(new Error('deadline'), { code: 'RESPONSE_TIMEOUT' })), ms).unref();
    return { signal: controller.signal, maxBytes };
  };

  it('stops reading a body at the byte cap and cancels it', async () => {
    api.handle((_req, res) => flood(res, 50 * 1024 * 1024));
    const { fetch, incidents } = guarded(LOCAL, { limits: limits(10_000) });
    const response = await fetch(`${api.url}/huge`);
    await expect(response.text()).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expect(incidents.map((e) => e.code)).toEqual(['RESPONSE_TOO_LARGE']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.bytesWritten()).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a declared content-length above the cap without reading', async () => {
    api.handle((_req, res) => flood(res, 1024 * 1024, 500, true));
    const { fetch } = guarded(LOCAL, { limits: limits(10_000, 1000) });
    await expect(fetch(`${api.url}/huge`)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE', httpStatus: 500 });
  });

  it('the deadline covers the body: a dripped body fails at the deadline', async () => {
    api.handle((_req, res) => drip(res));
    const { fetch } = guarded(LOCAL, { limits: limits(300) });
    const started = Date.now();
    const response = await fetch(`${api.url}/slow`);
    await expect(response.text()).rejects.toMatchObject({ code: 'RESPONSE_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a client response streams through unbounded (server-sent events arrive as they are sent)', async () => {
    let release: () => void = () => undefined;
    api.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      release = () => res.end('data: last\n\n');
    });
    const { fetch } = guarded();
    const response = await fetch(`${api.url}/v1/chat/completions`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: last\n\n');
  });
});

describe("the guarded fetch: a host's egress proxy", () => {
  const GLOBAL = Symbol.for('undici.globalDispatcher.1');
  let previous: unknown;
  let dispatched = 0;
  beforeEach(async () => {
    const { Agent } = await import('undici');
    /** Stands in for a host's `setGlobalDispatcher(new ProxyAgent(...))`. */
    class HostEgressAgent extends Agent {
      override dispatch(
        options: Parameters<InstanceType<typeof Agent>['dispatch']>[0],
        handler: Parameters<InstanceType<typeof Agent>['dispatch']>[1],
      ) {
        dispatched++;
        return super.dispatch(options, handler);
      }
    }
    previous = (globalThis as Record<symbol, unknown>)[GLOBAL];
    (globalThis as Record<symbol, unknown>)[GLOBAL] = new HostEgressAgent();
    dispatched = 0;
  });
  afterEach(() => {
    (globalThis as Record<symbol, unknown>)[GLOBAL] = previous;
  });

  it('is kept (requests go through it), and resolved addresses are checked before the request', async () => {
    api.handle((_req, res) => json(res, 200, {}));
    const lookup = fixedLookup('127.0.0.1');
    const strict = guarded({}, { lookupAll: lookup });
    const port = new URL(api.url).port;
    await expect(strict.fetch(`http://api.example.test:${port}/v1/models`)).rejects.toMatchObject({
      code: 'ENDPOINT_REFUSED',
    });
    expect(lookup.calls).toEqual(['api.example.test']);
    expect(dispatched).toBe(0);
    const { fetch } = guarded();
    expect((await fetch(`${api.url}/v1/models`)).status).toBe(200);
    expect(dispatched).toBe(1);
  });
});
