import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS, startFakeServer, type FakeServer } from '../providers/fake-server.js';
import { CANARY, CANARY_HINT, expectNoSecret, makeVault, renderEverywhere } from './helpers.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());

async function setup() {
  const ctx = makeVault(LOCAL_ENDPOINTS);
  const cfg = await ctx.owner.createConfig({
    name: 'prod',
    provider: 'openai',
    model: 'gpt-4o',
    baseUrl: `${server.url}/v1`,
  });
  await ctx.owner.setKey(cfg.id, CANARY);
  return { ...ctx, cfg };
}

describe('admin.validateKey (the cheapest live call, recorded)', () => {
  it('a working key: valid, recorded on the config and in the audit trail', async () => {
    server.respond((req) =>
      req.path === '/v1/models'
        ? { body: { object: 'list', data: [] } }
        : { body: { id: 'gpt-4o', object: 'model', created: 0, owned_by: 'openai' } },
    );
    const { owner, cfg } = await setup();
    const before = server.requests.length;
    const result = await owner.validateKey(cfg.id);
    expect(result.status).toBe('valid');
    expect(result.config).toMatchObject({ lastValidationStatus: 'valid', keyHint: CANARY_HINT });
    expect(Date.parse(result.config.lastValidatedAt!)).not.toBeNaN();
    const sent = server.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models', 'GET /v1/models/gpt-4o']);
    expect(sent.every((r) => r.headers.authorization === `Bearer ${CANARY}`)).toBe(true);
    const [event] = (await owner.listAudit({ type: 'key.validated' })).items;
    expect(event).toMatchObject({
      configId: cfg.id,
      actor: { id: 'owner-1' },
      keyHint: CANARY_HINT,
      detail: { status: 'valid' },
    });
  });

  it('a rejected key: invalid_key with the HTTP status, and no key anywhere', async () => {
    server.respond(() => ({
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${CANARY}`, code: 'invalid_api_key' } },
    }));
    const { owner, cfg } = await setup();
    const result = await owner.validateKey(cfg.id);
    expect(result).toMatchObject({
      status: 'invalid_key',
      httpStatus: 401,
      config: { lastValidationStatus: 'invalid_key' },
    });
    const audit = await owner.listAudit();
    expectNoSecret(renderEverywhere([result, audit]));
  });

  it('a model the key may not use: forbidden_model', async () => {
    server.respond((req) =>
      req.path === '/v1/models'
        ? { body: { object: 'list', data: [] } }
        : { status: 404, body: { error: { message: 'The model does not exist' } } },
    );
    const { owner, cfg } = await setup();
    expect((await owner.validateKey(cfg.id)).status).toBe('forbidden_model');
  });

  it('needs key:manage, and a config without key is NOT_FOUND', async () => {
    const { vault, owner, cfg } = await setup();
    const member = vault.as({ tenantId: 'acme', actor: { id: 'm', role: 'member' } });
    await expect(member.validateKey(cfg.id)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      permission: 'key:manage',
    });
    await owner.removeKey(cfg.id);
    await expect(owner.validateKey(cfg.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
