/**
 * The storage contract of the per-tenant settings document: one JSON
 * document per tenant with a revision, written with compare-and-swap.
 * Tenant state that is not one config's lives here (the BYOK entitlement,
 * workload routes; pool selection policies later), never in configs.
 *
 * @module
 */
import type { AuditEvent } from './types.js';

/** Whether a tenant may bring its own keys, set by the platform (not by the tenant). */
export interface EntitlementSettings {
  /** `false`: the tenant can't set keys, and resolution skips its stored ones (they stay stored). */
  byok: boolean;
  /** The providers it may bring keys for (`'custom'` for custom endpoints); `null`: every provider. */
  providers: string[] | null;
}

/**
 * The settings document of one tenant. Every section is optional and the
 * vault validates the ones it knows before any write. Sections a later
 * byokit adds (workload routes, pool selection policies) sit beside them:
 * a document keeps the sections this version does not know, untouched.
 */
export interface TenantSettings {
  /** The platform's BYOK entitlement of the tenant. */
  entitlement?: EntitlementSettings;
  [section: string]: unknown;
}

/** A tenant's settings document as stored. */
export interface SettingsRecord {
  /** The tenant it belongs to. */
  tenantId: string;
  /** A JSON object: adapters store it as JSON and return it equal, whatever sections it holds. */
  document: TenantSettings;
  /** 1 for the first document, +1 with every write: the compare-and-swap token. */
  revision: number;
  /** Time of the latest write (ISO date-time). */
  updatedAt: string;
}

/** Options of {@link SettingsStorage.putSettings}. */
export interface PutSettingsOptions {
  /** The event written in the same atomic step as the document. */
  audit: AuditEvent;
  /** The revision the write is based on; `0` when no document exists yet. */
  expectedRevision: number;
}

/** The settings methods of a storage adapter (part of `StorageAdapter`). */
export interface SettingsStorage {
  /** The tenant's settings document, or `null` when none was ever written. Never another tenant's. */
  getSettings(tenantId: string): Promise<SettingsRecord | null>;

  /**
   * Replaces the tenant's document with `record` (whose `revision` is
   * `expectedRevision + 1`) and writes the audit event, atomically, under
   * `record.tenantId`.
   * - Compare-and-swap: applies only if the stored revision equals
   *   `expectedRevision` (`0`: no document stored yet); otherwise throws
   *   `ConflictError('CONCURRENT_UPDATE')` and writes nothing, event
   *   included. Of concurrent writes based on one revision exactly one wins.
   * - Stores `document` as JSON and returns the stored record, equal to
   *   `record`.
   */
  putSettings(record: SettingsRecord, options: PutSettingsOptions): Promise<SettingsRecord>;
}

/** The settings method names, checked when a vault is created. */
export const SETTINGS_STORAGE_METHODS = [
  'getSettings',
  'putSettings',
] as const satisfies readonly (keyof SettingsStorage)[];
