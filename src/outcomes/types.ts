/**
 * What a call with a resolved key came to: the outcome shape hooks receive,
 * the report hosts send for their own calls, and the key health events.
 * Never a prompt, a completion or a key.
 *
 * @module
 */
import type { KeySource, Resolution } from '../resolve/types.js';
import type { KeyHealthState, ScopePath, ValidationStatus } from '../store/types.js';

/**
 * How one HTTP response (or its absence) is classified:
 * - `ok`: 2xx;
 * - `auth_failed`: 401, or Google's 400 `API_KEY_INVALID`: the key was refused;
 * - `forbidden`: 403: the key works but may not do this (model, region, org policy);
 * - `rate_limited`: 429 (quota errors such as OpenAI's `insufficient_quota` too: see `providerCode`);
 * - `client_error`: any other 4xx (a bad request, an unknown model): neither ok nor the key's fault;
 * - `server_error`: 5xx (Anthropic's 529 overloaded included);
 * - `network`: no response: connection refused or reset, DNS, TLS, a timeout,
 *   an abort, a request byokit's transport refused, or a body that broke off.
 */
export const OUTCOME_STATUSES = [
  'ok',
  'auth_failed',
  'forbidden',
  'rate_limited',
  'client_error',
  'server_error',
  'network',
] as const;

/** One of {@link OUTCOME_STATUSES}. */
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/**
 * What is known about one call, before the vault adds who made it: what an
 * instrumented client observes of each HTTP response, and what a host passes
 * to `vault.report(resolution, report)` for a call it made itself.
 */
export interface OutcomeReport {
  /** How the call went, in byokit's classes (`ok`, `auth_failed`, `rate_limited`, ...). */
  status: OutcomeStatus;
  /** Milliseconds from sending the request to the response's headers (to the failure, for `network`). */
  latencyMs: number;
  /** The model the provider says answered (else the URL's, else the resolution's). */
  model?: string | null;
  /** The HTTP status, when a response arrived. */
  httpStatus?: number;
  /** The provider's error code, when it is a short identifier (`invalid_api_key`, `rate_limit_exceeded`, `API_KEY_INVALID`). */
  providerCode?: string;
  /** Seconds to wait before retrying, from `retry-after-ms`, `retry-after` or the provider's own headers (fractional when given in ms). */
  retryAfter?: number;
  /** Input (prompt) tokens as the provider counted them, cached ones included. */
  inputTokens?: number;
  /** Output (completion) tokens as the provider counted them, reasoning ones included. */
  outputTokens?: number;
  /** Milliseconds from sending the request to the end of the response body (streams: the last event). */
  durationMs?: number;
  /** 1 for the first HTTP attempt of an SDK call, 2 for its first retry, ... (where the SDK says: openai, @anthropic-ai/sdk). */
  attempt?: number;
  /** The response was a stream (server-sent events or NDJSON). */
  streamed?: boolean;
  /** When the call finished; default: when the vault hears of it. */
  at?: string | Date;
}

/**
 * One observed (or reported) call, as `onUsage` receives it: one per HTTP
 * response, retries included (each has its `attempt`), so a 429 the SDK
 * retried is seen. Token counts are only on responses that carried usage.
 */
export interface Outcome extends Omit<OutcomeReport, 'model' | 'at'> {
  /** The tenant of the resolution. */
  tenantId: string;
  /** The scope the resolution was asked for. */
  scope: ScopePath;
  /** The config whose key made the call; `null` for a platform key. */
  configId: string | null;
  /** Whose key made the call: `byok`, `custom` or `platform`. */
  source: KeySource;
  /** The provider called. */
  provider: string;
  /** The model that answered, if known. */
  model: string | null;
  /** The access key the resolution was authenticated with (`resolve({ accessKey })`), else `null`. */
  accessKeyId: string | null;
  /** When the call finished (ISO date-time). */
  at: string;
  /** `client`: observed by a client `createClient` built; `report`: sent with `vault.report`. */
  via: 'client' | 'report';
  /** On calls `vault.withKey` made after moving off a key that failed: which move this is. */
  move?: KeyMove;
}

/** A `withKey` move to another key after a call failed (on the outcomes of the calls made with the new key). */
export interface KeyMove {
  /** 2 for the first key after the one first resolved, 3 for the next, ... */
  attempt: number;
  /** The config whose key failed just before (`null` for a platform key). */
  fromConfigId: string | null;
  /** What that call came to. */
  reason: 'rate_limited' | 'auth_failed' | 'server_error';
}

/** A key's health as views show it. */
export interface KeyHealth {
  /** `failing` after an auth failure, until a later success. */
  state: KeyHealthState;
  /** First auth failure of the current failing spell. */
  firstFailureAt: string | null;
  /** Latest auth failure of this key, also after it recovered. */
  lastFailureAt: string | null;
  /** Auth failures in the current failing spell. */
  failureCount: number;
}

/** What `onKeyHealth` hears when a key starts failing or recovers. Never key material: the hint at most. */
export interface KeyHealthEvent {
  /** The tenant of the config. */
  tenantId: string;
  /** The config whose key changed state. */
  configId: string;
  /** Its provider. */
  provider: string;
  /** The key's hint (never the key). */
  keyHint: string | null;
  /** `failing` (it stopped working) or `recovered`. */
  transition: 'failing' | 'recovered';
  /** The key's health after the change. */
  health: KeyHealth;
  /** What told the vault: traffic (clients and `vault.report`) or a validation. */
  via: 'traffic' | 'validation';
  /** For `failing`: the outcome or validation status that failed. */
  status?: OutcomeStatus | ValidationStatus;
  /** The HTTP status of the failing call, when there was one. */
  httpStatus?: number;
  /** The provider's error code, when it is a short identifier. */
  providerCode?: string;
  /** When it happened (ISO date-time). */
  at: string;
}

/** @internal Where instrumented clients send what they observe: the vault that resolved them. */
export interface OutcomeSink {
  observe(resolution: Resolution, report: OutcomeReport, via: 'client' | 'report'): void;
  /** A failure inside the observer itself (never the call's), for `onHookError`. */
  observerFailed(error: unknown): void;
}
