/**
 * A vault with key pools on and a pool of openai keys in one scope, plus a
 * store wrapper that counts calls per method.
 */
import {
  keyPools,
  MemoryStore,
  type KeyPoolsOptions,
  type StorageAdapter,
  type VaultOptions,
} from '../../src/index.js';
import { makeVault } from '../vault/helpers.js';

/** A key per label that passes the openai key format. */
export const keyOf = (label: string) => `sk-proj-${label}${'0123456789abcdefghij'.slice(0, 24 - label.length)}KEY`;

/** Wraps a store so every method call is counted (by method name). */
export function counting<S extends StorageAdapter>(
  store: S,
): { store: S; calls: Map<string, number>; reset: () => void } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls, reset: () => calls.clear() };
}

/** A vault with pools on (facts read on every choice unless told), and `labels` keyed openai configs in `scope`. */
export async function poolVault<L extends string>(
  labels: L[],
  options: {
    pools?: KeyPoolsOptions;
    vault?: Partial<VaultOptions>;
    store?: StorageAdapter;
    scope?: string;
    baseUrl?: string | null;
  } = {},
) {
  const made = makeVault({
    store: options.store ?? new MemoryStore(),
    pools: keyPools({ factsTtlMs: 0, ...options.pools }),
    allowPrivateEndpoints: ['127.0.0.1'],
    ...options.vault,
  });
  const ids = {} as Record<L, string>;
  for (const label of labels) {
    const cfg = await made.owner.createConfig({
      name: label,
      provider: 'openai',
      scope: options.scope ?? '',
      baseUrl: options.baseUrl ?? null,
    });
    await made.owner.setKey(cfg.id, keyOf(label));
    ids[label] = cfg.id;
  }
  const labelOf = (configId: string | null) =>
    (Object.entries(ids) as [L, string][]).find(([, id]) => id === configId)?.[0] ?? 'platform';
  return { ...made, ids, labelOf };
}
