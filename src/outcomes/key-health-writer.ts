/**
 * One write of a key's health record, with what a transition brings: the
 * audit event (written by the store in the same atomic step), the audit
 * sink and the host's `onKeyHealth` hook.
 *
 * @module
 */
import { isByokitError, StoreError } from '../errors.js';
import type { KeyHealthChange, KeyHealthResult } from '../store/types.js';
import { auditEvent, type VaultContext } from '../vault/context.js';
import { callDetached } from '../vault/hooks.js';
import { healthView } from '../vault/views.js';
import type { KeyHealthEvent } from './types.js';
import { byokitMessage } from '../message.js';

/** Which key the news is about. */
export interface HealthTarget {
  tenantId: string;
  configId: string;
  provider: string;
  keyHint: string | null;
}

/** Why, for the audit event and the hook of a `failing` transition. */
export type HealthCause = Pick<KeyHealthEvent, 'via' | 'status' | 'httpStatus' | 'providerCode'>;

/** `value` without its `undefined` fields (events and records carry no `undefined`). */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Applies `change` to the key's health record. Reads no config and bumps
 * no revision. Store failures are thrown as byokit errors (`STORE_FAILED`);
 * callers in the background report them to `onHookError`.
 */
export async function writeKeyHealth(
  ctx: VaultContext,
  target: HealthTarget,
  change: KeyHealthChange,
  cause: HealthCause,
): Promise<KeyHealthResult | null> {
  const at = ctx.now();
  const base = { tenantId: target.tenantId, configId: target.configId, actor: null, keyHint: target.keyHint };
  const detail = definedOnly({
    via: cause.via,
    status: cause.status,
    httpStatus: cause.httpStatus,
    providerCode: cause.providerCode,
  }) as Record<string, string | number>;
  const audit = {
    failing: auditEvent({ ...base, type: 'key.failing', changes: ['health'], detail }, at),
    recovered: auditEvent({ ...base, type: 'key.recovered', changes: ['health'], detail: { via: cause.via } }, at),
  };
  let result: KeyHealthResult | null;
  try {
    result = await ctx.store.recordKeyHealth(target.tenantId, target.configId, change, { audit });
  } catch (error) {
    if (isByokitError(error)) throw error;
    throw new StoreError(
      'STORE_FAILED',
      byokitMessage('vault', `${ctx.store.name} store failed during recordKeyHealth`),
      {
        cause: error,
      },
    );
  }
  const transition = result?.transition;
  if (result && transition) {
    callDetached(ctx.auditSink, audit[transition], 'auditSink', ctx.onHookError);
    const event: KeyHealthEvent = {
      tenantId: target.tenantId,
      configId: target.configId,
      provider: target.provider,
      keyHint: target.keyHint,
      transition,
      health: healthView(result.health),
      ...(transition === 'failing' ? (detail as HealthCause) : { via: cause.via }),
      at: at.toISOString(),
    };
    callDetached(ctx.onKeyHealth, event, 'onKeyHealth', ctx.onHookError);
  }
  return result;
}
