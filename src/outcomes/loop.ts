/**
 * The vault's side of the outcome loop: every observed or reported call
 * becomes an {@link Outcome} for `onUsage`, and, with key health on, news
 * about the key. An auth failure of a key not known to fail, or the first
 * success of one known to fail, is written at once (a transition admins
 * must see; each kind at most once per key per interval, so a flapping key
 * can't cause a write per call). Everything else (last use, successes, further
 * failures) waits in a bounded map and is written behind: at most once per
 * key per interval, and on `close()`.
 *
 * @module
 */
import { clientContextOf } from '../providers/client-context.js';
import type { Resolution } from '../resolve/types.js';
import type { VaultContext } from '../vault/context.js';
import { callDetached, reportHookError } from '../vault/hooks.js';
import { definedOnly, writeKeyHealth, type HealthCause } from './key-health-writer.js';
import type { Outcome, OutcomeReport, OutcomeSink } from './types.js';

/** What this process knows of one key, and the news waiting for its write. */
interface Entry {
  resolution: Resolution;
  keySetAt: string;
  /** As of this process's last write or transition. */
  failing: boolean;
  /** When this process last wrote at once for the key because of a failure, and because of a recovery (ms). */
  urgentAt: { auth_failed: number; ok: number };
  usedAt?: string;
  successAt?: string;
  failures?: { count: number; firstAt: string; lastAt: string };
  cause?: HealthCause;
}

const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);

/** @internal Created by `createVault` when it has `onUsage`, key health or access keys on. */
export class OutcomeLoop implements OutcomeSink {
  readonly #ctx: VaultContext;
  /** Milliseconds between writes of one key; 0 when key health is off. */
  readonly #interval: number;
  readonly #maxKeys: number;
  readonly #keys = new Map<string, Entry>();
  /** Keys with news to write. */
  readonly #due = new Set<string>();
  readonly #writes = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: VaultContext, interval: number, maxKeys: number) {
    this.#ctx = ctx;
    this.#interval = interval;
    this.#maxKeys = maxKeys;
  }

  observerFailed(error: unknown): void {
    reportHookError(this.#ctx.onHookError, error, 'observer');
  }

  observe(resolution: Resolution, report: OutcomeReport, via: 'client' | 'report'): void {
    const ctx = this.#ctx;
    if (ctx.state.closed) return;
    const { at: when, model, ...facts } = report;
    // Attributed by the resolution as the vault issued it: a copy may have rewritten its fields.
    const context = clientContextOf(resolution);
    const r = context?.resolution ?? resolution;
    const outcome: Outcome = {
      tenantId: r.tenantId,
      scope: r.scope,
      configId: r.configId,
      source: r.source,
      provider: r.provider,
      ...facts,
      model: model ?? resolution.model,
      accessKeyId: r.accessKeyId,
      at: (when === undefined ? ctx.now() : new Date(when)).toISOString(),
      via,
      ...(context?.move ? { move: context.move } : {}),
    };
    callDetached(ctx.onUsage, outcome, 'onUsage', ctx.onHookError);
    if (ctx.pools) {
      try {
        ctx.pools.observe(ctx, r, outcome);
      } catch (error) {
        reportHookError(ctx.onHookError, error, 'observer');
      }
    }
    this.#chargeAccessKey(outcome);
    const keySetAt = context?.keySetAt;
    if (this.#interval > 0 && r.configId !== null && typeof keySetAt === 'string') this.#note(r, keySetAt, outcome);
  }

  /**
   * Tokens a call of an access-key resolution used go to that key's usage
   * record and token budget, as `vault.recordUsage` would (one atomic write
   * per call that reports tokens; a failure goes to `onHookError`).
   */
  #chargeAccessKey({ accessKeyId, tenantId, inputTokens = 0, outputTokens = 0 }: Outcome): void {
    const feature = this.#ctx.accessKeys;
    const tokens = inputTokens + outputTokens;
    if (!feature || accessKeyId === null || !(tokens > 0)) return;
    const charge = () => feature.recordUsage(this.#ctx, { tenantId, accessKeyId, tokens });
    callDetached(charge, undefined, 'accessKeyUsage', this.#ctx.onHookError);
  }

  #note(resolution: Resolution, keySetAt: string, { status, at, httpStatus, providerCode }: Outcome): void {
    const id = `${resolution.tenantId}\u0000${resolution.configId}`;
    let entry = this.#keys.get(id);
    if (entry?.keySetAt !== keySetAt) {
      // A new key (or the old one's news arriving late): write what is held about the other one first.
      if (entry) this.#write(id);
      if (this.#keys.size >= this.#maxKeys) {
        // Bounded memory: forget what is written; news about yet more keys is dropped until the next write.
        for (const [key] of this.#keys) if (!this.#due.has(key)) this.#keys.delete(key);
        if (this.#keys.size >= this.#maxKeys) return;
      }
      entry = { resolution, keySetAt, failing: false, urgentAt: { auth_failed: -Infinity, ok: -Infinity } };
      this.#keys.set(id, entry);
    }
    if (status !== 'network') entry.usedAt = later(entry.usedAt, at);
    if (status === 'ok') entry.successAt = later(entry.successAt, at);
    if (status === 'auth_failed') {
      const f = entry.failures;
      entry.failures = {
        count: (f?.count ?? 0) + 1,
        firstAt: f && f.firstAt < at ? f.firstAt : at,
        lastAt: later(f?.lastAt, at),
      };
      entry.cause = definedOnly({ via: 'traffic' as const, status, httpStatus, providerCode });
    }
    this.#due.add(id);
    const now = Date.now();
    const kind =
      status === 'auth_failed' ? (entry.failing ? null : status) : status === 'ok' && entry.failing ? status : null;
    if (kind !== null && now - entry.urgentAt[kind] >= this.#interval) {
      entry.urgentAt[kind] = now;
      entry.failing = status === 'auth_failed';
      this.#write(id);
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#interval);
      // Pending news never keeps the host's process alive; close() writes it.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Writes one key's news (in the background; {@link flush} waits for it). */
  #write(id: string): Promise<void> {
    const entry = this.#keys.get(id);
    if (!entry || !this.#due.delete(id)) return Promise.resolve();
    const { resolution: r, keySetAt, usedAt, successAt, failures, cause } = entry;
    entry.usedAt = entry.successAt = entry.failures = entry.cause = undefined;
    const target = { tenantId: r.tenantId, configId: r.configId!, provider: r.provider, keyHint: r.keyHint };
    const write = writeKeyHealth(
      this.#ctx,
      target,
      definedOnly({ keySetAt, usedAt, successAt, failures }),
      cause ?? { via: 'traffic' },
    ).then(
      (result) => {
        if (result) entry.failing = result.health.state === 'failing';
      },
      (error: unknown) => reportHookError(this.#ctx.onHookError, error, 'keyHealth'),
    );
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
    return write;
  }

  /** Writes every key's news now, a few at a time, and waits for the writes in flight. */
  async flush(): Promise<void> {
    const ids = [...this.#due];
    for (let i = 0; i < ids.length; i += 8) await Promise.all(ids.slice(i, i + 8).map((id) => this.#write(id)));
    await Promise.all(this.#writes);
  }

  /** Stops the timer and writes what is held (the vault already refuses new work). */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
