import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/providers/create-client.js';
import { runKeyValidation } from '../../src/providers/validate.js';
import vertexProvider from '../../src/providers/vertex.js';
import { Secret } from '../../src/secret.js';
import { makeVault, renderEverywhere } from '../vault/helpers.js';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer, type RecordedRequest } from './fake-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const EMAIL = 'byokit-tenant@acme-prod-42.iam.gserviceaccount.com';
const GEMINI = 'gemini-2.0-flash';
const CLAUDE = 'claude-3-5-sonnet-v2@20241022';
const PLATFORM_ENV = {
  GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/platform-from-env.json',
  GOOGLE_CLOUD_PROJECT: 'platform-from-env',
  GOOGLE_CLOUD_LOCATION: 'platform-from-env',
  GOOGLE_API_KEY: 'AIza-platform-from-env',
  GOOGLE_VERTEX_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
  CLOUD_ML_REGION: 'platform-from-env',
  ANTHROPIC_VERTEX_PROJECT_ID: 'platform-from-env',
  ANTHROPIC_VERTEX_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
};

/** Verifies a JWT grant as Google's token endpoint would: RS256 with the account's public key, issuer, audience, scope. */
function verifyAssertion(request: RecordedRequest, tokenUri: string): boolean {
  const form = new URLSearchParams(request.body);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return false;
  const [header, claims, signature] = (form.get('assertion') ?? '').split('.') as [string, string, string];
  const ok = createVerify('RSA-SHA256')
    .update(`${header}.${claims}`)
    .verify(publicKey, Buffer.from(signature, 'base64url'));
  const body = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  return (
    ok && body.iss === EMAIL && body.aud === tokenUri && body.scope === 'https://www.googleapis.com/auth/cloud-platform'
  );
}

describe('vertex', () => {
  let server: FakeServer;
  let token: string;
  let credential: { serviceAccount: Record<string, string>; location: string };
  const tokenRequests = () => server.requests.filter((r) => r.path === '/token');
  const apiRequests = () => server.requests.filter((r) => r.path !== '/token');

  beforeAll(async () => {
    server = await startFakeServer();
    credential = {
      serviceAccount: {
        type: 'service_account',
        project_id: 'acme-prod-42',
        private_key_id: 'abc123',
        private_key: PEM,
        client_email: EMAIL,
        token_uri: `${server.url}/token`,
      },
      location: 'europe-west4',
    };
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
    vi.unstubAllEnvs();
  });

  /** Token endpoint (verifying the signed grant) plus the API answering `answer` to bearer requests with the token it issued. */
  function serve(answer: unknown) {
    token = `ya29.tenant-${randomBytes(8).toString('hex')}`;
    server.respond((request) => {
      if (request.path === '/token') {
        return verifyAssertion(request, `${server.url}/token`)
          ? { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } }
          : { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
      }
      return request.headers.authorization === `Bearer ${token}`
        ? { status: 200, body: answer }
        : { status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED' } } };
    });
  }

  const source = (options: Record<string, string> = {}, key: unknown = credential) => ({
    provider: 'vertex',
    baseUrl: server.url,
    model: null,
    options,
    key: new Secret(JSON.stringify(key), 'byokit-tenant@acme-prod-42.iam...'),
  });

  it('@google/genai in Vertex mode: a signed grant goes to the token URI, then calls carry its bearer token (one token for many calls)', async () => {
    for (const [name, value] of Object.entries(PLATFORM_ENV)) vi.stubEnv(name, value);
    serve({ candidates: [{ content: { role: 'model', parts: [{ text: 'hi there' }] }, finishReason: 'STOP' }] });
    const client = await createClient(source(), { ...LOCAL_ENDPOINTS, expect: 'vertex' });
    const answer = await client.models.generateContent({ model: GEMINI, contents: 'hi' });
    expect(answer.text).toBe('hi there');
    await client.models.generateContent({ model: GEMINI, contents: 'again' });
    expect(tokenRequests()).toHaveLength(1);
    expect(apiRequests().map((r) => r.path)).toEqual(
      Array(2).fill(
        `/v1beta1/projects/acme-prod-42/locations/europe-west4/publishers/google/models/${GEMINI}:generateContent`,
      ),
    );
    for (const request of apiRequests()) {
      expect(request.headers.authorization).toBe(`Bearer ${token}`);
      expect(request.headers['x-goog-api-key']).toBeUndefined();
    }
    expect(server.requests.map((r) => `${r.url} ${JSON.stringify(r.headers)}`).join('\n')).not.toContain('from-env');
  });

  it("AnthropicVertex (sdk: 'anthropic'): rawPredict with the bearer token, project and region from the credential", async () => {
    for (const [name, value] of Object.entries(PLATFORM_ENV)) vi.stubEnv(name, value);
    serve({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: CLAUDE,
      content: [{ type: 'text', text: 'hi there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 2 },
    });
    const client = await createClient(source({ sdk: 'anthropic' }), {
      ...LOCAL_ENDPOINTS,
      expect: 'vertex-anthropic',
      clientOptions: { maxRetries: 0 },
    });
    const answer = await client.messages.create({
      model: CLAUDE,
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.content[0]).toMatchObject({ text: 'hi there' });
    expect(tokenRequests()).toHaveLength(1);
    expect(apiRequests().map((r) => decodeURIComponent(r.path))).toEqual([
      `/v1/projects/acme-prod-42/locations/europe-west4/publishers/anthropic/models/${CLAUDE}:rawPredict`,
    ]);
    expect(apiRequests()[0]!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('the token endpoint is under the endpoint policy too: a token URI the policy refuses is never called', async () => {
    serve({});
    const refused = {
      ...credential,
      serviceAccount: { ...credential.serviceAccount, token_uri: 'http://169.254.169.254/token' },
    };
    const client = await createClient(source({}, refused), { ...LOCAL_ENDPOINTS, expect: 'vertex' });
    await expect(client.models.generateContent({ model: GEMINI, contents: 'hi' })).rejects.toThrow();
    expect(server.requests).toHaveLength(0);
    const result = await runKeyValidation(
      vertexProvider,
      { apiKey: JSON.stringify(refused), baseUrl: server.url, model: null, options: {} },
      LOCAL_ENDPOINTS,
    );
    expect(result).toMatchObject({ status: 'unreachable', reason: 'endpoint_refused' });
  });

  it('validateKey: the token exchange, then the model; a refused key is invalid_key; an unknown model forbidden_model', async () => {
    serve({ name: `publishers/google/models/${GEMINI}` });
    const input = { apiKey: JSON.stringify(credential), baseUrl: server.url, model: GEMINI, options: {} };
    expect(await runKeyValidation(vertexProvider, input, LOCAL_ENDPOINTS)).toEqual({ status: 'valid' });
    expect(apiRequests().map((r) => r.path)).toEqual([`/v1beta1/publishers/google/models/${GEMINI}`]);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const wrongKey = { ...credential, serviceAccount: { ...credential.serviceAccount, private_key: other } };
    const refused = await runKeyValidation(
      vertexProvider,
      { ...input, apiKey: JSON.stringify(wrongKey) },
      LOCAL_ENDPOINTS,
    );
    expect(refused).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
    expect(refused.detail).toContain('invalid_grant');
    expect(renderEverywhere(refused)).not.toContain(other.slice(40, 80));

    server.respond((request) =>
      request.path === '/token'
        ? { status: 200, body: { access_token: 'ya29.x', expires_in: 3600 } }
        : { status: 404, body: { error: { code: 404, status: 'NOT_FOUND' } } },
    );
    expect(await runKeyValidation(vertexProvider, input, LOCAL_ENDPOINTS)).toMatchObject({
      status: 'forbidden_model',
      httpStatus: 404,
    });
  });
});

describe('vertex: the credential in the vault', () => {
  const account = {
    type: 'service_account',
    project_id: 'acme-prod-42',
    private_key_id: 'abc123',
    private_key: PEM,
    client_email: EMAIL,
    client_id: '1234',
  };

  it('a bare service-account JSON is taken, sealed whole with the default location, and hinted by its e-mail', async () => {
    const { vault, owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'gcp', provider: 'vertex' });
    const view = await owner.setKey(cfg.id, JSON.stringify(account));
    expect(view.keyHint).toBe('byokit-tenant@acme-prod-42.iam...');
    const r = await vault.resolve({ tenantId: 'acme', provider: 'vertex' });
    expect(JSON.parse(r.key.reveal())).toStrictEqual({ serviceAccount: account, location: 'us-central1' });
    expect(renderEverywhere([view, r, await owner.listAudit()])).not.toContain(PEM.slice(40, 100));
  });

  it('a bad credential names its fields, never the private key', async () => {
    const { owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'gcp', provider: 'vertex' });
    const error = (await owner
      .setKey(cfg.id, {
        serviceAccount: { ...account, private_key: 'CANARY-not-a-pem-key-value' },
        location: 'Nowhere Land',
      })
      .catch((e: unknown) => e)) as { code: string; issues: { path: string }[] };
    expect(error.code).toBe('KEY_FORMAT_INVALID');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['location', 'serviceAccount.private_key']);
    expect(renderEverywhere(error)).not.toMatch(/CANARY|Nowhere/);
    const noProject = (await owner
      .setKey(cfg.id, { serviceAccount: { ...account, project_id: undefined } })
      .catch((e: unknown) => e)) as { issues: { path: string }[] };
    expect(noProject.issues.map((i) => i.path)).toEqual(['project']);
  });
});
