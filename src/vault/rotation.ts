/**
 * Re-wrapping stored keys under the primary KEK: one tenant
 * (`vault.rewrapKeys`) or the whole store (`vault.rotate`), and the
 * store's key count per KEK (`vault.keyringStatus`).
 *
 * Why it is resumable without a checkpoint: the walk reads only configs
 * that still hold a key under another KEK, and every write is a
 * compare-and-swap on what was read. Stopped anywhere (an abort, a killed
 * process, a lost connection), a run leaves each key either as it was or
 * re-wrapped, and the next run simply finds fewer keys to do.
 *
 * @module
 */
import { isByokitError } from '../errors.js';
import { rewrapSealed } from '../crypto/envelope.js';
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import type {
  Actor,
  SealedConfigRecord,
  ConfigPatch,
  KeyCount,
  Page,
  SealedKeySlot,
  SealedKeySwap,
  StoredKeyState,
} from '../store/types.js';
import { STORED_KEY_STATES } from '../store/types.js';
import { auditEvent, callStore, loadSealedConfig, sealContext, type VaultContext } from './context.js';
import { callDetached } from './hooks.js';

/** How often one key's rewrap is retried when concurrent writes keep replacing its key. */
const REWRAP_ATTEMPTS = 5;

/** Sealed keys read, re-wrapped and swapped per store round trip, unless the caller says otherwise. */
export const REWRAP_BATCH = 500;

/** Tenants of one page whose swaps are sent at once during a store-wide rotation. */
const TENANT_CONCURRENCY = 4;

/** One key a rewrap could not move: its config, its slot and why. */
export interface RewrapFailure {
  /** The tenant of the config. */
  tenantId: string;
  /** The config whose key could not be moved: re-enter its key. */
  configId: string;
  /** `active`, or the `pending` / `previous` key of a staged rotation. */
  slot: 'active' | 'pending' | 'previous';
  /** `KEY_UNDECRYPTABLE`, `KEK_UNKNOWN`, `DECRYPTION_FAILED`, `RECORD_MISMATCH`, ... */
  code: string;
}

/** Progress of {@link Vault.rotate}, reported after every batch. */
export interface RotationProgress {
  /** Keys handled so far: re-wrapped, failed, or found current already. */
  done: number;
  /** Keys under another KEK when the run started (a key written meanwhile can push `done` past it). */
  total: number;
  /** Keys re-wrapped so far. */
  rewrapped: number;
  /** Keys that could not be moved so far. */
  failures: number;
  /** Keys per second over the run so far. */
  rate: number;
  /** Milliseconds since the run started. */
  elapsedMs: number;
}

/** Options of `vault.rotate`. */
export interface RotateOptions {
  /** Stops the run after the batch in flight: what is done stays done; run again to finish. */
  signal?: AbortSignal;
  /** Configs per store round trip, 1..1000; default 500. */
  batchSize?: number;
  /** Called after every batch. A throw or rejection goes to `onHookError`, never into the run. */
  onProgress?: (progress: RotationProgress) => void;
  /** Recorded in each `key.rewrapped` event; `null` (a system action) by default. */
  actor?: Actor;
}

/** Outcome of `vault.rotate`. */
export interface RotationReport extends RotationProgress {
  /** Keys that could not be opened (their KEK is gone, or damaged): re-enter them. At most 1,000 listed. */
  failed: RewrapFailure[];
  /** `true` when the signal stopped the run before the walk ended. */
  aborted: boolean;
  /**
   * Keys still under another KEK when the run ended, as the store counts
   * them: 0 means an old KEK can leave the keyring (see `keyringStatus`).
   */
  remaining: number;
}

/** Keys of one KEK id, per state, in {@link KeyringStatus}. */
export interface KekUsage {
  /** The KEK id the sealed values name; `null` for sealed values that name none (damaged). */
  kekId: string | null;
  /** The keyring's primary: new seals and rotations go here. */
  primary: boolean;
  /** Whether the keyring holds this KEK: keys under a KEK it lacks can't be opened. */
  inKeyring: boolean;
  /** All keys it seals, every state and slot. */
  keys: number;
  /** Those keys per state (`active`, `disabled`, `expired`, `pending`, `previous`), every state listed, 0 when none. */
  byState: Record<StoredKeyState, number>;
}

/** Outcome of `vault.keyringStatus`. */
export interface KeyringStatus {
  /** The id of the keyring's primary KEK, which new seals and `rotate` use. */
  primaryKekId: string;
  /** The primary first, then the keyring's other KEKs (with 0 keys when unused), then KEK ids only the store names. */
  keks: KekUsage[];
  /** Every sealed key the store holds (a staged key counts on its own). */
  keys: number;
  /** Keys not under the primary KEK: what `rotate` still has to do. */
  notOnPrimary: number;
  /** Keys under a KEK the keyring lacks, or naming none: they can't be opened; re-enter them. */
  unreadable: number;
}

/** The slot names of a sealed read and how failures call them. */
const SLOT_NAMES: Record<SealedKeySlot, RewrapFailure['slot']> = {
  sealedKey: 'active',
  pendingSealedKey: 'pending',
  previousSealedKey: 'previous',
};

/** What became of one config in a rewrap: keys moved, keys that can't be, and whether it kept changing under us. */
interface RowOutcome {
  rewrapped: number;
  failed: RewrapFailure[];
  /** Still under another KEK after every attempt: concurrent writes kept changing it. */
  busy: number;
}

/** A rewrap's running totals, shared by the one-tenant and the store-wide walk. */
class Tally {
  rewrapped = 0;
  done = 0;
  busy = 0;
  failures = 0;
  readonly failed: RewrapFailure[] = [];

  add(outcome: RowOutcome, keys: number): void {
    this.rewrapped += outcome.rewrapped;
    this.busy += outcome.busy;
    this.failures += outcome.failed.length;
    this.done += keys;
    // Bounded: a store with a lost KEK could list every key.
    for (const failure of outcome.failed) if (this.failed.length < 1000) this.failed.push(failure);
  }
}

/** The slots of a row under another KEK than the primary (a sealed value naming none counts). */
function staleSlots(row: SealedConfigRecord, primary: string): SealedKeySlot[] {
  return (['sealedKey', 'pendingSealedKey', 'previousSealedKey'] as const).filter(
    (slot) => row[slot] !== null && sealedKekId(row[slot]) !== primary,
  );
}

/** The code of a failed open, as stable as the error allows. */
function failureCode(error: unknown): string {
  return isByokitError(error) ? error.code : 'DECRYPTION_FAILED';
}

/**
 * Re-wraps the keys of pages of sealed configs. Rows whose only stale key is
 * the active one (nearly all) go in one batched swap per tenant; a row
 * with a stale staged key is written whole, by revision.
 */
class Rewrapper {
  readonly #ctx: VaultContext;
  readonly #actor: Actor | null;
  readonly #primary: string;

  constructor(ctx: VaultContext, actor: Actor | null) {
    this.#ctx = ctx;
    this.#actor = actor;
    this.#primary = ctx.keyring.primaryKekId;
  }

  /** How many stale keys `rows` hold: what a batch counts as done. */
  staleKeys(rows: readonly SealedConfigRecord[]): number {
    return rows.reduce((sum, row) => sum + staleSlots(row, this.#primary).length, 0);
  }

  /** Re-wraps one tenant's rows of a page (read under `tenantId`). */
  async tenantRows(tenantId: string, rows: readonly SealedConfigRecord[]): Promise<RowOutcome> {
    const out: RowOutcome = { rewrapped: 0, failed: [], busy: 0 };
    const merge = (o: RowOutcome) => {
      out.rewrapped += o.rewrapped;
      out.busy += o.busy;
      out.failed.push(...o.failed);
    };
    const swaps: SealedKeySwap[] = [];
    for (const row of rows) {
      if (row.tenantId !== tenantId) {
        out.failed.push(
          ...staleSlots(row, this.#primary).map((slot) => ({
            tenantId,
            configId: row.id,
            slot: SLOT_NAMES[slot],
            code: 'RECORD_MISMATCH',
          })),
        );
        continue;
      }
      const slots = staleSlots(row, this.#primary);
      if (slots.length === 1 && slots[0] === 'sealedKey') {
        const swap = await this.#activeSwap(tenantId, row);
        if ('code' in swap) out.failed.push({ tenantId, configId: row.id, slot: 'active', code: swap.code });
        else swaps.push(swap);
      } else if (slots.length > 0) {
        merge(await this.#wholeRow(tenantId, row.id));
      }
    }
    const ctx = this.#ctx;
    const applied =
      swaps.length === 0 ? [] : await callStore(ctx, 'swapSealedKeys', () => ctx.store.swapSealedKeys(tenantId, swaps));
    for (const [i, swap] of swaps.entries()) {
      if (applied[i] === true) {
        out.rewrapped += 1;
        callDetached(ctx.auditSink, swap.audit, 'auditSink', ctx.onHookError);
      } else {
        // The key changed since the page was read: read its one row again.
        merge(await this.#wholeRow(tenantId, swap.id));
      }
    }
    return out;
  }

  #audit(tenantId: string, row: SealedConfigRecord, slots: readonly SealedKeySlot[], fromKekId: string | null) {
    return auditEvent(
      {
        tenantId,
        configId: row.id,
        actor: this.#actor,
        type: 'key.rewrapped',
        changes: slots.map((slot) => (slot === 'sealedKey' ? 'kekId' : slot)),
        keyHint: row.keyHint,
        detail: { fromKekId, toKekId: this.#primary },
      },
      this.#ctx.now(),
    );
  }

  /** The swap that moves a row's active key to the primary KEK, or why there is none. */
  async #activeSwap(tenantId: string, row: SealedConfigRecord): Promise<SealedKeySwap | { code: string }> {
    const sealed = row.sealedKey!;
    let to: string;
    try {
      to = await rewrapSealed(sealed, sealContext(tenantId, row.id, row), this.#ctx.keyring);
    } catch (error) {
      return { code: failureCode(error) };
    }
    const audit = this.#audit(tenantId, row, ['sealedKey'], sealedKekId(sealed));
    return { id: row.id, from: sealed, to, updatedAt: audit.at, audit };
  }

  /**
   * Re-wraps every stale slot of one row in one write: read it again,
   * re-wrap, update by revision; read again while other writes get in
   * between, up to {@link REWRAP_ATTEMPTS} times.
   */
  async #wholeRow(tenantId: string, id: string): Promise<RowOutcome> {
    const ctx = this.#ctx;
    for (let attempt = 0; attempt < REWRAP_ATTEMPTS; attempt++) {
      let row: SealedConfigRecord | null;
      try {
        row = await loadSealedConfig(ctx, tenantId, id);
      } catch (error) {
        if (isByokitError(error, 'RECORD_MISMATCH'))
          return { rewrapped: 0, busy: 0, failed: [{ tenantId, configId: id, slot: 'active', code: error.code }] };
        throw error;
      }
      const slots = row ? staleSlots(row, this.#primary) : [];
      if (!row || slots.length === 0) return { rewrapped: 0, failed: [], busy: 0 };
      const patch: ConfigPatch = {};
      const failed: RewrapFailure[] = [];
      for (const slot of slots) {
        try {
          patch[slot] = await rewrapSealed(row[slot]!, sealContext(tenantId, id, row), ctx.keyring);
        } catch (error) {
          failed.push({ tenantId, configId: id, slot: SLOT_NAMES[slot], code: failureCode(error) });
        }
      }
      const moved = slots.filter((slot) => patch[slot] !== undefined);
      if (moved.length === 0) return { rewrapped: 0, failed, busy: 0 };
      const audit = this.#audit(tenantId, row, moved, sealedKekId(row[moved[0]!]));
      if (moved.length === 1 && moved[0] === 'sealedKey') {
        // The active key alone: compare-and-swap on the value, so a rename meanwhile doesn't make it miss.
        const swap = { id, from: row.sealedKey!, to: patch.sealedKey!, updatedAt: audit.at, audit };
        const [applied] = await callStore(ctx, 'swapSealedKeys', () => ctx.store.swapSealedKeys(tenantId, [swap]));
        if (applied !== true) continue;
      } else {
        try {
          await callStore(ctx, 'updateConfig', () =>
            ctx.store.updateConfig(
              tenantId,
              id,
              { ...patch, updatedAt: audit.at },
              { audit, expectedRevision: row.revision },
            ),
          );
        } catch (error) {
          if (isByokitError(error, 'CONCURRENT_UPDATE')) continue;
          throw error;
        }
      }
      callDetached(ctx.auditSink, audit, 'auditSink', ctx.onHookError);
      return { rewrapped: moved.length, failed, busy: 0 };
    }
    return { rewrapped: 0, failed: [], busy: 1 };
  }
}

/** Outcome of `vault.rewrapKeys`. */
export interface RewrapReport {
  /** Keys this pass re-wrapped under the primary KEK. */
  rewrapped: number;
  /** Keys that could not be opened (their KEK is gone or they are damaged): re-enter them. */
  failed: Pick<RewrapFailure, 'configId' | 'code'>[];
  /**
   * Keys still wrapped by another KEK after this pass (the failed ones, and
   * any that kept changing under concurrent writes). Remove an old KEK from
   * the keyring only once every tenant reports `remaining: 0`.
   */
  remaining: number;
}

/** One tenant's rewrap: `vault.rewrapKeys`. */
export async function rewrapTenant(ctx: VaultContext, tenantId: string, actor: Actor | null): Promise<RewrapReport> {
  const rewrapper = new Rewrapper(ctx, actor);
  const tally = new Tally();
  const primary = ctx.keyring.primaryKekId;
  let cursor: string | undefined;
  do {
    const page = await callStore(ctx, 'listSealedConfigs', () =>
      ctx.store.listSealedConfigs(tenantId, {
        kekIdNot: primary,
        limit: REWRAP_BATCH,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    tally.add(await rewrapper.tenantRows(tenantId, page.items), rewrapper.staleKeys(page.items));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return {
    rewrapped: tally.rewrapped,
    failed: tally.failed.map(({ configId, code }) => ({ configId, code })),
    remaining: tally.failures + tally.busy,
  };
}

/** Keys not under `primary` in a count. */
function countNotOn(counts: readonly KeyCount[], primary: string): number {
  return counts.reduce((sum, line) => sum + (line.kekId === primary ? 0 : line.count), 0);
}

/** The store-wide rotation: `vault.rotate`. */
export async function rotateStore(
  ctx: VaultContext,
  options: { signal?: AbortSignal; batchSize: number; onProgress?: (p: RotationProgress) => void; actor: Actor | null },
): Promise<RotationReport> {
  const started = Date.now();
  const primary = ctx.keyring.primaryKekId;
  const now = () => ctx.now().toISOString();
  const total = countNotOn(
    await callStore(ctx, 'countKeysByKek', () => ctx.store.countKeysByKek({ now: now() })),
    primary,
  );
  const rewrapper = new Rewrapper(ctx, options.actor);
  const tally = new Tally();
  const progress = (): RotationProgress => {
    const elapsedMs = Date.now() - started;
    return {
      done: tally.done,
      total,
      rewrapped: tally.rewrapped,
      failures: tally.failures,
      rate: elapsedMs > 0 ? Math.round((tally.done * 1000) / elapsedMs) : 0,
      elapsedMs,
    };
  };
  let cursor: string | undefined;
  let aborted = false;
  do {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const page: Page<SealedConfigRecord> = await callStore(ctx, 'listSealedConfigsAcrossTenants', () =>
      ctx.store.listSealedConfigsAcrossTenants({
        kekIdNot: primary,
        limit: options.batchSize,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    // One batch per tenant of the page, a few tenants at a time: each tenant's swap is one round trip.
    const byTenant = new Map<string, SealedConfigRecord[]>();
    for (const row of page.items) {
      const list = byTenant.get(row.tenantId);
      if (list) list.push(row);
      else byTenant.set(row.tenantId, [row]);
    }
    const groups = [...byTenant];
    for (let i = 0; i < groups.length; i += TENANT_CONCURRENCY) {
      const outcomes = await Promise.all(
        groups.slice(i, i + TENANT_CONCURRENCY).map(([tenantId, rows]) => rewrapper.tenantRows(tenantId, rows)),
      );
      for (const [j, outcome] of outcomes.entries()) tally.add(outcome, rewrapper.staleKeys(groups[i + j]![1]));
    }
    callDetached(options.onProgress, progress(), 'onProgress', ctx.onHookError);
    cursor = page.nextCursor ?? undefined;
    // Give the event loop back between batches: with a store that answers synchronously (SQLite in
    // process), the host's requests (resolutions included) still get their turn during a long run.
    await new Promise((resolve) => setTimeout(resolve, 0));
  } while (cursor !== undefined);
  const remaining = countNotOn(
    await callStore(ctx, 'countKeysByKek', () => ctx.store.countKeysByKek({ now: now() })),
    primary,
  );
  return { ...progress(), failed: tally.failed, aborted, remaining };
}

/** The store's keys per KEK id and state: `vault.keyringStatus`. */
export async function keyringStatus(ctx: VaultContext): Promise<KeyringStatus> {
  const counts = await callStore(ctx, 'countKeysByKek', () =>
    ctx.store.countKeysByKek({ now: ctx.now().toISOString() }),
  );
  const primary = ctx.keyring.primaryKekId;
  const listed = (ctx.keyring as { kekIds?: unknown }).kekIds;
  const keyringIds = Array.isArray(listed) ? listed.filter((id): id is string => typeof id === 'string') : [primary];
  const usage = new Map<string | null, KekUsage>();
  const usageOf = (kekId: string | null): KekUsage => {
    let entry = usage.get(kekId);
    if (!entry) {
      const byState = Object.fromEntries(STORED_KEY_STATES.map((state) => [state, 0])) as Record<
        StoredKeyState,
        number
      >;
      entry = {
        kekId,
        primary: kekId === primary,
        inKeyring: kekId !== null && ctx.keyring.hasKek(kekId),
        keys: 0,
        byState,
      };
      usage.set(kekId, entry);
    }
    return entry;
  };
  for (const id of [primary, ...keyringIds]) usageOf(id);
  for (const line of counts) {
    const entry = usageOf(line.kekId);
    if (!(line.state in entry.byState) || !Number.isSafeInteger(line.count) || line.count < 0) continue;
    entry.byState[line.state] += line.count;
    entry.keys += line.count;
  }
  const keks = [...usage.values()];
  const keys = keks.reduce((sum, k) => sum + k.keys, 0);
  return {
    primaryKekId: primary,
    keks,
    keys,
    notOnPrimary: keys - (usage.get(primary)?.keys ?? 0),
    unreadable: keks.filter((k) => !k.inKeyring).reduce((sum, k) => sum + k.keys, 0),
  };
}
