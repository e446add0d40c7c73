/**
 * The vault side of the loop, driven through vault.report (the same
 * pipeline instrumented clients feed): onUsage, key health transitions,
 * write-behind of last use, close(), and the report's own checks.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MemoryStore,
  createVault,
  isByokitError,
  type KeyHealthChange,
  type KeyHealthResult,
  type KeyHealthWriteOptions,
  type OutcomeReport,
} from '../../src/index.js';
import { CANARY, CANARY_HINT } from '../vault/helpers.js';
import { eventually, expectNothingSecret, keyed, outcomeVault } from './helpers.js';

/** A memory store that counts health writes. */
class CountingStore extends MemoryStore {
  healthWrites: KeyHealthChange[] = [];
  override async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    options: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    this.healthWrites.push(change);
    return super.recordKeyHealth(tenantId, configId, change, options);
  }
}

const refused: OutcomeReport = {
  status: 'auth_failed',
  httpStatus: 401,
  providerCode: 'invalid_api_key',
  latencyMs: 12,
};
const fine: OutcomeReport = { status: 'ok', httpStatus: 200, latencyMs: 40, inputTokens: 10, outputTokens: 20 };

async function setupKeyed(overrides: Parameters<typeof outcomeVault>[0] = {}) {
  const setup = outcomeVault(overrides);
  const { resolution, configId } = await keyed(setup, {
    provider: 'openai',
    key: CANARY,
    baseUrl: 'https://api.example.test/v1',
  });
  return { ...setup, resolution, configId };
}

describe('vault.report', () => {
  it('feeds onUsage with the outcome and who made the call', async () => {
    const { vault, resolution, configId, outcomes } = await setupKeyed({
      now: () => new Date('2026-05-05T05:05:05.000Z'),
    });
    vault.report(resolution, { ...fine, model: 'gpt-4o-mini', attempt: 1 });
    vault.report(resolution, {
      status: 'server_error',
      httpStatus: 503,
      latencyMs: 3,
      retryAfter: 2,
      at: '2026-05-05T06:00:00+01:00',
    });
    expect(outcomes).toStrictEqual([
      {
        tenantId: 'acme',
        scope: '',
        configId,
        accessKeyId: null,
        source: 'byok',
        provider: 'openai',
        status: 'ok',
        httpStatus: 200,
        latencyMs: 40,
        inputTokens: 10,
        outputTokens: 20,
        attempt: 1,
        model: 'gpt-4o-mini',
        at: '2026-05-05T05:05:05.000Z',
        via: 'report',
      },
      {
        tenantId: 'acme',
        scope: '',
        configId,
        accessKeyId: null,
        source: 'byok',
        provider: 'openai',
        status: 'server_error',
        httpStatus: 503,
        latencyMs: 3,
        retryAfter: 2,
        model: null,
        at: '2026-05-05T05:00:00.000Z',
        via: 'report',
      },
    ]);
  });

  it('refuses a resolution this vault did not hand out: another vault’s, a hand-built one', async () => {
    const { vault, resolution, outcomes } = await setupKeyed();
    const other = await setupKeyed();
    for (const foreign of [
      other.resolution,
      { ...other.resolution, tenantId: 'acme' },
      { provider: 'openai', tenantId: 'acme' },
      null,
    ]) {
      let error: unknown;
      try {
        vault.report(foreign as typeof resolution, fine);
      } catch (e) {
        error = e;
      }
      expect(isByokitError(error, 'VALIDATION_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/^\[byokit\] \[vault\] invalid report: resolution/);
    }
    expect(outcomes).toStrictEqual([]);
  });

  it('takes a copy of its resolution, attributed by the original: a copy can’t move a report to another tenant or config', async () => {
    const { vault, resolution, configId, outcomes } = await setupKeyed();
    vault.report(
      { ...resolution, tenantId: 'someone-else', configId: 'cfg_00000000000000000000000000', model: 'override' },
      fine,
    );
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ tenantId: 'acme', configId, source: 'byok' });
  });

  it('refuses a malformed report with the paths of its problems, and never a field for prompts or completions', async () => {
    const { vault, resolution, outcomes } = await setupKeyed();
    const attempts: unknown[] = [
      { status: 'weird', latencyMs: 1 },
      { status: 'ok' },
      { status: 'ok', latencyMs: -1 },
      { status: 'ok', latencyMs: 1, inputTokens: 1.5 },
      { status: 'ok', latencyMs: 1, httpStatus: 99 },
      { status: 'ok', latencyMs: 1, providerCode: `leaked ${CANARY}` },
      { status: 'ok', latencyMs: 1, prompt: 'PROMPT-CANARY' },
      'ok',
    ];
    const errors = attempts.map((report) => {
      try {
        vault.report(resolution, report as OutcomeReport);
        return null;
      } catch (error) {
        return error as Error & { issues: Array<{ path: string }> };
      }
    });
    expect(errors.map((e) => e?.issues.map((i) => i.path))).toStrictEqual([
      ['status'],
      ['latencyMs'],
      ['latencyMs'],
      ['inputTokens'],
      ['httpStatus'],
      ['providerCode'],
      ['(input)'],
      ['(input)'],
    ]);
    for (const error of errors) expect(isByokitError(error, 'VALIDATION_FAILED')).toBe(true);
    expectNothingSecret(errors, CANARY, ['PROMPT-CANARY']);
    expect(outcomes).toStrictEqual([]);
  });

  it('a hook that throws goes to onHookError; the report returns normally', async () => {
    const { vault, resolution, hookErrors } = await setupKeyed({
      onUsage: () => {
        throw new Error('meter down');
      },
    });
    expect(() => vault.report(resolution, fine)).not.toThrow();
    expect(hookErrors.map((e) => [e.hook, (e.error as Error).message])).toStrictEqual([['onUsage', 'meter down']]);
  });
});

describe('key health from traffic', () => {
  it('an auth failure marks the key failing at once: view, audit event, onKeyHealth; the config and its resolution are untouched', async () => {
    const store = new CountingStore();
    const { vault, owner, resolution, configId, health, audit } = await setupKeyed({ store });
    const before = await owner.getConfig(configId);
    vault.report(resolution, refused);
    await eventually(() => expect(health).toHaveLength(1));
    expect(health[0]).toMatchObject({
      tenantId: 'acme',
      configId,
      provider: 'openai',
      keyHint: CANARY_HINT,
      transition: 'failing',
      via: 'traffic',
      status: 'auth_failed',
      httpStatus: 401,
      providerCode: 'invalid_api_key',
      health: { state: 'failing', failureCount: 1 },
    });
    const view = await owner.getConfig(configId);
    expect(view.health).toMatchObject({ state: 'failing', failureCount: 1, firstFailureAt: expect.any(String) });
    expect(view.revision).toBe(before.revision);
    expect(view.updatedAt).toBe(before.updatedAt);
    const [event] = (await owner.listAudit({ type: 'key.failing' })).items;
    expect(event).toMatchObject({
      configId,
      actor: null,
      keyHint: CANARY_HINT,
      changes: ['health'],
      detail: { via: 'traffic', status: 'auth_failed', httpStatus: 401, providerCode: 'invalid_api_key' },
    });
    expect(audit.map((e) => e.type)).toContain('key.failing');
    // A present key is never swapped because it fails (rule 7).
    const again = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(again.configId).toBe(configId);
    expect(again.key.reveal()).toBe(CANARY);
    expectNothingSecret({ health, audit, view }, CANARY, []);
  });

  it('further failures of a failing key are written behind, once per interval; a later success recovers it at once', async () => {
    const store = new CountingStore();
    const { vault, owner, resolution, configId, health } = await setupKeyed({
      store,
      keyHealth: { flushIntervalMs: 60_000 },
    });
    vault.report(resolution, refused);
    await eventually(() => expect(store.healthWrites).toHaveLength(1));
    for (let i = 0; i < 50; i++) vault.report(resolution, refused);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.healthWrites).toHaveLength(1);
    vault.report(resolution, fine);
    await eventually(() => expect(health.map((e) => e.transition)).toStrictEqual(['failing', 'recovered']));
    expect(store.healthWrites).toHaveLength(2);
    // The success was written with the 50 failures it followed: counted, then cleared by the later success.
    expect(store.healthWrites[1]).toMatchObject({ failures: { count: 50 }, successAt: expect.any(String) });
    expect((await owner.getConfig(configId)).health).toMatchObject({
      state: 'ok',
      failureCount: 0,
      lastFailureAt: expect.any(String),
    });
    expect((await owner.listAudit({ type: 'key.recovered' })).items).toHaveLength(1);
  });

  it('last use is written behind: no write per call, one per key per interval, the latest time, flushed by close()', async () => {
    const store = new CountingStore();
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const now = () => new Date(clock);
    const { vault, resolution, configId } = await setupKeyed({ store, now, keyHealth: { flushIntervalMs: 40 } });
    for (let i = 0; i < 100; i++) {
      clock += 1000;
      vault.report(resolution, fine);
    }
    expect(store.healthWrites).toHaveLength(0);
    await eventually(() => expect(store.healthWrites).toHaveLength(1));
    expect(store.healthWrites[0]).toStrictEqual({
      keySetAt: expect.any(String),
      usedAt: '2026-01-01T00:01:40.000Z',
      successAt: '2026-01-01T00:01:40.000Z',
    });
    clock += 1000;
    vault.report(resolution, { status: 'network', latencyMs: 5 });
    clock += 1000;
    vault.report(resolution, { status: 'rate_limited', httpStatus: 429, latencyMs: 5 });
    await vault.close();
    expect(store.healthWrites).toHaveLength(2);
    expect(store.healthWrites[1]).toStrictEqual({ keySetAt: expect.any(String), usedAt: '2026-01-01T00:01:42.000Z' });
    // Read through another vault on the same store (this one is closed).
    const reader = createVault({ store, keyring: (await import('../../src/index.js')).Keyring.generate('k9') });
    const view = await reader.as({ tenantId: 'acme', actor: { id: 'u', role: 'owner' } }).getConfig(configId);
    expect(view.lastUsedAt).toBe('2026-01-01T00:01:42.000Z');
  });

  it('memory stays bounded: news about more keys than maxPendingKeys waits for nobody', async () => {
    const store = new CountingStore();
    const setup = outcomeVault({ store, keyHealth: { flushIntervalMs: 60_000, maxPendingKeys: 2 } });
    const resolutions = [];
    for (let i = 0; i < 4; i++)
      resolutions.push(
        (
          await keyed(setup, {
            provider: 'openai',
            key: `${CANARY}${i}`,
            baseUrl: 'https://api.example.test/v1',
            name: `k${i}`,
          })
        ).resolution,
      );
    for (const r of resolutions) setup.vault.report(r, fine);
    await setup.vault.close();
    expect(store.healthWrites).toHaveLength(2);
    expect(setup.outcomes).toHaveLength(4);
  });

  it('a new key starts clean: the old key’s failure is not shown, and late news about the old key does not mark the new one', async () => {
    const { vault, owner, resolution, configId, health } = await setupKeyed();
    vault.report(resolution, refused);
    await eventually(() => expect(health).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 2));
    await owner.setKey(configId, `${CANARY}new`);
    expect((await owner.getConfig(configId)).health).toStrictEqual({
      state: 'ok',
      firstFailureAt: null,
      lastFailureAt: null,
      failureCount: 0,
    });
    vault.report(resolution, refused);
    await vault.close();
    expect(health).toHaveLength(1);
  });

  it('two vaults (two processes) reporting failures of one key at once lose no count, and one transition is reported', async () => {
    const store = new MemoryStore();
    const a = outcomeVault({ store });
    const { resolution, configId } = await keyed(a, {
      provider: 'openai',
      key: CANARY,
      baseUrl: 'https://api.example.test/v1',
    });
    const b = outcomeVault({ store, keyring: a.keyring });
    const resolutionB = await b.vault.resolve({ tenantId: 'acme', provider: 'openai' });
    for (let i = 0; i < 10; i++) {
      a.vault.report(resolution, refused);
      b.vault.report(resolutionB, refused);
    }
    await Promise.all([a.vault.close(), b.vault.close()]);
    expect(a.health.length + b.health.length).toBe(1);
    const reader = outcomeVault({ store, keyring: a.keyring });
    expect((await reader.owner.getConfig(configId)).health).toMatchObject({ state: 'failing', failureCount: 20 });
  });

  it('a failing health write goes to onHookError and never to the call', async () => {
    class BrokenHealthStore extends MemoryStore {
      override async recordKeyHealth(): Promise<KeyHealthResult | null> {
        throw new Error('disk full');
      }
    }
    const { vault, resolution, hookErrors } = await setupKeyed({ store: new BrokenHealthStore() });
    expect(() => vault.report(resolution, refused)).not.toThrow();
    await eventually(() => expect(hookErrors.map((e) => e.hook)).toStrictEqual(['keyHealth']));
    expect(isByokitError(hookErrors[0]!.error, 'STORE_FAILED')).toBe(true);
  });

  it('without key health on, reports reach onUsage only: no health write', async () => {
    const store = new CountingStore();
    const { vault, resolution, outcomes } = await setupKeyed({ store, keyHealth: false, onKeyHealth: undefined });
    vault.report(resolution, refused);
    await vault.close();
    expect(outcomes).toHaveLength(1);
    expect(store.healthWrites).toStrictEqual([]);
  });
});

describe('validation and key health', () => {
  it('keeps the last valid check apart from the last attempt: a failed check leaves lastValidAt, a valid one clears failing', async () => {
    const { createServer } = await import('node:http');
    let status = 200;
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"object":"list","data":[]}' : '{"error":{"code":"invalid_api_key"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
    try {
      let clock = Date.parse('2026-02-01T00:00:00.000Z');
      const setup = outcomeVault({ now: () => new Date((clock += 1000)) });
      const { configId } = await keyed(setup, { provider: 'openai', key: CANARY, baseUrl: url });
      const valid = await setup.owner.validateKey(configId);
      expect(valid.config).toMatchObject({ lastValidationStatus: 'valid', health: { state: 'ok' } });
      const validAt = valid.config.lastValidAt;
      expect(validAt).not.toBeNull();
      status = 429;
      const limited = await setup.owner.validateKey(configId);
      expect(limited.config).toMatchObject({ lastValidationStatus: 'rate_limited', lastValidAt: validAt });
      expect(limited.config.lastValidatedAt! > validAt!).toBe(true);
      status = 401;
      const invalid = await setup.owner.validateKey(configId);
      expect(invalid.config).toMatchObject({
        lastValidationStatus: 'invalid_key',
        lastValidAt: validAt,
        health: { state: 'failing', failureCount: 1 },
      });
      status = 200;
      const back = await setup.owner.validateKey(configId);
      expect(back.config).toMatchObject({ health: { state: 'ok' } });
      expect(back.config.lastValidAt! > validAt!).toBe(true);
      expect(setup.health.map((e) => [e.transition, e.via, e.status])).toStrictEqual([
        ['failing', 'validation', 'invalid_key'],
        ['recovered', 'validation', undefined],
      ]);
    } finally {
      server.close();
    }
  });
});

describe('vault.close', () => {
  it('refuses every later call with VAULT_CLOSED, through handles made before too; closing twice is fine', async () => {
    const { vault, owner, resolution } = await setupKeyed();
    await vault.close();
    await vault.close();
    const refusals = [
      await vault.resolve({ tenantId: 'acme', provider: 'openai' }).catch((e: unknown) => e),
      await owner.getConfig('cfg_01JD0000000000000000000001').catch((e: unknown) => e),
      await owner.listConfigs().catch((e: unknown) => e),
      await vault.rewrapKeys({ tenantId: 'acme' }).catch((e: unknown) => e),
      await vault.revalidate({ tenantIds: ['acme'], olderThan: 0 }).catch((e: unknown) => e),
      (() => {
        try {
          vault.report(resolution, fine);
        } catch (e) {
          return e;
        }
      })(),
      (() => {
        try {
          vault.as({ tenantId: 'acme', actor: { id: 'u' } });
        } catch (e) {
          return e;
        }
      })(),
    ];
    for (const error of refusals) {
      expect(isByokitError(error, 'VAULT_CLOSED')).toBe(true);
      expect((error as Error).message).toMatch(/^\[byokit\] \[vault\] the vault is closed/);
    }
  });

  it('its timer never keeps a host process alive', async () => {
    const script = fileURLToPath(new URL('./fixtures/exits-with-pending-news.ts', import.meta.url));
    const started = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', script],
        { cwd: fileURLToPath(new URL('../../', import.meta.url)), timeout: 20_000 },
        (_error, out) => resolve({ code: child.exitCode, stdout: out }),
      );
    });
    expect(stdout.trim()).toBe('pending news held');
    expect(code).toBe(0);
    // The write-behind interval is 10 minutes: the process ended long before it.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
