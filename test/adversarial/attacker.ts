/**
 * What the attacks of the adversarial suite share: the attacker's server
 * (a local HTTP server that records whatever reaches it), a way to collect
 * an attempt's outcome, and the look for leaked plaintext.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { Keyring, createVault, type StorageAdapter, type VaultOptions } from '../../src/index.js';
import { expectNoSecret, renderEverywhere } from '../vault/helpers.js';

/** A server standing in for the attacker's: every request that reaches it is recorded, headers included. */
export interface AttackerServer {
  /** `http://127.0.0.1:<port>/v1` */
  url: string;
  received: string[];
  close(): Promise<void>;
}

export async function attackerServer(): Promise<AttackerServer> {
  const received: string[] = [];
  const server = createServer((request, response) => {
    received.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)}`);
    request.resume();
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"unauthorized"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The outcome of one attempt: its value, or the error it failed with. */
export async function attempt(
  run: () => Promise<unknown>,
): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Checks an attempt failed with `code`, and that nothing it showed holds a piece of `secret`. */
export async function expectRefused(run: () => Promise<unknown>, code: string, secret: string): Promise<void> {
  const outcome = await attempt(run);
  if (outcome.ok)
    expect.fail(`expected ${code}, but the attempt succeeded with ${renderEverywhere(outcome.value).slice(0, 300)}`);
  expect((outcome.error as { code?: unknown }).code, String(outcome.error)).toBe(code);
  expectNoPlaintext(renderEverywhere(outcome.error), secret);
}

/** Fails if any 8-character piece of the key (past its public `sk-proj-` prefix) appears in `text`. */
export function expectNoPlaintext(text: string, key: string): void {
  expectNoSecret(text, key.replace(/^sk-proj-/, ''));
}

/**
 * A vault over `store` as a platform would run it: a platform key for
 * openai (so a silent fallback would show), any endpoint allowed (so an
 * attack fails on the vault's own checks, not on a URL policy).
 */
export function platformVault(store: StorageAdapter, overrides: Partial<VaultOptions> = {}) {
  return createVault({
    store,
    keyring: Keyring.fromKeys([{ id: 'k1', key: new Uint8Array(32).fill(1) }]),
    platformKeys: { openai: PLATFORM_KEY },
    allowPrivateEndpoints: ['127.0.0.1'],
    ...overrides,
  });
}

/** The platform's own key in these attacks. */
export const PLATFORM_KEY = 'sk-proj-PLATFORMplatform000000000000000001';

/** A fresh tenant's key, with a random middle so a leak can't be a coincidence. */
export function canaryKey(): string {
  return `sk-proj-CANARY${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 12)}Zz9`;
}
