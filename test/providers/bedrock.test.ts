import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import bedrockProvider from '../../src/providers/bedrock.js';
import { createClient } from '../../src/providers/create-client.js';
import { runKeyValidation } from '../../src/providers/validate.js';
import { Secret } from '../../src/secret.js';
import { makeVault, renderEverywhere } from '../vault/helpers.js';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer } from './fake-server.js';
import { authorizationParts, expectedSignature } from './sigv4.js';

const credential = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEYWXYZ',
  sessionToken: 'FwoGZXIvYXdzECANARYSESSIONtoken0123456789abcdef',
  region: 'eu-west-3',
};
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const converseAnswer = {
  output: { message: { role: 'assistant', content: [{ text: 'hi there' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
  metrics: { latencyMs: 10 },
};
const messagesAnswer = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: MODEL,
  content: [{ type: 'text', text: 'hi there' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 2 },
};
const PLATFORM_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAPLATFORMFROMENV00',
  AWS_SECRET_ACCESS_KEY: 'platform-secret-from-env',
  AWS_SESSION_TOKEN: 'platform-session-from-env',
  AWS_BEARER_TOKEN_BEDROCK: 'platform-bearer-from-env',
  AWS_REGION: 'us-west-2',
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9/platform-from-env',
  ANTHROPIC_BEDROCK_BASE_URL: 'http://127.0.0.1:9/platform-from-env',
  ANTHROPIC_CUSTOM_HEADERS: 'X-Gateway: gateway-from-env',
};

const source = (options: Record<string, string> = {}, baseUrl: string | null = null, key = credential) => ({
  provider: 'bedrock',
  baseUrl,
  model: MODEL,
  options,
  key: new Secret(JSON.stringify(key), 'AKIA...MPLE'),
});

describe('bedrock', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer();
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
    vi.unstubAllEnvs();
  });

  /** The request carries a SigV4 signature made with the tenant's keys, for its region and Bedrock. */
  function expectSignedByTenant() {
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    const parts = authorizationParts(request);
    expect(parts).toMatchObject({ accessKeyId: credential.accessKeyId, region: credential.region, service: 'bedrock' });
    expect(parts.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
    expect(request.headers['x-amz-security-token']).toBe(credential.sessionToken);
    expect(parts.signature).toBe(expectedSignature(request, credential.secretAccessKey));
    // The check can fail: another secret gives another signature.
    expect(parts.signature).not.toBe(expectedSignature(request, `${credential.secretAccessKey.slice(0, -1)}Q`));
    expect(Object.values(request.headers).join('\n')).not.toContain('from-env');
    return request;
  }

  it('BedrockRuntimeClient: Converse goes to the base URL, SigV4-signed with the tenant credential (no env credential, no bearer token)', async () => {
    for (const [name, value] of Object.entries(PLATFORM_ENV)) vi.stubEnv(name, value);
    server.respond(() => ({ status: 200, body: converseAnswer }));
    const client = await createClient(source({}, server.url), { ...LOCAL_ENDPOINTS, expect: 'bedrock' });
    const answer = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(answer.output?.message?.content?.[0]?.text).toBe('hi there');
    const request = expectSignedByTenant();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
  });

  it("AnthropicBedrock (sdk: 'anthropic'): Messages goes to /model/{model}/invoke, SigV4-signed with the tenant credential", async () => {
    for (const [name, value] of Object.entries(PLATFORM_ENV)) vi.stubEnv(name, value);
    server.respond(() => ({ status: 200, body: messagesAnswer }));
    const client = await createClient(source({ sdk: 'anthropic' }, server.url), {
      ...LOCAL_ENDPOINTS,
      expect: 'bedrock-anthropic',
      clientOptions: { maxRetries: 0 },
    });
    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.content[0]).toMatchObject({ text: 'hi there' });
    const request = expectSignedByTenant();
    expect(decodeURIComponent(request.path)).toBe(`/model/${MODEL}/invoke`);
    expect(request.headers['x-gateway']).toBeUndefined();
  });

  it("without a base URL, both clients go to bedrock-runtime in the credential's region", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'http://127.0.0.1:9/platform-from-env');
    const aws = (await createClient(source(), 'bedrock')) as BedrockRuntimeClient;
    const endpoint = await aws.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}`).toBe('https://bedrock-runtime.eu-west-3.amazonaws.com');
    const anthropic = await createClient(source(), 'bedrock-anthropic');
    expect(anthropic.baseURL).toBe('https://bedrock-runtime.eu-west-3.amazonaws.com');
  });

  it('the endpoint policy applies: a loopback base URL is refused unless allowed; a redirect is not followed', async () => {
    await expect(createClient(source({}, server.url), 'bedrock')).rejects.toMatchObject({ code: 'ENDPOINT_REFUSED' });
    server.respond(() => ({ status: 307, headers: { location: 'http://127.0.0.1:9/elsewhere' } }));
    const client = await createClient(source({}, server.url), {
      ...LOCAL_ENDPOINTS,
      expect: 'bedrock',
      clientOptions: { maxAttempts: 1 },
    });
    await expect(
      client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
    ).rejects.toMatchObject({
      code: 'REDIRECT_REFUSED',
    });
  });

  it.each<[Record<string, string>]>([[{}], [{ sdk: 'anthropic' }]])(
    'validateKey (%o): 400 -> valid; refused signature -> invalid_key; access denied on the model -> forbidden_model',
    async (options) => {
      const input = { apiKey: JSON.stringify(credential), baseUrl: server.url, model: MODEL, options };
      const awsError = (status: number, type: string) => () => ({
        status,
        headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
        body: { message: `echo ${credential.secretAccessKey}` },
      });
      server.respond(awsError(400, 'ValidationException'));
      expect(await runKeyValidation(bedrockProvider, input, LOCAL_ENDPOINTS)).toEqual({ status: 'valid' });
      expect(authorizationParts(server.requests[0]!).signature).toBe(
        expectedSignature(server.requests[0]!, credential.secretAccessKey),
      );
      server.respond(awsError(403, 'UnrecognizedClientException'));
      const refused = await runKeyValidation(bedrockProvider, input, LOCAL_ENDPOINTS);
      expect(refused).toMatchObject({ status: 'invalid_key', httpStatus: 403 });
      expect(renderEverywhere(refused)).not.toContain(credential.secretAccessKey);
      server.respond(awsError(403, 'AccessDeniedException'));
      expect(await runKeyValidation(bedrockProvider, input, LOCAL_ENDPOINTS)).toMatchObject({
        status: 'forbidden_model',
        httpStatus: 403,
      });
      server.respond(awsError(429, 'ThrottlingException'));
      expect(await runKeyValidation(bedrockProvider, input, LOCAL_ENDPOINTS)).toMatchObject({
        status: 'rate_limited',
        httpStatus: 429,
      });
    },
  );
});

describe('bedrock: the credential in the vault', () => {
  it('setKey takes the object, seals it whole, hints it by the access key id, and reveals it to createClient only', async () => {
    const { vault, owner, store } = makeVault();
    const cfg = await owner.createConfig({ name: 'aws', provider: 'bedrock', model: MODEL });
    const view = await owner.setKey(cfg.id, credential);
    expect(view.keyHint).toBe('AKIA...MPLE');
    expect(view.keyState).toBe('active');
    const r = await vault.resolve({ tenantId: 'acme', provider: 'bedrock' });
    expect(r.keyHint).toBe('AKIA...MPLE');
    expect(JSON.parse(r.key.reveal())).toStrictEqual(credential);
    const audit = await owner.listAudit();
    for (const shown of [view, r, audit, await store.loadSealedConfig('acme', cfg.id)]) {
      const text = renderEverywhere(shown);
      expect(text).not.toContain(credential.secretAccessKey);
      expect(text).not.toContain(credential.sessionToken);
    }
    // JSON text is taken too.
    expect((await owner.setKey(cfg.id, JSON.stringify({ ...credential, sessionToken: undefined }))).keyHint).toBe(
      'AKIA...MPLE',
    );
  });

  it('a bad credential is a typed error naming each bad field, never its value, and nothing is written', async () => {
    const { owner } = makeVault();
    const cfg = await owner.createConfig({ name: 'aws', provider: 'bedrock' });
    const bad = {
      accessKeyId: 'not-an-aws-key-CANARYID',
      secretAccessKey: 'has spaces CANARY secret value',
      region: 'Mars',
    };
    const error = (await owner.setKey(cfg.id, bad).catch((e: unknown) => e)) as Error & {
      code: string;
      issues: { path: string }[];
    };
    expect(error.name).toBe('CredentialInvalidError');
    expect(error.code).toBe('KEY_FORMAT_INVALID');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['accessKeyId', 'region', 'secretAccessKey']);
    expect(renderEverywhere(error)).not.toMatch(/CANARY|Mars/);
    expect(
      await owner.setKey(cfg.id, { ...credential, extra: 'x' }).catch((e: { issues: unknown }) => e.issues),
    ).toEqual([expect.objectContaining({ path: '(credential)' })]);
    for (const notAnObject of ['AKIAIOSFODNN7EXAMPLE', '[1,2]']) {
      expect(await owner.setKey(cfg.id, notAnObject).catch((e: { code: string }) => e.code)).toBe('KEY_FORMAT_INVALID');
    }
    expect((await owner.getConfig(cfg.id)).keyState).toBe('missing');
  });
});
