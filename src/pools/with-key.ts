/**
 * `vault.withKey(request, fn)`: resolves, builds the client with the SDK's
 * own retries off, runs the host's call, and when it fails with a 429, an
 * auth failure or a 5xx, runs it again with the pool's next key: at most
 * `maxAttempts` calls within `timeoutMs`, stopped by the host's
 * `AbortSignal`. The platform key is only tried when the call (or the
 * vault's `keyPools`) opted in with `onFailure: 'platform'`. Each move is
 * in the next resolution's trace and on its outcomes (`outcome.move`).
 *
 * @module
 */
import { isByokitError, ValidationError } from '../errors.js';
import { statusOf } from '../outcomes/classify.js';
import type { KeyMove, Outcome, OutcomeStatus } from '../outcomes/types.js';
import { createClient } from '../providers/create-client.js';
import type { Resolution, TraceEntry } from '../resolve/types.js';
import type { VaultContext } from '../vault/context.js';
import { resolveKey } from '../vault/resolve-key.js';
import type { WithKeyOnFailure } from './on-failure.js';
import { parseWith } from '../vault/lazy-schemas.js';
import { byokitMessage } from '../message.js';

/** Statuses `withKey` moves to the next key on. */
const MOVES_ON: ReadonlySet<OutcomeStatus> = new Set(['rate_limited', 'auth_failed', 'server_error']);

/** One call attempt, as `fn` gets it. */
export interface WithKeyAttempt {
  /** 1 for the first call, 2 after the first move, ... */
  number: number;
  /** Aborts when the host's signal does or the total time is up: pass it to the SDK call. */
  signal: AbortSignal;
}

/** Options of `vault.withKey`. */
export interface WithKeyOptions {
  /** Calls at most, the first included (1..10; default: `keyPools({ maxAttempts })`, else 3). */
  maxAttempts?: number;
  /** Total milliseconds for every attempt (default: `keyPools({ timeoutMs })`, else 60 000); no move starts after it. */
  timeoutMs?: number;
  /** `'platform'`: when every key of the pool failed, one more call with the platform key. Default `'fail'` (the last error is thrown). */
  onFailure?: WithKeyOnFailure;
  /** Stops the calls: no further attempt starts, and `attempt.signal` aborts. */
  signal?: AbortSignal;
  /** As `createClient`'s `expect`. */
  expect?: string;
  /** Passed to the SDK constructor, over byokit's "no retries" setting. */
  clientOptions?: Record<string, unknown>;
}

/** Defaults of {@link WithKeyOptions} set on `keyPools(...)`. */
export interface WithKeyDefaults {
  maxAttempts: number;
  timeoutMs: number;
  onFailure: WithKeyOnFailure;
}

/** The SDK options that turn its own retries off (`withKey` does the retrying). */
function noRetries(resolution: Resolution): Record<string, unknown> {
  switch (resolution.provider) {
    case 'mistral':
      return { retryConfig: { strategy: 'none' } };
    case 'google':
      return resolution.options.sdk === 'genai' ? { httpOptions: { retryOptions: { attempts: 1 } } } : {};
    case 'ollama':
      return {};
    default:
      // openai, azure-openai, custom, anthropic, cohere (and most OpenAI-compatible SDKs).
      return { maxRetries: 0 };
  }
}

function clientOptionsFor(resolution: Resolution, host: Record<string, unknown> | undefined): Record<string, unknown> {
  const base = noRetries(resolution);
  if (!host) return base;
  const merged: Record<string, unknown> = { ...base, ...host };
  if (base.httpOptions && host.httpOptions)
    merged.httpOptions = { ...(base.httpOptions as object), ...(host.httpOptions as object) };
  return merged;
}

/** The outcome status of an error an SDK threw, from its HTTP status, when no response was observed. */
function statusOfError(error: unknown): OutcomeStatus | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  return status === null ? null : statusOf(status);
}

/** @internal Where `withKey` hears what each attempt's calls came to. */
export type AttemptListeners = WeakMap<Resolution, (outcome: Outcome) => void>;

/** @internal The body of `vault.withKey`. */
export async function withKey(
  ctx: VaultContext,
  listeners: AttemptListeners,
  defaults: WithKeyDefaults,
  request: unknown,
  fn: unknown,
  rawOptions: unknown,
  noteFailure: (resolution: Resolution, status: OutcomeStatus) => void,
): Promise<unknown> {
  if (typeof fn !== 'function') {
    throw new ValidationError(
      byokitMessage('pools', 'invalid withKey arguments: fn: must be a function (client, resolution, attempt) => ...'),
      [{ path: 'fn', message: 'must be a function' }],
    );
  }
  const options = (await parseWith('withKeyOptionsSchema', rawOptions ?? {}, 'withKey options')) as WithKeyOptions;
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
  const onFailure = options.onFailure ?? defaults.onFailure;
  const deadline = Date.now() + (options.timeoutMs ?? defaults.timeoutMs);
  if (options.signal?.aborted) throw options.signal.reason;
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException('withKey: the total time is up', 'TimeoutError')),
    Math.max(0, deadline - Date.now()),
  );
  (timer as { unref?: () => void }).unref?.();
  const tried = new Set<string>();
  const moves: TraceEntry[] = [];
  try {
    let resolution = await resolveKey(ctx, request as Parameters<typeof resolveKey>[1]);
    for (let attempt = 1; ; attempt++) {
      let observed: OutcomeStatus | null = null;
      const current = resolution;
      listeners.set(current, (outcome) => {
        observed = outcome.status;
      });
      const client = await createClient(resolution, {
        ...(options.expect === undefined ? {} : { expect: options.expect }),
        providers: ctx.providers,
        clientOptions: clientOptionsFor(resolution, options.clientOptions),
      });
      try {
        return await (fn as (client: unknown, resolution: Resolution, attempt: WithKeyAttempt) => unknown)(
          client,
          resolution,
          { number: attempt, signal: controller.signal },
        );
      } catch (error) {
        // A response the observer saw is the surest classification; else the error's own HTTP status.
        const status = (observed as OutcomeStatus | null) ?? statusOfError(error);
        if (
          status === null ||
          !MOVES_ON.has(status) ||
          attempt >= maxAttempts ||
          controller.signal.aborted ||
          Date.now() >= deadline
        )
          throw error;
        if (resolution.source === 'platform' || resolution.configId === null) throw error;
        if (observed === null) noteFailure(resolution, status);
        tried.add(resolution.configId);
        const entry: TraceEntry = {
          step: 'retry',
          configId: resolution.configId,
          outcome: 'skipped',
          reason: status as KeyMove['reason'],
        };
        if (resolution.configScope !== null) entry.scope = resolution.configScope;
        if (resolution.configName !== null) entry.configName = resolution.configName;
        moves.push(entry);
        const move: KeyMove = {
          attempt: attempt + 1,
          fromConfigId: resolution.configId,
          reason: status as KeyMove['reason'],
        };
        try {
          resolution = await resolveKey(ctx, request as Parameters<typeof resolveKey>[1], {
            exclude: tried,
            moves: [...moves],
            move,
            onExhausted: onFailure,
          });
        } catch (next) {
          // No other key: the host gets the provider's error, not ours.
          if (isByokitError(next, 'NO_KEY')) throw error;
          throw next;
        }
      } finally {
        listeners.delete(current);
      }
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}
