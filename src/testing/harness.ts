/**
 * Shared plumbing of the groups: a fresh store per test, page walkers and
 * the assertions several groups need.
 *
 * @module
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { AuditEvent, AuditQuery, ConfigQuery, ConfigRecord, StorageAdapter } from '../store/types.js';
import { makeAuditEventFor, makeConfigRecord } from './fixtures.js';
import type { StorageAdapterTestOptions, StoreUnderTest } from './types.js';
import { byokitMessage } from '../message.js';

/** The title of a group: `[conformance] <adapter> › <group>`. */
export function groupTitle(options: Pick<StorageAdapterTestOptions, 'name'>, group: string): string {
  return `[conformance] ${options.name} › ${group}`;
}

/**
 * Registers `beforeEach`/`afterEach` in the current `describe` so that each
 * test gets a fresh store, and returns an accessor for it.
 */
export function useStore(options: StorageAdapterTestOptions): () => StoreUnderTest {
  let current: StoreUnderTest | undefined;
  beforeEach(async () => {
    current = await options.createStore();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.cleanup?.();
  });
  return () => {
    if (!current) throw new Error(byokitMessage('testing', 'the store is only available inside a test'));
    return current;
  };
}

/** Creates a config (default values, overridable) with its `config.created` event. */
export async function createConfig(
  store: StorageAdapter,
  overrides: Partial<ConfigRecord> = {},
): Promise<ConfigRecord> {
  const record = makeConfigRecord(overrides);
  return store.createConfig(record, {
    audit: makeAuditEventFor(record, 'config.created', { changes: ['name'], detail: { name: record.name } }),
  });
}

/** Every config the query matches, walking all pages. Fails on a duplicate or a page over the limit. */
export async function allConfigs(
  store: StorageAdapter,
  tenantId: string,
  query: Omit<ConfigQuery, 'cursor'>,
): Promise<ConfigRecord[]> {
  const out: ConfigRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listConfigs(tenantId, cursor === undefined ? query : { ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    out.push(...page.items);
    if (page.nextCursor === null) break;
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor;
  }
  expect(new Set(out.map((r) => r.id)).size).toBe(out.length);
  return out;
}

/** Every audit event the query matches, walking all pages. Fails on a duplicate or a page over the limit. */
export async function allAudit(
  store: StorageAdapter,
  tenantId: string,
  query: Omit<AuditQuery, 'cursor'>,
): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listAudit(tenantId, cursor === undefined ? query : { ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    out.push(...page.items);
    if (page.nextCursor === null) break;
    expect(typeof page.nextCursor).toBe('string');
    cursor = page.nextCursor;
  }
  expect(new Set(out.map((e) => e.id)).size).toBe(out.length);
  return out;
}

/**
 * Awaits `promise` and checks it rejected with a `ConflictError` of `code`.
 * Compares by name and code rather than `instanceof`, so an adapter built
 * against another copy of byokit (ESM next to CJS) still passes.
 */
export async function expectConflict(
  promise: Promise<unknown>,
  code: 'NAME_TAKEN' | 'CONCURRENT_UPDATE',
): Promise<Error> {
  const error: unknown = await promise.then(
    () => {
      throw new Error(`expected ConflictError ${code}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe('ConflictError');
  expect((error as { code?: unknown }).code).toBe(code);
  return error as Error;
}

/** True when the record object carries a `sealedKey` property at all (even `undefined`). */
export function hasSealedKeyProperty(value: object): boolean {
  return Object.hasOwn(value, 'sealedKey');
}

/** The raw dump as a string, or `null` when the adapter gave none. */
export async function dumpOf(sut: StoreUnderTest): Promise<string | null> {
  if (!sut.rawDump) return null;
  const text = await sut.rawDump();
  expect(typeof text).toBe('string');
  return text;
}

/** Reason printed when a raw-look check is skipped. */
export const NO_RAW_DUMP = 'skipped when createStore returns no rawDump';

/** The sealed slots of a config without keys, for comparing a sealed read with a plain one. */
export const NO_SEALED_KEYS = Object.freeze({ sealedKey: null, pendingSealedKey: null, previousSealedKey: null });
