/**
 * `vault.revalidate`: re-checks stored keys whose last validation attempt
 * is older than a cut-off, for a host's scheduler (a nightly job), a few at
 * a time, with progress and a summary. Each check is `validateKey`: it
 * records the attempt, and the key's health (a valid key recovers, a
 * refused one starts failing).
 *
 * @module
 */
import { isByokitError } from '../errors.js';
import type { Actor, ValidationStatus } from '../store/types.js';
import { callStore, hasKey, type VaultContext } from '../vault/context.js';
import { TenantVault } from '../vault/tenant-vault.js';
import { keyStateOf } from '../vault/views.js';

/** Options of `vault.revalidate`. */
export interface RevalidateOptions {
  /**
   * The tenants to walk. The storage contract has no store-wide listing of
   * tenants (yet), so the host, which knows its tenants, names them.
   */
  tenantIds: readonly string[];
  /** Re-check keys whose last validation attempt is older than this many milliseconds (never validated: always). */
  olderThan: number;
  /** Checks at once (default 4, at most 32): each is a live call to the provider. */
  concurrency?: number;
  /** Bound on each check (as `validateKey`'s `timeoutMs`; default 10 s). */
  timeoutMs?: number;
  /** Stops starting new checks when aborted; the summary then says `aborted: true`. */
  signal?: AbortSignal;
  /** Called after each check, with the summary so far. A throw from it is ignored: the walk goes on. */
  onProgress?: (progress: RevalidateProgress) => void;
  /** Recorded in the audit events of the checks (default `{ id: 'byokit:revalidate' }`). */
  actor?: Actor;
}

/** Counts of a revalidation so far. */
export interface RevalidateSummary {
  /** Keys checked (each with a status). */
  checked: number;
  /** Checks by status: `valid`, `invalid_key`, `forbidden_model`, `rate_limited`, `unreachable`, `unexpected`. */
  byStatus: Record<ValidationStatus, number>;
  /** Keys that could not be checked, with the error code (`KEY_UNDECRYPTABLE`, `NOT_FOUND` for a config deleted meanwhile, ...). */
  failed: {
    /** The tenant of the key. */
    tenantId: string;
    /** Its config. */
    configId: string;
    /** The byokit error code of the failure. */
    code: string;
  }[];
  /** Stale keys not checked because they are disabled, expired or can't be opened with this keyring. */
  skipped: number;
  /** The signal stopped the walk before its end. */
  aborted: boolean;
}

/** One finished check, with the summary so far. */
export interface RevalidateProgress {
  /** The tenant of the key checked. */
  tenantId: string;
  /** The config of the key checked. */
  configId: string;
  /** The validation status, or `null` when the check failed (see `summary.failed`). */
  status: ValidationStatus | null;
  /** The summary so far. */
  summary: RevalidateSummary;
}

function emptySummary(): RevalidateSummary {
  return {
    checked: 0,
    byStatus: { valid: 0, invalid_key: 0, forbidden_model: 0, rate_limited: 0, unreachable: 0, unexpected: 0 },
    failed: [],
    skipped: 0,
    aborted: false,
  };
}

/** @internal The body of `vault.revalidate`, with parsed options. */
export async function revalidateKeys(
  ctx: VaultContext,
  options: RevalidateOptions & { concurrency: number },
): Promise<RevalidateSummary> {
  const { tenantIds, olderThan, concurrency, timeoutMs, signal, onProgress } = options;
  // Clamped at the epoch: any `olderThan` longer than that means "every key".
  const cutoff = new Date(Math.max(0, ctx.now().getTime() - olderThan)).toISOString();
  const summary = emptySummary();
  // The checks run as a system job: allowed to validate, nothing else.
  const system: VaultContext = {
    ...ctx,
    authorize: (_actor, permission, context) => permission === 'key:manage' && context.action === 'validateKey',
  };
  const actor = options.actor ?? { id: 'byokit:revalidate' };

  async function* due(): AsyncGenerator<{ tenantId: string; configId: string }> {
    for (const tenantId of tenantIds) {
      let cursor: string | undefined;
      do {
        const page = await callStore(ctx, 'listConfigs', () =>
          ctx.store.listConfigs(tenantId, { limit: 100, ...(cursor === undefined ? {} : { cursor }) }),
        );
        for (const record of page.items) {
          if (
            record.tenantId !== tenantId ||
            !hasKey(record) ||
            (record.lastValidatedAt !== null && record.lastValidatedAt >= cutoff)
          )
            continue;
          if (keyStateOf(record, ctx.keyring, ctx.now()) === 'active') yield { tenantId, configId: record.id };
          else summary.skipped += 1;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
  }

  const queue = due();
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted) {
        summary.aborted = true;
        return;
      }
      const next = await queue.next();
      if (next.done) return;
      const { tenantId, configId } = next.value;
      let status: ValidationStatus | null = null;
      try {
        status = (
          await new TenantVault(system, tenantId, actor).validateKey(
            configId,
            timeoutMs === undefined ? {} : { timeoutMs },
          )
        ).status;
        summary.checked += 1;
        summary.byStatus[status] += 1;
      } catch (error) {
        if (isByokitError(error, 'VAULT_CLOSED')) throw error;
        summary.failed.push({ tenantId, configId, code: isByokitError(error) ? error.code : 'UNEXPECTED' });
      }
      try {
        onProgress?.({ tenantId, configId, status, summary: structuredClone(summary) });
      } catch {
        // A progress callback that throws does not stop the walk.
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}
