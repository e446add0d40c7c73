// The Provider Hub's admin API over HTTP, as the page calls it: the real
// app on port 0, plain fetch, the SQLite file store (and PostgreSQL through
// DATABASE_URL), the stand-in provider. Every response body and every log
// line is kept, and the last test of each run checks that no key ever
// appeared in any of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_BY_CODE, errorAnswer } from './http-errors.js';
import { startHub, type RunningHub } from './hub.js';
import { PG_URL, describeWithServer } from '../../test/adapters/postgres/pg-server.js';

const GOOD_KEY = 'sk-demo-proj-GOOD00000000000000000000000a1B2';
const GOOD_KEY_2 = 'sk-demo-proj-SECOND000000000000000000000c3D4';
const BAD_KEY = 'sk-proj-REVOKED0000000000000000000000000e5F6';
const GLOBEX_KEY = 'sk-demo-proj-GLOBEX0000000000000000000000g7H8';
/** The stand-in answers this key with a 429 and `retry-after: 30`. */
const LIMITED_KEY = 'sk-demo-429-LIMITED000000000000000000000r4T5';
const INITECH_KEY = 'sk-demo-proj-INITECH000000000000000000000i9J0';
const ALL_KEYS = [GOOD_KEY, GOOD_KEY_2, BAD_KEY, GLOBEX_KEY, LIMITED_KEY, INITECH_KEY];
/** The distinctive middle of each key: no response or log may hold it, whatever the framing. */
const KEY_BODIES = ALL_KEYS.map((key) => key.slice(12, -4));

type Role = 'owner' | 'admin' | 'member';
interface Answer {
  status: number;
  body: any;
  text: string;
}

function describeHubApi(
  label: string,
  makeEnv: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>,
) {
  describe(`provider hub API (${label})`, () => {
    let hub: RunningHub;
    let cleanup: () => Promise<void>;
    const logLines: string[] = [];
    const responses: string[] = [];
    let openaiId: string;

    /** A request as `tenant`'s user with `role`; keeps every response body for the final leak check. */
    async function call(
      method: string,
      path: string,
      {
        tenant = 'acme',
        role = 'owner' as Role | null,
        body,
        raw,
      }: { tenant?: string; role?: Role | null; body?: unknown; raw?: string } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = {};
      if (role !== null)
        Object.assign(headers, { 'x-demo-tenant': tenant, 'x-demo-user': `${role}-of-${tenant}`, 'x-demo-role': role });
      if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${hub.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : raw !== undefined ? { body: raw } : {}),
      });
      const text = await response.text();
      const headerLines: string[] = [];
      response.headers.forEach((value, name) => void headerLines.push(`${name}: ${value}`));
      responses.push(`${headerLines.join('\n')}\n${text}`);
      return {
        status: response.status,
        body: text ? (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) : null,
        text,
      };
    }

    beforeAll(async () => {
      const made = await makeEnv();
      cleanup = made.cleanup;
      hub = await startHub({ env: { PORT: '0', ...made.env }, log: (line) => void logLines.push(line) });
    });

    afterAll(async () => {
      await hub?.close();
      await cleanup?.();
    });

    it('tells the page who is calling and what their role may do; no demo headers is 401', async () => {
      const owner = await call('GET', '/api/session');
      expect(owner.status).toBe(200);
      expect(owner.body).toStrictEqual({
        tenantId: 'acme',
        actor: { id: 'owner-of-acme', role: 'owner' },
        permissions: ['config:read', 'config:write', 'key:manage', 'config:delete', 'access:manage'],
      });
      expect((await call('GET', '/api/session', { role: 'admin' })).body.permissions).toStrictEqual([
        'config:read',
        'config:write',
        'key:manage',
        'access:manage',
      ]);
      expect((await call('GET', '/api/session', { role: 'member' })).body.permissions).toStrictEqual(['config:read']);
      const anonymous = await call('GET', '/api/session', { role: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
      const badTenant = await call('GET', '/api/session', { tenant: 'no spaces allowed' });
      expect(badTenant.status).toBe(400);
      expect(badTenant.body.error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: '(input)' }] });
    });

    it('lists the catalog of providers, unconfigured ones included', async () => {
      const answer = await call('GET', '/api/providers');
      expect(answer.status).toBe(200);
      expect(answer.body.providers.map((p: { id: string }) => p.id)).toStrictEqual([
        'openai',
        'anthropic',
        'google',
        'mistral',
      ]);
      expect(answer.body.providers[0]).toMatchObject({ label: 'OpenAI', configs: [] });
    });

    it('creates a config (201), refuses a bad body or unknown provider with the issues (400), a taken name (409)', async () => {
      const created = await call('POST', '/api/configs', { body: { name: 'OpenAI', provider: 'openai' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        tenantId: 'acme',
        name: 'OpenAI',
        provider: 'openai',
        keyState: 'missing',
        keyHint: null,
        isDefault: false,
        enabled: true,
      });
      openaiId = created.body.id;

      const invalid = await call('POST', '/api/configs', { body: { name: '', provider: 'openai', colour: 'red' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
      expect(invalid.body.error.issues).toStrictEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'name' }),
          expect.objectContaining({ message: 'unknown field(s): colour' }),
        ]),
      );
      expect(
        (await call('POST', '/api/configs', { body: { name: 'OpenAI', provider: 'openai' } })).body.error.code,
      ).toBe('NAME_TAKEN');
      expect((await call('POST', '/api/configs', { body: { name: 'OpenAI', provider: 'openai' } })).status).toBe(409);
      const unknown = await call('POST', '/api/configs', { body: { name: 'Other', provider: 'no-such-provider' } });
      expect([unknown.status, unknown.body.error.code, unknown.body.error.issues[0].path]).toStrictEqual([
        400,
        'VALIDATION_FAILED',
        'provider',
      ]);
    });

    it('sets a key and answers with its hint only; a malformed key is 422 and never echoed', async () => {
      const set = await call('PUT', `/api/configs/${openaiId}/key`, { body: { key: GOOD_KEY } });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ id: openaiId, keyHint: 'sk-...a1B2', keyState: 'active' });
      expect(set.text).not.toContain(GOOD_KEY.slice(3));

      const malformed = await call('PUT', `/api/configs/${openaiId}/key`, {
        body: { key: 'pk-not-an-openai-key-000000000000' },
      });
      expect([malformed.status, malformed.body.error.code]).toStrictEqual([422, 'KEY_FORMAT_INVALID']);
      expect(malformed.text).not.toContain('not-an-openai');
      const missing = await call('PUT', `/api/configs/${openaiId}/key`, { body: {} });
      expect([missing.status, missing.body.error.issues]).toStrictEqual([
        400,
        [{ path: 'key', message: 'must be a string' }],
      ]);
    });

    it('answers a body that is not JSON with 400 BAD_JSON, without quoting it', async () => {
      const answer = await call('PUT', `/api/configs/${openaiId}/key`, { raw: `{"key": ${BAD_KEY}}` });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toStrictEqual({ code: 'BAD_JSON', message: 'the request body is not valid JSON' });
      const huge = await call('PUT', `/api/configs/${openaiId}/key`, {
        body: { key: `sk-demo-${'x'.repeat(20_000)}` },
      });
      expect([huge.status, huge.body.error.code]).toStrictEqual([413, 'BODY_TOO_LARGE']);
    });

    it('validates the key against the stand-in: valid, then invalid after a replacement the provider refuses', async () => {
      const valid = await call('POST', `/api/configs/${openaiId}/validate`);
      expect(valid.status).toBe(200);
      expect(valid.body.result).toStrictEqual({ status: 'valid' });
      expect(valid.body.config).toMatchObject({ lastValidationStatus: 'valid', health: { state: 'ok' } });
      expect(Date.parse(valid.body.config.lastValidatedAt)).toBeGreaterThan(Date.now() - 60_000);

      const replaced = await call('PUT', `/api/configs/${openaiId}/key`, { body: { key: BAD_KEY } });
      expect(replaced.body.keyHint).toBe('sk-proj-...e5F6');
      const invalid = await call('POST', `/api/configs/${openaiId}/validate`);
      expect(invalid.body.result).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
      expect(invalid.body.config).toMatchObject({
        lastValidationStatus: 'invalid_key',
        health: { state: 'failing', failureCount: 1 },
      });
      expect(hub.standIn.calls.filter((c) => c.path === '/v1/models').map((c) => c.accepted)).toStrictEqual([
        true,
        false,
      ]);
    });

    it("says which key a request would use: the tenant's, then the platform's once it is disabled, with the trace", async () => {
      await call('PUT', `/api/configs/${openaiId}/key`, { body: { key: GOOD_KEY_2 } });
      const byok = await call('GET', '/api/resolve?provider=openai');
      expect(byok.body.resolution).toMatchObject({
        source: 'byok',
        configId: openaiId,
        configName: 'OpenAI',
        keyHint: 'sk-...c3D4',
      });
      expect(byok.body.resolution).not.toHaveProperty('key');

      const disabled = await call('PUT', `/api/configs/${openaiId}/enabled`, { body: { enabled: false } });
      expect(disabled.body).toMatchObject({ enabled: false, keyState: 'disabled' });
      const platform = await call('GET', '/api/resolve?provider=openai');
      expect(platform.body.resolution).toMatchObject({ source: 'platform', configId: null, keyHint: 'sk-...pf01' });
      expect(platform.body.resolution.trace).toStrictEqual([
        { step: 'byok', scope: '', configId: openaiId, configName: 'OpenAI', outcome: 'skipped', reason: 'disabled' },
        { step: 'platform', outcome: 'selected' },
      ]);

      await call('PUT', `/api/configs/${openaiId}/enabled`, { body: { enabled: true } });
      expect((await call('GET', '/api/resolve?provider=openai')).body.resolution.source).toBe('byok');
      const badQuery = await call('GET', '/api/resolve?provider=openai&tenantId=globex&colour=red');
      expect([badQuery.status, badQuery.body.error.code]).toStrictEqual([400, 'VALIDATION_FAILED']);
      const notBoolean = await call('PUT', `/api/configs/${openaiId}/enabled`, { body: { enabled: 'no' } });
      expect([notBoolean.status, notBoolean.body.error.issues[0].path]).toStrictEqual([400, 'enabled']);
    });

    it('answers "no key" as a resolution, not an error, where nothing applies', async () => {
      const none = await call('GET', '/api/resolve?provider=mistral');
      expect(none.status).toBe(200);
      expect(none.body.resolution).toBeNull();
      expect(none.body.trace.at(-1)).toMatchObject({ step: 'platform', outcome: 'skipped', reason: 'no_platform_key' });
    });

    it('sets and clears the default; a request naming no provider then uses it', async () => {
      const anthropic = await call('POST', '/api/configs', { body: { name: 'Anthropic', provider: 'anthropic' } });
      const made = await call('PUT', `/api/configs/${openaiId}/default`, { body: { isDefault: true } });
      expect(made.body.isDefault).toBe(true);
      const byDefault = await call('GET', '/api/resolve');
      expect(byDefault.body.resolution).toMatchObject({ source: 'byok', configId: openaiId });
      expect(byDefault.body.resolution.trace.at(-1)).toMatchObject({ step: 'default', outcome: 'selected' });
      const providers = await call('GET', '/api/providers');
      const openai = providers.body.providers.find((p: { id: string }) => p.id === 'openai');
      expect(openai.configs).toMatchObject([
        { id: openaiId, isDefault: true, keyHint: 'sk-...c3D4', keyState: 'active', lastValidationStatus: null },
      ]); // a new key has not been validated
      expect(
        (await call('PUT', `/api/configs/${openaiId}/default`, { body: { isDefault: false } })).body.isDefault,
      ).toBe(false);
      await call('DELETE', `/api/configs/${anthropic.body.id}`);
    });

    it('edits a config; a base URL the endpoint policy refuses is 400 and changes nothing', async () => {
      const edited = await call('PATCH', `/api/configs/${openaiId}`, { body: { model: 'gpt-4o-mini' } });
      expect([edited.status, edited.body.model]).toStrictEqual([200, 'gpt-4o-mini']);
      const refused = await call('PATCH', `/api/configs/${openaiId}`, {
        body: { baseUrl: 'http://169.254.169.254/v1' },
      });
      expect([refused.status, refused.body.error.code, refused.body.error.issues[0].path]).toStrictEqual([
        400,
        'VALIDATION_FAILED',
        'baseUrl',
      ]);
      expect((await call('GET', `/api/configs/${openaiId}`)).body).toMatchObject({
        baseUrl: null,
        model: 'gpt-4o-mini',
        revision: edited.body.revision,
      });
    });

    it('sends a test request with the resolved key; a refused key shows as failing', async () => {
      const ok = await call('POST', '/api/test-request', { body: { provider: 'openai' } });
      expect(ok.body).toMatchObject({
        ok: true,
        reply: 'Hello from the local stand-in provider.',
        resolution: { source: 'byok', keyHint: 'sk-...c3D4' },
      });
      const failing = await call('PUT', `/api/configs/${openaiId}/key`, { body: { key: BAD_KEY } });
      expect(failing.body.health.state).toBe('ok'); // a new key starts with a clean record
      const refused = await call('POST', '/api/test-request', { body: { provider: 'openai' } });
      expect(refused.body).toMatchObject({ ok: false, httpStatus: 401, resolution: { source: 'byok' } });
      await expect
        .poll(async () => (await call('GET', `/api/configs/${openaiId}`)).body.health.state, { timeout: 5_000 })
        .toBe('failing');
    });

    it('removes the key (the config stays, requests fall back) and deletes the config (204, then 404)', async () => {
      const removed = await call('DELETE', `/api/configs/${openaiId}/key`);
      expect(removed.body).toMatchObject({ id: openaiId, keyHint: null, keyState: 'missing' });
      expect((await call('GET', '/api/resolve?provider=openai')).body.resolution.source).toBe('platform');
      const noKey = await call('POST', `/api/configs/${openaiId}/validate`);
      expect(noKey.status).toBeGreaterThanOrEqual(400);

      const extra = await call('POST', '/api/configs', { body: { name: 'Scratch', provider: 'openai' } });
      const deleted = await call('DELETE', `/api/configs/${extra.body.id}`);
      expect([deleted.status, deleted.text]).toStrictEqual([204, '']);
      const gone = await call('GET', `/api/configs/${extra.body.id}`);
      expect([gone.status, gone.body.error.code]).toStrictEqual([404, 'NOT_FOUND']);
      const badId = await call('GET', '/api/configs/not-an-id');
      expect([badId.status, badId.body.error.code]).toStrictEqual([400, 'VALIDATION_FAILED']);
    });

    it('pages through the audit trail, newest first, and filters it', async () => {
      const first = await call('GET', '/api/audit?limit=3');
      expect(first.body.items).toHaveLength(3);
      expect(first.body.items[0]).toMatchObject({ type: 'config.deleted', actor: { id: 'owner-of-acme' } });
      const second = await call('GET', `/api/audit?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body.items).toHaveLength(3);
      expect(second.body.items[0].id < first.body.items[2].id).toBe(true);
      const validations = await call('GET', `/api/audit?type=key.validated&configId=${openaiId}`);
      expect(validations.body.items.map((e: { detail: { status: string } }) => e.detail.status)).toStrictEqual([
        'invalid_key',
        'valid',
      ]);
      const all = await call('GET', '/api/audit?limit=500');
      expect(all.body.items.map((e: { type: string }) => e.type)).toEqual(
        expect.arrayContaining([
          'config.created',
          'key.set',
          'key.replaced',
          'key.validated',
          'key.failing',
          'key.disabled',
          'key.enabled',
          'config.default_changed',
          'config.updated',
          'key.removed',
          'config.deleted',
        ]),
      );
      for (const query of ['limit=0', 'limit=lots', 'type=key.stolen', 'order=asc']) {
        const bad = await call('GET', `/api/audit?${query}`);
        expect([query, bad.status, bad.body.error.code]).toStrictEqual([query, 400, 'VALIDATION_FAILED']);
      }
    });

    it("lists the tenant's access keys by hint, never the token", async () => {
      const { secret } = await hub.vault
        .as({ tenantId: 'acme', actor: { id: 'owner-of-acme', role: 'owner' } })
        .createAccessKey({ name: 'Mobile app', providers: ['openai'] });
      const listed = await call('GET', '/api/access-keys');
      expect(listed.body.items).toMatchObject([
        { name: 'Mobile app', state: 'active', hint: String(secret), providers: ['openai'] },
      ]);
      expect(listed.text).not.toContain(secret.reveal().slice(12));
      expect((await call('GET', '/api/access-keys', { role: 'member' })).status).toBe(403);
    });

    it('enforces roles: a member reads only, an admin may not delete', async () => {
      const config = await call('POST', '/api/configs', {
        role: 'admin',
        body: { name: 'By admin', provider: 'openai' },
      });
      expect(config.status).toBe(201);
      const memberSet = await call('PUT', `/api/configs/${config.body.id}/key`, {
        role: 'member',
        body: { key: GOOD_KEY },
      });
      expect([memberSet.status, memberSet.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      expect(
        (await call('PUT', `/api/configs/${config.body.id}/default`, { role: 'member', body: { isDefault: true } }))
          .status,
      ).toBe(403);
      expect((await call('GET', '/api/providers', { role: 'member' })).status).toBe(200);
      expect((await call('GET', '/api/resolve?provider=openai', { role: 'member' })).status).toBe(200);
      const memberTest = await call('POST', '/api/test-request', { role: 'member', body: {} });
      expect([memberTest.status, memberTest.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      const adminDelete = await call('DELETE', `/api/configs/${config.body.id}`, { role: 'admin' });
      expect([adminDelete.status, adminDelete.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      expect((await call('DELETE', `/api/configs/${config.body.id}`)).status).toBe(204);
    });

    it("scopes everything to the caller's tenant: globex can't see or touch acme's configs", async () => {
      const acme = await call('POST', '/api/configs', { body: { name: 'Acme prod', provider: 'openai' } });
      await call('PUT', `/api/configs/${acme.body.id}/key`, { body: { key: GOOD_KEY } });
      const theirs = await call('POST', '/api/configs', {
        tenant: 'globex',
        body: { name: 'Globex prod', provider: 'openai' },
      });
      await call('PUT', `/api/configs/${theirs.body.id}/key`, { tenant: 'globex', body: { key: GLOBEX_KEY } });

      const globexList = await call('GET', '/api/configs', { tenant: 'globex' });
      expect(globexList.body.items.map((c: { name: string }) => c.name)).toStrictEqual(['Globex prod']);
      const globexProviders = await call('GET', '/api/providers', { tenant: 'globex' });
      expect(globexProviders.text).not.toContain(acme.body.id);
      for (const [method, path, body] of [
        ['GET', `/api/configs/${acme.body.id}`],
        ['PATCH', `/api/configs/${acme.body.id}`, { name: 'hijacked' }],
        ['PUT', `/api/configs/${acme.body.id}/key`, { key: GLOBEX_KEY }],
        ['POST', `/api/configs/${acme.body.id}/validate`],
        ['PUT', `/api/configs/${acme.body.id}/enabled`, { enabled: false }],
        ['PUT', `/api/configs/${acme.body.id}/default`, { isDefault: true }],
        ['DELETE', `/api/configs/${acme.body.id}/key`],
        ['DELETE', `/api/configs/${acme.body.id}`],
      ] as const) {
        const answer = await call(method, path, { tenant: 'globex', ...(body ? { body } : {}) });
        expect([method, path, answer.status, answer.body.error.code]).toStrictEqual([method, path, 404, 'NOT_FOUND']);
      }
      const globexAudit = await call('GET', '/api/audit?limit=500', { tenant: 'globex' });
      expect(new Set(globexAudit.body.items.map((e: { tenantId: string }) => e.tenantId))).toStrictEqual(
        new Set(['globex']),
      );
      expect((await call('GET', `/api/audit?configId=${acme.body.id}`, { tenant: 'globex' })).body.items).toStrictEqual(
        [],
      );
      expect((await call('GET', '/api/access-keys', { tenant: 'globex' })).body.items).toStrictEqual([]);
      const globexRoute = await call('GET', '/api/resolve?provider=openai', { tenant: 'globex' });
      expect(globexRoute.body.resolution).toMatchObject({ configId: theirs.body.id, keyHint: 'sk-...g7H8' });
      const acmeStill = await call('GET', `/api/configs/${acme.body.id}`);
      expect(acmeStill.body).toMatchObject({ name: 'Acme prod', keyHint: 'sk-...a1B2', enabled: true });
    });

    // Key pools and workload routes, in a tenant of their own (initech) so the tests above keep their counts.
    const pools: { primary: string; limited: string; spare: string; anthropic: string } = {
      primary: '',
      limited: '',
      spare: '',
      anthropic: '',
    };
    const initech = { tenant: 'initech' };
    const names = (pool: { members: { name: string }[] }) => pool.members.map((m) => m.name);

    it('lists key pools: members in failover order with key state, position, priority, weight, health, cooldown and availability', async () => {
      const make = async (name: string, provider: string, key: string | null, extra: Record<string, unknown> = {}) => {
        const config = await call('POST', '/api/configs', { ...initech, body: { name, provider, ...extra } });
        if (key) await call('PUT', `/api/configs/${config.body.id}/key`, { ...initech, body: { key } });
        return config.body.id as string;
      };
      pools.primary = await make('Primary', 'openai', INITECH_KEY, { isDefault: true });
      pools.limited = await make('Overflow', 'openai', LIMITED_KEY);
      pools.spare = await make('Spare', 'openai', null);
      pools.anthropic = await make('Claude', 'anthropic', null);

      const listed = await call('GET', '/api/pools', initech);
      expect(listed.status).toBe(200);
      expect(listed.body.pools.map((p: { provider: string }) => p.provider)).toStrictEqual(['anthropic', 'openai']);
      const openai = listed.body.pools[1];
      expect(openai).toMatchObject({ scope: '', provider: 'openai', policy: 'failover', policySet: false });
      // The default first, then the newest; a config that can't be chosen last, with no position.
      expect(openai.members).toStrictEqual([
        {
          configId: pools.primary,
          name: 'Primary',
          keyHint: 'sk-...i9J0',
          keyState: 'active',
          eligible: true,
          position: 0,
          priority: null,
          weight: 1,
          health: { state: 'ok', firstFailureAt: null, lastFailureAt: null, failureCount: 0 },
          cooldown: null,
          available: true,
          lastUsedAt: null,
        },
        expect.objectContaining({
          configId: pools.limited,
          name: 'Overflow',
          keyHint: 'sk-...r4T5',
          eligible: true,
          position: 1,
          available: true,
        }),
        expect.objectContaining({
          configId: pools.spare,
          name: 'Spare',
          keyHint: null,
          keyState: 'missing',
          eligible: false,
          position: null,
          available: false,
        }),
      ]);
      const one = await call('GET', '/api/pools?provider=anthropic', initech);
      expect(one.body.pools).toMatchObject([{ provider: 'anthropic', members: [{ name: 'Claude', eligible: false }] }]);
      expect((await call('GET', '/api/pools?scope=ws1', initech)).body.pools).toStrictEqual([]);
      for (const query of ['colour=red', 'provider=Not%20An%20Id', 'scope=a//b']) {
        const bad = await call('GET', `/api/pools?${query}`, initech);
        expect([query, bad.status, bad.body.error.code]).toStrictEqual([query, 400, 'VALIDATION_FAILED']);
      }
    });

    it('sets and removes a pool policy; bad input is 400 and writes nothing; a member may only read', async () => {
      const set = await call('PUT', '/api/pools/policy', {
        ...initech,
        body: {
          provider: 'openai',
          policy: 'failover',
          members: [
            { configId: pools.limited, priority: 0 },
            { configId: pools.primary, priority: 5 },
          ],
        },
      });
      expect(set.status).toBe(200);
      expect(set.body.policy).toStrictEqual({
        scope: '',
        provider: 'openai',
        policy: 'failover',
        members: [
          { configId: pools.limited, priority: 0 },
          { configId: pools.primary, priority: 5 },
        ],
      });
      expect(set.body.pool).toMatchObject({ provider: 'openai', policy: 'failover', policySet: true });
      expect(
        set.body.pool.members.map((m: { name: string; position: number | null; priority: number | null }) => [
          m.name,
          m.position,
          m.priority,
        ]),
      ).toStrictEqual([
        ['Overflow', 0, 0],
        ['Primary', 1, 5],
        ['Spare', null, null],
      ]);

      const weighted = await call('PUT', '/api/pools/policy', {
        ...initech,
        role: 'admin',
        body: { provider: 'openai', policy: 'weighted', members: [{ configId: pools.primary, weight: 3 }] },
      });
      expect(weighted.status).toBe(200); // an admin holds key:manage
      expect(weighted.body.pool.members.map((m: { weight: number }) => m.weight)).toStrictEqual([3, 1, 1]);

      for (const [body, path] of [
        [{ provider: 'openai', policy: 'random' }, 'policy'],
        [
          {
            provider: 'openai',
            policy: 'failover',
            members: [{ configId: pools.primary }, { configId: pools.primary }],
          },
          'members',
        ],
        [
          { provider: 'openai', policy: 'failover', members: [{ configId: pools.primary, priority: -1 }] },
          'members.0.priority',
        ],
        [
          { provider: 'openai', policy: 'weighted', members: [{ configId: pools.primary, weight: 1.5 }] },
          'members.0.weight',
        ],
        [{ provider: 'openai', policy: 'failover', members: [{ configId: pools.anthropic }] }, 'members.0.configId'], // another provider's config
        [{ provider: 'openai', policy: 'failover', colour: 'red' }, '(input)'],
        [{ policy: 'failover' }, 'provider'],
      ] as const) {
        const bad = await call('PUT', '/api/pools/policy', { ...initech, body });
        expect([path, bad.status, bad.body.error.code]).toStrictEqual([path, 400, 'VALIDATION_FAILED']);
        expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
      }
      const unchanged = await call('GET', '/api/pools?provider=openai', initech);
      expect(unchanged.body.pools[0]).toMatchObject({ policy: 'weighted', policySet: true });

      const memberSet = await call('PUT', '/api/pools/policy', {
        ...initech,
        role: 'member',
        body: { provider: 'openai', policy: 'round-robin' },
      });
      expect([memberSet.status, memberSet.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      const memberReset = await call('DELETE', '/api/pools/policy?provider=openai', { ...initech, role: 'member' });
      expect([memberReset.status, memberReset.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      expect((await call('GET', '/api/pools', { ...initech, role: 'member' })).body.pools[1].policy).toBe('weighted');

      const removed = await call('DELETE', '/api/pools/policy?provider=openai', initech);
      expect([removed.status, removed.body]).toStrictEqual([200, { removed: true }]);
      expect((await call('DELETE', '/api/pools/policy?provider=openai', initech)).body).toStrictEqual({
        removed: false,
      });
      const noProvider = await call('DELETE', '/api/pools/policy', initech);
      expect([noProvider.status, noProvider.body.error.issues[0].path]).toStrictEqual([400, 'provider']);
      expect((await call('GET', '/api/pools?provider=openai', initech)).body.pools[0]).toMatchObject({
        policy: 'failover',
        policySet: false,
      });
      const audit = await call('GET', '/api/audit?type=pool.changed', initech);
      expect(audit.body.items.map((e: { detail: { policy: string | null } }) => e.detail.policy)).toStrictEqual([
        null,
        'weighted',
        'failover',
      ]);
    });

    it("round-robin takes the pool's keys in turn; the trace names the policy", async () => {
      await call('PUT', '/api/pools/policy', { ...initech, body: { provider: 'openai', policy: 'round-robin' } });
      const chosen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const answer = await call('GET', '/api/resolve?provider=openai', initech);
        expect(answer.body.resolution.trace.at(-1)).toMatchObject({ outcome: 'selected', pool: 'round-robin' });
        chosen.push(answer.body.resolution.configName);
      }
      expect(chosen.slice().sort()).toStrictEqual(['Overflow', 'Overflow', 'Primary', 'Primary']);
      expect(chosen[0]).not.toBe(chosen[1]);
      await call('DELETE', '/api/pools/policy?provider=openai', initech);
    });

    it('a 429 cools the key down: the test request moves to the next key, and pools and resolve show the cooldown', async () => {
      await call('PUT', '/api/pools/policy', {
        ...initech,
        body: { provider: 'openai', policy: 'failover', members: [{ configId: pools.limited, priority: 0 }] },
      });
      const before = Date.now();
      const sent = await call('POST', '/api/test-request', { ...initech, body: { provider: 'openai' } });
      expect(sent.body).toMatchObject({
        ok: true,
        reply: 'Hello from the local stand-in provider.',
        resolution: { configId: pools.primary, keyHint: 'sk-...i9J0' },
      });
      expect(sent.body.resolution.trace).toStrictEqual([
        {
          step: 'retry',
          scope: '',
          configId: pools.limited,
          configName: 'Overflow',
          outcome: 'skipped',
          reason: 'rate_limited',
        },
        {
          step: 'byok',
          scope: '',
          configId: pools.primary,
          configName: 'Primary',
          outcome: 'selected',
          pool: 'failover',
        },
      ]);
      expect(hub.standIn.calls.filter((c) => c.rateLimited)).toHaveLength(1);

      const [pool] = (await call('GET', '/api/pools?provider=openai', initech)).body.pools;
      const overflow = pool.members.find((m: { configId: string }) => m.configId === pools.limited);
      expect(overflow).toMatchObject({
        position: 0,
        available: false,
        cooldown: { reason: 'rate_limited' },
        health: { state: 'ok' },
      });
      // The stand-in asks for 30 seconds.
      expect(Date.parse(overflow.cooldown.until)).toBeGreaterThanOrEqual(before + 29_000);
      expect(Date.parse(overflow.cooldown.until)).toBeLessThanOrEqual(Date.now() + 31_000);
      expect(pool.members.find((m: { configId: string }) => m.configId === pools.primary)).toMatchObject({
        available: true,
        cooldown: null,
      });

      const resolved = await call('GET', '/api/resolve?provider=openai', initech);
      expect(resolved.body.resolution).toMatchObject({ configId: pools.primary });
      expect(resolved.body.resolution.trace[0]).toMatchObject({
        step: 'pool',
        configId: pools.limited,
        outcome: 'skipped',
        reason: 'cooling_down',
        until: overflow.cooldown.until,
      });
      await call('DELETE', '/api/pools/policy?provider=openai', initech);
    });

    it('sets, lists and removes workload routes; resolve and test requests take a route; a deleted config leaves its route dangling', async () => {
      const set = await call('PUT', '/api/routes/batch', { ...initech, body: { configId: pools.limited } });
      expect([set.status, set.body]).toStrictEqual([
        200,
        { route: 'batch', scope: '', configId: pools.limited, configName: 'Overflow', provider: 'openai', state: 'ok' },
      ]);
      const byAdmin = await call('PUT', '/api/routes/embeddings', {
        ...initech,
        role: 'admin',
        body: { configId: pools.primary },
      });
      expect(byAdmin.status).toBe(200); // config:write

      const routed = await call('GET', '/api/resolve?provider=openai&route=batch', initech);
      expect(routed.body.resolution).toMatchObject({ configId: pools.limited, keyHint: 'sk-...r4T5' });
      expect(routed.body.resolution.trace).toStrictEqual([
        {
          step: 'route',
          route: 'batch',
          scope: '',
          configId: pools.limited,
          configName: 'Overflow',
          outcome: 'selected',
        },
      ]);
      const unrouted = await call('GET', '/api/resolve?provider=openai&route=vision', initech);
      expect(unrouted.body.resolution).toMatchObject({ configId: pools.primary });
      expect(unrouted.body.resolution.trace[0]).toStrictEqual({ step: 'route', route: 'vision', outcome: 'none' });
      // A routed test request uses the routed key: the stand-in rate-limits it, and a route has no other key to move to.
      const routedTest = await call('POST', '/api/test-request', {
        ...initech,
        body: { provider: 'openai', route: 'embeddings' },
      });
      expect(routedTest.body).toMatchObject({
        ok: true,
        resolution: { configId: pools.primary, trace: [{ step: 'route', route: 'embeddings', outcome: 'selected' }] },
      });
      const limitedTest = await call('POST', '/api/test-request', {
        ...initech,
        body: { provider: 'openai', route: 'batch' },
      });
      expect(limitedTest.body).toMatchObject({ ok: false, httpStatus: 429, resolution: { configId: pools.limited } });

      // A config deleted under its route: the route stays, marked dangling, and resolution passes it over.
      await call('PUT', `/api/configs/${pools.spare}/key`, { ...initech, body: { key: INITECH_KEY } });
      await call('PUT', '/api/routes/vision', { ...initech, body: { configId: pools.spare } });
      expect((await call('DELETE', `/api/configs/${pools.spare}`, initech)).status).toBe(204);
      const listed = await call('GET', '/api/routes', { ...initech, role: 'member' });
      expect(listed.body.routes).toStrictEqual([
        { route: 'batch', scope: '', configId: pools.limited, configName: 'Overflow', provider: 'openai', state: 'ok' },
        {
          route: 'embeddings',
          scope: '',
          configId: pools.primary,
          configName: 'Primary',
          provider: 'openai',
          state: 'ok',
        },
        { route: 'vision', scope: '', configId: pools.spare, configName: null, provider: null, state: 'dangling' },
      ]);
      const dangling = await call('GET', '/api/resolve?provider=openai&route=vision', initech);
      expect(dangling.body.resolution.trace[0]).toMatchObject({
        step: 'route',
        route: 'vision',
        outcome: 'skipped',
        reason: 'route_dangling',
      });
      expect(dangling.body.resolution.configId).toBe(pools.primary);

      for (const [path, body, status, code] of [
        ['/api/routes/Not%20A%20Name', { configId: pools.primary }, 400, 'VALIDATION_FAILED'],
        ['/api/routes/chat', { configId: 'cfg_nope' }, 400, 'VALIDATION_FAILED'],
        ['/api/routes/chat', { configId: pools.primary, colour: 'red' }, 400, 'VALIDATION_FAILED'],
        ['/api/routes/chat', { configId: pools.primary, scope: 'a//b' }, 400, 'VALIDATION_FAILED'],
        ['/api/routes/chat', { configId: 'cfg_00000000000000000000000000' }, 404, 'NOT_FOUND'],
        ['/api/routes/chat', { configId: pools.primary, scope: 'ws1' }, 200, undefined], // a tenant config serves a workspace
      ] as const) {
        const answer = await call('PUT', path, { ...initech, body });
        expect([path, answer.status, answer.body.error?.code]).toStrictEqual([path, status, code]);
      }
      const memberSet = await call('PUT', '/api/routes/chat', {
        ...initech,
        role: 'member',
        body: { configId: pools.primary },
      });
      expect([memberSet.status, memberSet.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      const memberRemove = await call('DELETE', '/api/routes/batch', { ...initech, role: 'member' });
      expect([memberRemove.status, memberRemove.body.error.code]).toStrictEqual([403, 'PERMISSION_DENIED']);
      const both = await call('GET', `/api/resolve?provider=openai&route=batch&config=${pools.primary}`, initech);
      expect([both.status, both.body.error.issues[0].path]).toStrictEqual([400, 'route']);

      expect((await call('GET', '/api/routes?scope=ws1', initech)).body.routes).toMatchObject([
        { route: 'chat', scope: 'ws1', state: 'ok' },
      ]);
      expect((await call('DELETE', '/api/routes/chat?scope=ws1', initech)).status).toBe(204);
      const removed = await call('DELETE', '/api/routes/vision', initech);
      expect([removed.status, removed.text]).toStrictEqual([204, '']);
      expect(
        (await call('GET', '/api/routes', initech)).body.routes.map((r: { route: string }) => r.route),
      ).toStrictEqual(['batch', 'embeddings']);
      expect((await call('GET', '/api/routes?colour=red', initech)).status).toBe(400);
      const audit = await call('GET', '/api/audit?type=route.changed&limit=1', initech);
      expect(audit.body.items[0].detail).toMatchObject({
        route: 'vision',
        configId: null,
        previousConfigId: pools.spare,
      });
    });

    it("keeps pools and routes to the caller's tenant: globex sees only its own and can't point at initech's configs", async () => {
      const globexPools = await call('GET', '/api/pools', { tenant: 'globex' });
      expect(globexPools.body.pools.map(names)).toStrictEqual([['Globex prod']]);
      expect(globexPools.text).not.toContain(pools.primary);
      expect((await call('GET', '/api/routes', { tenant: 'globex' })).body.routes).toStrictEqual([]);
      const route = await call('PUT', '/api/routes/batch', { tenant: 'globex', body: { configId: pools.primary } });
      expect([route.status, route.body.error.code]).toStrictEqual([404, 'NOT_FOUND']);
      const policy = await call('PUT', '/api/pools/policy', {
        tenant: 'globex',
        body: { provider: 'openai', policy: 'failover', members: [{ configId: pools.primary, priority: 0 }] },
      });
      expect([policy.status, policy.body.error.issues[0].path]).toStrictEqual([400, 'members.0.configId']);
      // Removing globex's (absent) route and policy leaves initech's alone.
      expect((await call('DELETE', '/api/routes/batch', { tenant: 'globex' })).status).toBe(204);
      expect((await call('DELETE', '/api/pools/policy?provider=openai', { tenant: 'globex' })).body).toStrictEqual({
        removed: false,
      });
      expect(
        (await call('GET', '/api/routes', initech)).body.routes.map((r: { route: string }) => r.route),
      ).toStrictEqual(['batch', 'embeddings']);
      const globexRouted = await call('GET', '/api/resolve?provider=openai&route=batch', { tenant: 'globex' });
      expect(globexRouted.body.resolution).toMatchObject({
        configName: 'Globex prod',
        trace: [{ step: 'route', outcome: 'none' }, expect.anything()],
      });
    });

    it('serves the page with a strict content security policy; unknown API routes are 404', async () => {
      const page = await call('GET', '/', { role: null });
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h1>Provider Hub</h1>');
      const response = await fetch(`${hub.url}/`);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      const unknown = await call('GET', '/api/nothing-here');
      expect([unknown.status, unknown.body.error.code]).toStrictEqual([404, 'NOT_FOUND']);
      // A key pasted into a URL by mistake is neither echoed nor logged (the final check looks).
      for (const path of [`/api/configs/${GOOD_KEY}`, `/api/${GOOD_KEY}?key=${GOOD_KEY}`, `/${GOOD_KEY}`]) {
        const misplaced = await call('GET', path);
        expect([path, misplaced.status]).toStrictEqual([path, path.startsWith('/api/configs/') ? 400 : 404]);
      }
      expect(logLines.at(-1)).toMatch(/^GET \/\* 404 \d+ms code=NOT_FOUND$/);
    });

    it('logged one line per request, and no key appeared in any response, header or log line', () => {
      expect(logLines.length).toBeGreaterThan(60);
      expect(logLines.some((line) => /^GET \/api\/session 401 \d+ms code=UNAUTHENTICATED$/.test(line))).toBe(true);
      expect(
        logLines.some((line) =>
          /^PUT \/api\/configs\/cfg_\w+\/key 200 \d+ms tenant=acme actor=owner-of-acme$/.test(line),
        ),
      ).toBe(true);
      expect(logLines.some((line) => line.includes(' 400 ') && line.endsWith('code=BAD_JSON'))).toBe(true);
      expect(
        logLines.some((line) =>
          /^PUT \/api\/pools\/policy 200 \d+ms tenant=initech actor=owner-of-initech$/.test(line),
        ),
      ).toBe(true);
      // A route name is the tenant's text: the log shows it as `*`, like any segment that isn't the hub's own word.
      expect(logLines.some((line) => /^PUT \/api\/routes\/\* 200 /.test(line))).toBe(true);
      const everything = [...responses, ...logLines].join('\n');
      for (const body of KEY_BODIES) expect(everything).not.toContain(body);
      expect(everything).not.toContain(`platform-0000000000000000`);
    });
  });
}

describeHubApi('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provider-hub-test-'));
  return { env: { HUB_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describeWithServer('provider hub on PostgreSQL', () => {
  describeHubApi('PostgreSQL via DATABASE_URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provider-hub-test-'));
    const schema = `provider_hub_test_${randomBytes(5).toString('hex')}`;
    return {
      env: { HUB_DATA_DIR: dir, DATABASE_URL: PG_URL, HUB_PG_SCHEMA: schema },
      cleanup: async () => {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        try {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

describe('the error mapping', () => {
  it('gives every byokit code a status, and anything else a generic 500 that quotes nothing', () => {
    expect(Object.values(STATUS_BY_CODE).every((status) => status >= 400 && status <= 599)).toBe(true);
    const internal = errorAnswer(new SyntaxError(`Unexpected token in JSON: "${GOOD_KEY}"`));
    expect(internal).toStrictEqual({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'the hub failed; see its log' } },
    });
  });
});
