import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Keyring, Secret, keyHint, type AuditEvent } from '../../src/index.js';
import { CANARY, CANARY_HINT, expectNoSecret, makeVault, renderEverywhere } from './helpers.js';

describe('Secret', () => {
  it('prints, serialises and inspects as its hint; reveal() gives the key', () => {
    const s = new Secret(CANARY, CANARY_HINT);
    const shown = [
      String(s),
      `${s}`,
      `${s}`,
      JSON.stringify({ s }),
      inspect(s),
      inspect({ nested: { s } }, { depth: 5, showHidden: true }),
    ].join(' ');
    expectNoSecret(shown);
    expect(`${s}`).toBe(CANARY_HINT);
    expect(inspect(s)).toBe(`Secret(${CANARY_HINT})`);
    expect(JSON.stringify({ s })).toBe(`{"s":"${CANARY_HINT}"}`);
    expect(s.reveal()).toBe(CANARY);
    expect(Object.keys(s)).toEqual(['hint']);
  });

  it('hints show the public prefix and last four, and no tail for short keys', () => {
    expect(keyHint('sk-proj-abcdefghijklmnop7xQ2', ['sk-', 'sk-proj-'])).toBe('sk-proj-...7xQ2');
    expect(keyHint('abcdefghijklmnop7xQ2')).toBe('...7xQ2');
    expect(keyHint('short-key')).toBe('...****');
  });
});

describe('a canary key never leaks (rules 1 and 2)', () => {
  it('not through views, resolutions, traces, audit events, errors or the sink', async () => {
    const sunk: AuditEvent[] = [];
    const { vault, owner, store } = makeVault({ auditSink: (e) => void sunk.push(e), platformKeys: {} });
    const outputs: unknown[] = [];
    const record = (v: unknown) => outputs.push(v);
    const cfg = await owner.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o' });
    record(await owner.setKey(cfg.id, CANARY));
    record(await owner.getConfig(cfg.id));
    record(await owner.listConfigs());
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    expect(r.key.reveal()).toBe(CANARY);
    record(r);
    record(r.trace);
    record(await owner.updateConfig(cfg.id, { name: 'renamed' }));
    record(await owner.setEnabled(cfg.id, false));
    record(await vault.resolve({ tenantId: 'acme', provider: 'openai' }).catch((e: unknown) => e));
    record(await owner.setKey(cfg.id, `${CANARY} with a space`).catch((e: unknown) => e));
    record(
      await vault.resolve({ tenantId: 'acme', provider: 'openai', bogus: CANARY } as never).catch((e: unknown) => e),
    );
    record(
      await owner.createConfig({ name: 'x', provider: 'openai', apiKey: CANARY } as never).catch((e: unknown) => e),
    );
    await owner.setEnabled(cfg.id, true);
    const lost = makeVault({ store, keyring: Keyring.generate('gone') });
    record(await lost.vault.resolve({ tenantId: 'acme', provider: 'openai' }).catch((e: unknown) => e));
    record(await lost.owner.updateConfig(cfg.id, { baseUrl: 'https://elsewhere.example/v1' }).catch((e: unknown) => e));
    await owner.removeKey(cfg.id);
    const audit = await owner.listAudit({ limit: 100 });
    record(audit);
    await new Promise((r) => setImmediate(r));
    record(sunk);
    expect(audit.items.length).toBeGreaterThanOrEqual(5);
    expect(sunk.length).toBe(audit.items.length);
    expect(outputs.filter((o) => o instanceof Error).length).toBe(6);
    expectNoSecret(renderEverywhere(outputs));
    // Behind the adapter, only the sealed form was ever stored.
    expectNoSecret(JSON.stringify(store.inspectRaw('acme')));
  });
});
