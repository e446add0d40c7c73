import { randomBytes } from 'node:crypto';
import type { AzureOpenAI } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import azureOpenAIProvider from '../../src/providers/azure-openai.js';
import { createClient } from '../../src/providers/create-client.js';
import { runKeyValidation } from '../../src/providers/validate.js';
import { Secret } from '../../src/secret.js';
import { makeVault, renderEverywhere } from '../vault/helpers.js';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer } from './fake-server.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '1b2c3d4e-5f60-4718-9a0b-c1d2e3f49f0a';
const SECRET = 'CANARY~entra.client_secret-0123456789abcdef';
const options = { apiVersion: '2024-10-21', deployment: 'prod-gpt4o' };
const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
};

describe('azure-openai with Entra ID client credentials', () => {
  let server: FakeServer;
  let token: string;
  let credential: { tenantId: string; clientId: string; clientSecret: string; authorityHost: string };
  const tokenPath = `/${TENANT}/oauth2/v2.0/token`;
  const tokenRequests = () => server.requests.filter((r) => r.path === tokenPath);
  const apiRequests = () => server.requests.filter((r) => r.path !== tokenPath);

  beforeAll(async () => {
    server = await startFakeServer();
    credential = { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, authorityHost: server.url };
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
    vi.unstubAllEnvs();
  });

  /** A stand-in of the Entra token endpoint (checking the client-credentials form) and of the resource, which takes its token only. */
  function serve(api: (authorized: boolean) => { status: number; body: unknown }) {
    token = `eyJ0eXAi.tenant-${randomBytes(8).toString('hex')}`;
    server.respond((request) => {
      if (request.path === tokenPath) {
        const form = new URLSearchParams(request.body);
        const ok =
          form.get('grant_type') === 'client_credentials' &&
          form.get('client_id') === CLIENT_ID &&
          form.get('client_secret') === SECRET &&
          form.get('scope') === 'https://cognitiveservices.azure.com/.default';
        return ok
          ? { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: token } }
          : {
              status: 401,
              body: {
                error: 'invalid_client',
                error_description: `AADSTS7000215: Invalid client secret ${form.get('client_secret')}`,
              },
            };
      }
      return api(request.headers.authorization === `Bearer ${token}` && request.headers['api-key'] === undefined);
    });
  }

  const source = (key: unknown = credential) => ({
    provider: 'azure-openai',
    baseUrl: `${server.url}/resource`,
    model: null,
    options,
    key: new Secret(JSON.stringify(key), '1b2c3d4e...9f0a'),
  });

  it('requests a token from the authority with the app credentials, then calls the resource with it as a bearer token (once per token lifetime)', async () => {
    vi.stubEnv('AZURE_OPENAI_API_KEY', 'platform-azure-key-from-env');
    vi.stubEnv('OPENAI_CUSTOM_HEADERS', 'Authorization: Bearer platform-from-env\napi-key: azure-from-env');
    vi.stubEnv('AZURE_CLIENT_SECRET', 'platform-secret-from-env');
    serve((authorized) =>
      authorized ? { status: 200, body: chatCompletion } : { status: 401, body: { error: { code: '401' } } },
    );
    const client = (await createClient(source(), {
      ...LOCAL_ENDPOINTS,
      expect: 'azure-openai',
      clientOptions: { maxRetries: 0 },
    })) as AzureOpenAI;
    const answer = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe('hi there');
    await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'again' }] });
    expect(tokenRequests()).toHaveLength(1);
    expect(apiRequests().map((r) => r.url)).toEqual(
      Array(2).fill('/resource/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21'),
    );
    for (const request of apiRequests()) expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.requests.map((r) => JSON.stringify(r.headers)).join('\n')).not.toContain('from-env');
  });

  it('the authority is under the endpoint policy: one the policy refuses is never called', async () => {
    serve(() => ({ status: 200, body: chatCompletion }));
    const client = (await createClient(source({ ...credential, authorityHost: 'http://169.254.169.254' }), {
      ...LOCAL_ENDPOINTS,
      expect: 'azure-openai',
      clientOptions: { maxRetries: 0 },
    })) as AzureOpenAI;
    await expect(
      client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toThrow();
    expect(server.requests).toHaveLength(0);
  });

  it('validateKey: a refused client secret is invalid_key (never echoed); accepted, the deployment probe decides', async () => {
    serve((authorized) =>
      authorized ? { status: 400, body: { error: { code: 'BadRequest' } } } : { status: 401, body: {} },
    );
    const input = { apiKey: JSON.stringify(credential), baseUrl: server.url, model: null, options };
    expect(await runKeyValidation(azureOpenAIProvider, input, LOCAL_ENDPOINTS)).toEqual({ status: 'valid' });
    const wrong = { ...credential, clientSecret: 'CANARY~wrong-secret-0123456789' };
    const refused = await runKeyValidation(
      azureOpenAIProvider,
      { ...input, apiKey: JSON.stringify(wrong) },
      LOCAL_ENDPOINTS,
    );
    expect(refused).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
    expect(refused.detail).toContain('invalid_client');
    expect(renderEverywhere(refused)).not.toContain('wrong-secret');
  });

  it('in the vault: the credential object is sealed whole and hinted by the client id; an API key still works; a bad field is named', async () => {
    const { vault, owner } = makeVault();
    const cfg = await owner.createConfig({
      name: 'aoai',
      provider: 'azure-openai',
      baseUrl: 'https://acme.openai.azure.com',
      options,
    });
    const view = await owner.setKey(cfg.id, { tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET });
    expect(view.keyHint).toBe('1b2c3d4e...9f0a');
    expect(
      JSON.parse((await vault.resolve({ tenantId: 'acme', provider: 'azure-openai' })).key.reveal()),
    ).toStrictEqual({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET });
    expect(renderEverywhere([view, await owner.listAudit()])).not.toContain(SECRET);
    expect((await owner.setKey(cfg.id, '0123456789abcdef0123456789abcdef')).keyHint).toBe('...cdef');
    const error = (await owner
      .setKey(cfg.id, { tenantId: TENANT, clientId: 'CANARY-not-a-guid', clientSecret: SECRET })
      .catch((e: unknown) => e)) as { code: string; issues: { path: string }[] };
    expect(error).toMatchObject({ code: 'KEY_FORMAT_INVALID', issues: [{ path: 'clientId' }] });
    expect(renderEverywhere(error)).not.toMatch(/CANARY/);
  });
});
