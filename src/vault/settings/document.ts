/**
 * The per-tenant settings document: read, validated, and written with
 * compare-and-swap on its revision, each write audited. Platform-controlled
 * tenant state (the BYOK entitlement; later workload routes and pool
 * selection policies) lives in this one document, one section each.
 * Its schemas (`settings/schemas.ts`) load on first use, with the others.
 *
 * @module
 */
import { StoreError } from '../../errors.js';
import type { Actor, AuditEvent } from '../../store/types.js';
import type { SettingsRecord, TenantSettings } from '../../store/settings-storage.js';
import {
  auditEvent,
  callStore,
  checkRecord,
  retryOnConcurrentUpdate,
  type AuditDraft,
  type VaultContext,
} from '../context.js';
import { callDetached } from '../hooks.js';
import { parseWith } from '../lazy-schemas.js';
import { byokitMessage } from '../../message.js';

/**
 * The tenant's settings record, checked against the request (its tenant)
 * and validated; `null` when none was written. A stored document that does
 * not validate fails closed (`STORE_FAILED`) rather than be half-applied.
 */
export async function readSettings(ctx: VaultContext, tenantId: string): Promise<SettingsRecord | null> {
  const record = await callStore(ctx, 'getSettings', () => ctx.store.getSettings(tenantId));
  return record ? checkSettings(ctx, record, tenantId) : null;
}

/** A settings record the store returned for `tenantId`, checked and validated. */
export async function checkSettings(
  ctx: VaultContext,
  record: SettingsRecord,
  tenantId: string,
): Promise<SettingsRecord> {
  checkRecord(ctx, record, tenantId);
  try {
    return {
      ...record,
      document: (await parseWith('tenantSettingsSchema', record.document, 'settings document')) as TenantSettings,
    };
  } catch (cause) {
    throw new StoreError(
      'STORE_FAILED',
      byokitMessage('vault', `the stored settings document of tenant "${tenantId}" is not valid`),
      { cause },
    );
  }
}

/**
 * Changes one section of the tenant's document: `change` gets the current
 * section (or `undefined`) and returns the new one, or `null` to leave the
 * document unchanged. `audit` is the event's draft, or a function giving
 * it, called after `change`. The write is a compare-and-swap on the revision read,
 * redone from a fresh read when another writer got in first; the audit
 * event goes with it. Returns the stored record (the current one when
 * nothing changed).
 */
export async function updateSettingsSection<K extends keyof TenantSettings & string>(
  ctx: VaultContext,
  tenantId: string,
  actor: Actor | null,
  section: K,
  change: (current: TenantSettings[K] | undefined) => TenantSettings[K] | null,
  audit: Omit<AuditDraft, 'tenantId' | 'actor'> | (() => Omit<AuditDraft, 'tenantId' | 'actor'>),
): Promise<SettingsRecord | null> {
  return retryOnConcurrentUpdate(async () => {
    const current = await readSettings(ctx, tenantId);
    const next = change(current?.document[section]);
    if (next === null) return current;
    const document = (await parseWith(
      'tenantSettingsSchema',
      { ...current?.document, [section]: next },
      'settings document',
    )) as TenantSettings;
    const at = ctx.now();
    const revision = (current?.revision ?? 0) + 1;
    // A function: the event describes the change `change` just decided (e.g. what it replaced).
    const draft = typeof audit === 'function' ? audit() : audit;
    const event: AuditEvent = auditEvent({ ...draft, tenantId, actor, detail: { ...draft.detail, revision } }, at);
    const record: SettingsRecord = { tenantId, document, revision, updatedAt: at.toISOString() };
    const stored = await callStore(ctx, 'putSettings', () =>
      ctx.store.putSettings(record, { audit: event, expectedRevision: revision - 1 }),
    );
    await checkSettings(ctx, stored, tenantId);
    callDetached(ctx.auditSink, event, 'auditSink', ctx.onHookError);
    return stored;
  });
}
