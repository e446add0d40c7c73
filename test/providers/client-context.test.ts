/**
 * A resolution carries its vault's network policy to createClient, also
 * through a copy (`{ ...r, model }`, the usual way to override a field),
 * without showing in JSON or the documented shape, and without a way for
 * a hand-built object to claim a policy it was not given.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createVault, Keyring, MemoryStore, Secret } from '../../src/index.js';
import { json, startHostileServer, type HostileServer } from '../adversarial/hostile-server.js';

const KEY = 'sk-proj-CANARY0000000000000000000000001';

describe("a resolution's vault policy in createClient", () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer((_req, res) => json(res, 200, { object: 'list', data: [] }));
  });
  afterAll(() => server.close());

  async function resolved(options: Partial<Parameters<typeof createVault>[0]>, baseUrl?: string) {
    const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate('k1'), ...options });
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'o', role: 'owner' } });
    const cfg = await admin.createConfig({ name: 'c', provider: 'openai', ...(baseUrl ? { baseUrl } : {}) });
    await admin.setKey(cfg.id, KEY);
    return vault.resolve({ tenantId: 'acme', provider: 'openai' });
  }

  it("a copy of a resolution keeps its vault's endpoint policy: the key never goes where the host refuses", async () => {
    const blocked = new Set<string>();
    const r = await resolved({ endpointPolicy: (url) => !blocked.has(url.hostname) });
    blocked.add('api.openai.com');
    const sent: string[] = [];
    const hostFetch = async (input: string | URL | Request) => {
      sent.push(String(input instanceof Request ? input.url : input));
      return new Response('{"object":"list","data":[]}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    for (const source of [r, { ...r, model: 'gpt-4o-mini' }, Object.assign({}, r, { configName: 'renamed' })]) {
      await expect(
        createClient(source, { expect: 'openai', clientOptions: { fetch: hostFetch, maxRetries: 0 } }),
      ).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    }
    expect(sent).toEqual([]);
  });

  it("a copy keeps the vault's opt-in too: its client reaches the self-hosted endpoint the vault allowed", async () => {
    const r = await resolved({ allowPrivateEndpoints: ['127.0.0.1'] }, `${server.url}/v1`);
    server.hits.length = 0;
    const client = await createClient({ ...r, model: 'other' }, { expect: 'openai', clientOptions: { maxRetries: 0 } });
    await client.models.list();
    expect(server.hits).toHaveLength(1);
  });

  it('the context does not show in JSON, in the documented keys, or in util.inspect beyond a placeholder', async () => {
    const r = await resolved({
      allowPrivateEndpoints: ['127.0.0.1'],
      endpointPolicy: function hostPolicy() {
        return true;
      },
    });
    expect(Object.keys(r)).not.toContain('network');
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse(JSON.stringify({ ...r })));
    expect(JSON.stringify(r)).not.toMatch(/vault context|127\.0\.0\.1|hostPolicy/);
    const printed = inspect(r, { depth: 10 });
    expect(printed).toContain('[vault context]');
    expect(printed).not.toMatch(/hostPolicy|127\.0\.0\.1|AddressRule|sk-proj-CANARY/);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it("a hand-built object can't claim a context: a value it puts under the resolution's symbol is ignored", async () => {
    const r = await resolved({ allowPrivateEndpoints: ['127.0.0.1'] }, `${server.url}/v1`);
    const [symbol] = Object.getOwnPropertySymbols(r);
    expect(symbol).toBeDefined();
    const forged = {
      provider: 'openai',
      baseUrl: `${server.url}/v1`,
      model: null,
      options: {},
      key: new Secret(KEY),
      [symbol!]: Object.freeze({
        network: { rule: { checkUrl: () => null }, endpointPolicy: undefined },
        tenantId: 'acme',
      }),
    };
    server.hits.length = 0;
    // The default policy applies (public addresses only), so the loopback server is refused.
    await expect(createClient(forged, 'openai')).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    expect(server.hits).toHaveLength(0);
  });
});
