import { inspect } from 'node:util';
import { expect } from 'vitest';
import { Keyring, MemoryStore, createVault, type StorageAdapter, type VaultOptions } from '../../src/index.js';

/** A key no test output, error, view or event may ever contain (nor a long piece of it). */
export const CANARY = 'sk-proj-CANARYcanary0123456789abcdefXYZW';
export const CANARY_HINT = 'sk-proj-...XYZW';

export function makeVault<S extends StorageAdapter = MemoryStore>(
  overrides: Partial<Omit<VaultOptions, 'store'>> & { store?: S } = {},
) {
  const store = (overrides.store ?? new MemoryStore()) as S;
  const keyring = overrides.keyring ?? Keyring.generate('k1');
  const vault = createVault({ store, keyring, ...overrides });
  const owner = vault.as({ tenantId: 'acme', actor: { id: 'owner-1', role: 'owner' } });
  return { vault, store, keyring, owner };
}

/** Every way a value can reach a log: string, JSON, inspect (deep, hidden), stack and cause chain. */
export function renderEverywhere(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown) => {
    if (v === null || v === undefined || seen.has(v)) return;
    seen.add(v);
    parts.push(inspect(v, { depth: 10, showHidden: true, getters: true }));
    try {
      parts.push(JSON.stringify(v) ?? '');
    } catch {
      /* cyclic */
    }
    try {
      parts.push(String(v));
    } catch {
      /* no toString */
    }
    if (v instanceof Error) {
      parts.push(v.message, String(v.stack));
      visit((v as { cause?: unknown }).cause);
    }
  };
  visit(value);
  return parts.join('\n');
}

/** Fails if any 8-character piece of `secret` appears in `text`. */
export function expectNoSecret(text: string, secret: string = CANARY.slice('sk-proj-'.length)): void {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (text.includes(piece)) expect.fail(`found "${piece}" of the secret in output`);
  }
}

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function refusal(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => expect.fail('expected a refusal'),
    (error: unknown) => error as Error & { code?: string },
  );
}
