/**
 * Attack: point a key at the platform's own network. A tenant stores a base
 * URL that names a loopback, private, link-local or metadata address (in
 * any spelling the URL parser or a resolver accepts), relies on a provider
 * default (Ollama's http://127.0.0.1:11434), or the platform configures a
 * key for one. By default none of them is stored, validated or called.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinProviders, runKeyValidation } from '../../src/providers/index.js';
import { createClient, createVault, Keyring, MemoryStore, Secret } from '../../src/index.js';
import { json, startHostileServer, type HostileServer } from './hostile-server.js';
import { errorTexts, PROVIDER_TARGETS, TARGETS, type Target } from './targets.js';

/** Internal destinations, each in the spelling an attacker would try. */
const INTERNAL_URLS = [
  'http://127.0.0.1:8080',
  'http://2130706433',
  'http://0x7f000001',
  'http://0177.0.0.1',
  'http://127.1',
  'http://[::1]',
  'http://[::ffff:127.0.0.1]',
  'http://[::ffff:7f00:1]',
  'http://[0:0:0:0:0:ffff:7f00:1]',
  'http://[64:ff9b::7f00:1]',
  'http://[2002:7f00:1::1]',
  'http://localhost:11434',
  'http://LOCALHOST.',
  'http://tenant.localhost',
  'http://0.0.0.0:8080',
  'http://[::]',
  'http://169.254.169.254/latest/meta-data',
  'http://2852039166',
  'http://0xa9.0xfe.0xa9.0xfe',
  'http://[::ffff:169.254.169.254]',
  'http://[fd00:ec2::254]',
  'http://metadata.google.internal/computeMetadata/v1',
  'http://metadata',
  'http://169.254.170.2/v2/credentials',
  'http://100.100.100.200',
  'http://168.63.129.16/machine',
  'http://10.0.0.1',
  'http://172.16.0.1',
  'http://192.168.1.1',
  'http://100.64.0.1',
  'http://[fc00::1]',
  'http://[fe80::1]',
] as const;

function vaultWith(options: Partial<Parameters<typeof createVault>[0]> = {}) {
  const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate('k1'), ...options });
  return { vault, admin: vault.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } }) };
}

describe.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))(
  '%s: internal base URLs are refused by default',
  (_name, target) => {
    it.each(INTERNAL_URLS)('createConfig with %s', async (url) => {
      const { admin } = vaultWith();
      await expect(
        admin.createConfig({ name: 'c', provider: target.provider, baseUrl: url, options: target.options }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/baseUrl: an? [a-z -]+ address/),
      });
      expect((await admin.listConfigs()).items).toHaveLength(0);
    });

    it('updateConfig to an internal URL', async () => {
      const { admin } = vaultWith();
      const config = await admin.createConfig({
        name: 'c',
        provider: target.provider,
        baseUrl: 'https://llm.example.com',
        options: target.options,
      });
      for (const url of INTERNAL_URLS) {
        await expect(admin.updateConfig(config.id, { baseUrl: url })).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          message: expect.stringMatching(/baseUrl: an? [a-z -]+ address/),
        });
      }
    });
  },
);

describe('a wildcard opt-in for the VPC never opens the metadata service', () => {
  it.each([
    ['*.internal', 'http://metadata.google.internal/computeMetadata/v1'],
    ['*.ec2.internal', 'http://instance-data.ec2.internal/latest/meta-data/iam/security-credentials'],
  ])('allowPrivateEndpoints [%s]: createConfig refuses %s', async (entry, url) => {
    const { admin } = vaultWith({ allowPrivateEndpoints: [entry] });
    await expect(admin.createConfig({ name: 'm', provider: 'custom', baseUrl: url })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('metadata'),
    });
    await expect(
      admin.createConfig({ name: 'v', provider: 'custom', baseUrl: `http://llm.${entry.slice(2)}/v1` }),
    ).resolves.toMatchObject({ name: 'v' });
  });
});

describe('a key stored for a local endpoint, then the opt-in withdrawn', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer((_req, res) => json(res, 200, { object: 'list', data: [], models: [] }));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.hits.length = 0;
  });

  /** Stores the key under a vault that allowed 127.0.0.1, then opens the same store with a vault that does not. */
  async function storedThenStrict(target: Target) {
    const store = new MemoryStore();
    const keyring = Keyring.generate('k1');
    const lenient = createVault({ store, keyring, allowPrivateEndpoints: ['127.0.0.1'] }).as({
      tenantId: 'acme',
      actor: { id: 'o', role: 'owner' },
    });
    const config = await lenient.createConfig({
      name: 'c',
      provider: target.provider,
      baseUrl: target.baseUrl(server.url),
      options: target.options,
    });
    await lenient.setKey(config.id, target.key);
    const strict = createVault({ store, keyring });
    return { strict, admin: strict.as({ tenantId: 'acme', actor: { id: 'o', role: 'owner' } }), config };
  }

  it.each(PROVIDER_TARGETS.map((t) => [t.name, t] as const))(
    '%s: validateKey is refused and sends nothing',
    async (_name, target) => {
      const { admin, config } = await storedThenStrict(target);
      await expect(admin.validateKey(config.id)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('loopback address'),
      });
      expect(server.hits).toHaveLength(0);
    },
  );

  it.each(TARGETS.map((t) => [t.name, t] as const))(
    '%s: createClient refuses the resolution and sends nothing',
    async (_name, target) => {
      const { strict } = await storedThenStrict(target);
      const resolution = await strict.resolve({ tenantId: 'acme', provider: target.provider });
      const error = await createClient(resolution, { expect: target.expect, clientOptions: target.clientOptions })
        .then((client) => target.call(client))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(errorTexts(error)).toContain('ENDPOINT_REFUSED');
      expect(server.hits).toHaveLength(0);
    },
  );
});

describe("Ollama's loopback default", () => {
  it('a config without a base URL is refused unless the host opts in', async () => {
    await expect(vaultWith().admin.createConfig({ name: 'o', provider: 'ollama' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('default endpoint'),
    });
    await expect(
      vaultWith({ allowPrivateEndpoints: true }).admin.createConfig({ name: 'o', provider: 'ollama' }),
    ).resolves.toMatchObject({
      baseUrl: null,
    });
  });

  it('createClient and runKeyValidation check the default too', async () => {
    const source = {
      provider: 'ollama',
      baseUrl: null,
      model: null,
      options: {},
      key: new Secret('ollama-proxy-token-0000'),
    };
    await expect(createClient(source, 'ollama')).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    const result = await runKeyValidation(builtinProviders.ollama!, {
      apiKey: 'ollama-proxy-token-0000',
      baseUrl: null,
      model: null,
      options: {},
    });
    expect(result).toMatchObject({ status: 'unreachable', reason: 'endpoint_refused' });
  });
});

describe('platform keys', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer((_req, res) => json(res, 200, { object: 'list', data: [] }));
  });
  afterAll(() => server.close());

  it('a platform key for an internal base URL is refused when its client is built, and nothing is sent', async () => {
    const { vault } = vaultWith({
      platformKeys: { openai: { apiKey: 'sk-platform-0000000000000000000001', baseUrl: `${server.url}/v1` } },
    });
    const resolution = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    await expect(createClient(resolution, 'openai')).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    expect(server.hits).toHaveLength(0);
  });

  it('a hand-built source gets the default policy, and createClient can pass another', async () => {
    const source = {
      provider: 'openai',
      baseUrl: `${server.url}/v1`,
      model: null,
      options: {},
      key: new Secret('sk-hand-built-000000000000000001'),
    };
    await expect(createClient(source, 'openai')).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    const client = await createClient(source, { expect: 'openai', allowPrivateEndpoints: ['127.0.0.1'] });
    await client.models.list();
    expect(server.hits).toHaveLength(1);
  });
});
