/**
 * The storage contract of access keys: the records (only a keyed hash of
 * each secret, never the secret), the one read that authenticates and
 * resolves, the quota counters the adapter increments atomically, and the
 * usage records aggregated per key and day.
 *
 * @module
 */
import type { SettingsRecord } from './settings-storage.js';
import type { AuditEvent, SealedConfigRecord, Page, ScopePath } from './types.js';

/** The lengths a quota window can have: fixed, aligned to UTC (a calendar month for `'month'`). */
export const QUOTA_WINDOWS = ['minute', 'hour', 'day', 'month'] as const;

/** One of {@link QUOTA_WINDOWS}. */
export type QuotaWindow = (typeof QUOTA_WINDOWS)[number];

/** One quota: at most `limit` per window. */
export interface QuotaLimit {
  /** How many per window. */
  limit: number;
  /** The window, aligned to UTC. */
  per: QuotaWindow;
}

/** An access key's quotas: requests (resolutions) per window, and a token budget charged by reported usage. */
export interface AccessKeyQuota {
  /** Resolutions per window. */
  requests?: QuotaLimit;
  /** Tokens per window, charged from the calls' usage. */
  tokens?: QuotaLimit;
}

/**
 * An access key as stored. Holds no secret: `secretHash` is an
 * HMAC-SHA256 keyed by a key the store never sees (see docs/access-keys.md).
 */
export interface AccessKeyRecord {
  /** `ak_` + 26 Crockford base32 characters, time-ordered; unique across tenants (the token names it). */
  id: string;
  /** The tenant that issued it. */
  tenantId: string;
  /** The scope its resolutions start from. */
  scope: ScopePath;
  /** A name for people. */
  name: string;
  /** Providers it may resolve; `null`: any. */
  providers: string[] | null;
  /** Models it may ask for; `null`: any. */
  models: string[] | null;
  /** Its quotas, or `null` for none. */
  quota: AccessKeyQuota | null;
  /** Public hint of the token, e.g. `byk_live_...x7Q2`. */
  hint: string;
  /** base64url HMAC-SHA256 over the secret and the key's grants. */
  secretHash: string;
  /** Id of the hashing key that made `secretHash`. */
  hashKeyId: string;
  /** When it stops working (ISO date-time), or `null`. */
  expiresAt: string | null;
  /** When it was revoked; `null` while it is not. */
  revokedAt: string | null;
  /** When it was issued (ISO date-time). */
  createdAt: string;
}

/** Query of {@link AccessKeyStorage.listAccessKeys}. */
export interface AccessKeyQuery {
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** 1..500. */
  limit: number;
}

/** What {@link AccessKeyStorage.loadAccessKeyCandidates} returns: everything one authenticated resolution reads. */
export interface AccessKeyCandidates {
  /** The access key's record. */
  accessKey: AccessKeyRecord;
  /** The configs of the key's tenant whose scope is on the key scope's chain (its scope up to the tenant), sealed keys included. */
  candidates: SealedConfigRecord[];
  /** The key's tenant's settings document, or `null`. */
  settings: SettingsRecord | null;
}

/** One counted quota window: the window's id and the quota's limit. */
export interface QuotaCount {
  /** Opaque window id (the vault sends the window's start time): a different id starts a new count at 0. */
  window: string;
  /** The quota's limit in that window. */
  limit: number;
}

/** What {@link AccessKeyStorage.useAccessKey} counts. */
export interface AccessKeyUse {
  /** The usage period (UTC day, `YYYY-MM-DD`) whose `requests` grows by one. */
  period: string;
  /** Requests quota: count this use only while the window's count is below `limit`. */
  requests?: QuotaCount;
  /** Token budget: refuse while the window's token count is at or above `limit`. */
  tokens?: QuotaCount;
}

/** Outcome of {@link AccessKeyStorage.useAccessKey}. */
export interface AccessKeyUseResult {
  /** Which quota refused the use (nothing was counted), or `null` when it was counted. */
  exceeded: 'requests' | 'tokens' | null;
  /** Requests counted in the current requests window after the call (0 without a requests quota). */
  requests: number;
  /** Tokens charged in the current token window (0 without a token budget). */
  tokens: number;
}

/** What {@link AccessKeyStorage.chargeAccessKeyTokens} adds. */
export interface TokenCharge {
  /** The usage period (UTC day, `YYYY-MM-DD`) the tokens are added to. */
  period: string;
  /** A positive integer. */
  tokens: number;
  /** The token budget's current window id, when the key has a token budget. */
  window?: string;
}

/** Aggregated use of one access key in one period (a UTC day). Bounded: one record per key and day, never one per call. */
export interface AccessKeyUsageRecord {
  /** The tenant of the key. */
  tenantId: string;
  /** The access key's id. */
  keyId: string;
  /** `YYYY-MM-DD` (UTC). */
  period: string;
  /** Resolutions handed out. */
  requests: number;
  /** Tokens reported (`vault.recordUsage`). */
  tokens: number;
}

/** Query of {@link AccessKeyStorage.listAccessKeyUsage}. */
export interface AccessKeyUsageQuery {
  /** Only this key's records. */
  keyId?: string;
  /** First period included (`YYYY-MM-DD`). */
  from?: string;
  /** Last period included (`YYYY-MM-DD`). */
  to?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** 1..500. */
  limit: number;
}

/** The access-key methods of a storage adapter (part of `StorageAdapter`). */
export interface AccessKeyStorage {
  /**
   * Inserts a new access key with its audit event, atomically, under
   * `record.tenantId`. Ids are unique across tenants; `revokedAt` is `null`.
   */
  createAccessKey(record: AccessKeyRecord, options: { audit: AuditEvent }): Promise<AccessKeyRecord>;

  /** The access key, or `null` when this tenant has none with that id (also when another tenant has it). */
  getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null>;

  /** The tenant's access keys by id (creation order), revoked ones included, a page at a time. */
  listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>>;

  /**
   * Sets `revokedAt` and writes the audit event, atomically. A key already
   * revoked keeps its first `revokedAt` and no event is written. Returns
   * the record, or `null` when this tenant has no such key (nothing written).
   */
  revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    options: { audit: AuditEvent },
  ): Promise<AccessKeyRecord | null>;

  /**
   * The authenticating read, by id alone (the token names no tenant): the
   * access key, the candidates of ITS tenant whose scope is exactly one of
   * the key scope's chain (`scopeChain(accessKey.scope)`: its scope, each
   * parent, the tenant), each with its sealed key, and its tenant's
   * settings; `null` for an unknown id. Revoked and expired keys are
   * returned as stored (the vault refuses them). One round trip where the
   * backend allows it (one statement, one script); the candidates equal
   * what `loadCandidates(tenantId, scopeChain(scope))` returns.
   */
  loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null>;

  /**
   * Counts one use of the key, atomically, also under any number of
   * concurrent calls (no lost update, no overspend):
   * - with `tokens`, refuses (`exceeded: 'tokens'`, nothing counted) when
   *   the token count of `tokens.window` is at or above `tokens.limit`;
   * - with `requests`, counts only while the count of `requests.window` is
   *   below `requests.limit` (a new window id starts from 0), else refuses
   *   (`exceeded: 'requests'`, nothing counted): of N concurrent calls in
   *   one window exactly `limit` minus the count before succeed;
   * - a counted use also adds one request to the usage record of
   *   (`id`, `period`), in the same step.
   * Counters and usage are kept per tenant: another tenant's calls never
   * touch them.
   */
  useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult>;

  /**
   * Adds reported tokens to the usage record of (`id`, `period`) and, with
   * `window`, to the token count of that window (a new window id starts
   * from 0), atomically; concurrent charges all add up.
   */
  chargeAccessKeyTokens(tenantId: string, id: string, charge: TokenCharge): Promise<void>;

  /**
   * The tenant's usage records ordered by period, then key id, filtered by
   * key and by an inclusive period range, a page at a time (`nextCursor`
   * `null` on the last page; the last item's `period:keyId` works as one).
   */
  listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>>;
}

/** The access-key method names, checked when a vault is created. */
export const ACCESS_KEY_STORAGE_METHODS = [
  'createAccessKey',
  'getAccessKey',
  'listAccessKeys',
  'revokeAccessKey',
  'loadAccessKeyCandidates',
  'useAccessKey',
  'chargeAccessKeyTokens',
  'listAccessKeyUsage',
] as const satisfies readonly (keyof AccessKeyStorage)[];
