/**
 * A vault with the outcome loop on, every hook recorded, and one keyed
 * config per test pointed at a local server.
 */
import { expect } from 'vitest';
import {
  createClient,
  type AuditEvent,
  type ConfigOptions,
  type KeyHealthEvent,
  type Outcome,
  type Resolution,
  type VaultOptions,
} from '../../src/index.js';
import { makeVault, renderEverywhere } from '../vault/helpers.js';

export const LOCAL = ['127.0.0.1'];

export function outcomeVault(overrides: Partial<VaultOptions> = {}) {
  const outcomes: Outcome[] = [];
  const health: KeyHealthEvent[] = [];
  const audit: AuditEvent[] = [];
  const hookErrors: Array<{ hook: string; error: unknown }> = [];
  const made = makeVault({
    allowPrivateEndpoints: LOCAL,
    onUsage: (outcome) => void outcomes.push(outcome),
    keyHealth: { flushIntervalMs: 60_000 },
    onKeyHealth: (event) => void health.push(event),
    auditSink: (event) => void audit.push(event),
    onHookError: (error, hook) => void hookErrors.push({ hook, error }),
    ...overrides,
  });
  return { ...made, outcomes, health, audit, hookErrors };
}

export type OutcomeVault = ReturnType<typeof outcomeVault>;

export interface KeyedConfig {
  provider: string;
  key: string;
  baseUrl: string | null;
  options?: ConfigOptions;
  name?: string;
  scope?: string;
}

/** Creates the config, sets its key, resolves it: the resolution and the config id. */
export async function keyed(
  setup: OutcomeVault,
  config: KeyedConfig,
): Promise<{ resolution: Resolution; configId: string }> {
  const created = await setup.owner.createConfig({
    name: config.name ?? `${config.provider}-${Math.random().toString(36).slice(2, 8)}`,
    provider: config.provider,
    baseUrl: config.baseUrl,
    scope: config.scope ?? '',
    ...(config.options ? { options: config.options } : {}),
  });
  await setup.owner.setKey(created.id, config.key);
  const resolution = await setup.vault.resolve({ tenantId: 'acme', scope: config.scope ?? '', config: created.id });
  return { resolution, configId: created.id };
}

/** The client for a resolution, with the SDK's retries as given. */
export function clientFor(
  resolution: Resolution,
  expect: string,
  clientOptions: Record<string, unknown> = {},
): Promise<unknown> {
  return createClient(resolution, { expect, clientOptions, allowPrivateEndpoints: LOCAL });
}

/** Waits until `check` passes (background health writes), up to ~2 s. */
export async function eventually(check: () => void | Promise<void>): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 200; i++) {
    try {
      await check();
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw last;
}

/**
 * Fails if any text of `values` holds the key (or any 8 characters of its
 * secret part) or any of the `secrets` (a prompt, a completion).
 */
export function expectNothingSecret(values: unknown, key: string, secrets: readonly string[]): void {
  const text = renderEverywhere(values);
  const start = key.indexOf('CANARY');
  const secretPart = start >= 0 ? key.slice(start) : key;
  for (let i = 0; i + 8 <= secretPart.length; i++) {
    const run = secretPart.slice(i, i + 8);
    if (text.includes(run))
      throw new Error(
        `key material "${run}" in: ${text.slice(Math.max(0, text.indexOf(run) - 200), text.indexOf(run) + 200)}`,
      );
  }
  for (const secret of secrets) expect(text).not.toContain(secret);
}
