/**
 * Access keys in the vault (`accessKeys({ keyring })`): issuing one (the
 * token shown once, only its keyed hash stored), listing and revoking,
 * authenticating a token at resolution, its allow-lists, its quotas and its
 * usage records.
 *
 * @module
 */
import { AccessKeyError, NotFoundError, QuotaExceededError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { hashAccessKeySecret, verifyAccessKeySecret } from '../access/hash.js';
import { quotaWindow, usagePeriod } from '../access/quota-window.js';
import { accessKeyHint, newAccessKeyToken, parseAccessKeyToken } from '../access/token.js';
import { Keyring } from '../crypto/keyring.js';
import { Secret } from '../secret.js';
import type { AccessKeyRecord } from '../store/access-key-storage.js';
import type {
  accessKeyResolveInputSchema,
  createAccessKeyInputSchema,
  recordUsageInputSchema,
} from './access-schemas.js';
import { auditEvent, callStore, checkRecord, type VaultContext } from './context.js';
import type { AccessKeysFeature } from './features.js';
import { callDetached } from './hooks.js';
import { parseWith } from './lazy-schemas.js';
import type { z } from 'zod';
import { byokitMessage } from '../message.js';

/** Input of `createAccessKey`. */
export type CreateAccessKeyInput = z.input<typeof createAccessKeyInputSchema>;
/** Input of `vault.resolve` with an access key: the token as a string or as the `Secret` `createAccessKey` returned. */
export type AccessKeyResolveInput = Omit<z.input<typeof accessKeyResolveInputSchema>, 'accessKey'> & {
  /** The bearer token (`byk_live_...`), or the `Secret` `createAccessKey` returned. */
  accessKey: string | Secret;
};
/** Input of `vault.recordUsage`. */
export type RecordUsageInput = z.input<typeof recordUsageInputSchema>;

/** The state of an access key: usable, revoked, or past its expiry. */
export type AccessKeyState = 'active' | 'revoked' | 'expired';

/**
 * An access key as hosts see it: the stored record without its hash, plus
 * its state. `hint` (`byk_live_...x7Q2`) is all that is ever shown of the
 * token after creation.
 */
export type AccessKeyView = Omit<AccessKeyRecord, 'secretHash' | 'hashKeyId'> & {
  /** `active`, `revoked` or `expired`. */
  state: AccessKeyState;
};

/** What `createAccessKey` returns: the view, and the token, this once. */
export interface CreatedAccessKey {
  /** The key's view: id, grants, hint, state; never the secret. */
  accessKey: AccessKeyView;
  /** The token (`byk_live_...`): a `Secret` that prints as its hint; `reveal()` it once to hand it over. Never shown again. */
  secret: Secret;
}

/** Options of {@link accessKeys}. */
export interface AccessKeysOptions {
  /**
   * The keys of access-key hashes (HMAC-SHA256): the first entry hashes
   * new access keys, every listed one verifies those it made. Not your KEK
   * keyring: a KEK rotation (or a KMS that never hands out key bytes) must
   * never touch access keys. Rotate it the same way (new entry first, old
   * ones after) and drop an old entry only when the keys it made may stop
   * working.
   */
  keyring: Keyring;
}

function stateOf(record: AccessKeyRecord, now: Date): AccessKeyState {
  if (record.revokedAt !== null) return 'revoked';
  return record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

/** The public view of a record: everything but the hash, plus the state. */
function toView(record: AccessKeyRecord, now: Date): AccessKeyView {
  const { secretHash: _hash, hashKeyId: _hashKeyId, ...view } = structuredClone(record);
  return { ...view, state: stateOf(record, now) };
}

function invalid(): AccessKeyError {
  // One message for unknown, revoked, expired and malformed: the refusal must not tell them apart.
  return new AccessKeyError(
    'ACCESS_KEY_INVALID',
    byokitMessage('access', 'the access key is not valid (unknown, revoked or expired)'),
  );
}

/**
 * Refuses (`ACCESS_KEY_FORBIDDEN`) a provider or model outside the key's
 * allow-lists. With `asked`, only what the request named is checked (the
 * early check, before the store read's decision); after the decision, the
 * provider and model the resolution ended with, so a key that lists models
 * needs one, named or from the chosen config.
 */
function checkGrants(
  accessKey: AccessKeyRecord,
  provider: string | undefined | null,
  model: string | undefined | null,
  asked = false,
): void {
  const refuse = (what: string) => {
    throw new AccessKeyError(
      'ACCESS_KEY_FORBIDDEN',
      byokitMessage('access', `access key ${accessKey.id} does not allow ${what}`),
    );
  };
  if (accessKey.providers && !(asked && provider == null) && !accessKey.providers.includes(provider!))
    refuse(`provider "${provider}"`);
  if (accessKey.models && !(asked && model == null) && !accessKey.models.includes(model!))
    refuse(model == null ? 'a request without a model' : `model "${model}"`);
}

async function loadAccessKey(ctx: VaultContext, tenantId: string, id: unknown): Promise<AccessKeyRecord> {
  const accessKeyId = await parseWith('accessKeyIdSchema', id, 'access key id');
  const record = await callStore(ctx, 'getAccessKey', () => ctx.store.getAccessKey(tenantId, accessKeyId));
  if (!record) throw new NotFoundError(byokitMessage('vault', `no access key ${accessKeyId} in tenant "${tenantId}"`));
  return checkRecord(ctx, record, tenantId, accessKeyId, 'access key');
}

/**
 * Access keys for a vault: pass the result as `createVault({ accessKeys })`.
 * An access key is one bearer token per app or customer (`byk_live_...`)
 * that `vault.resolve({ accessKey })` turns into its tenant and scope,
 * within its provider and model allow-lists and quotas.
 *
 * @example
 * ```ts
 * const vault = createVault({
 *   store, keyring: Keyring.fromEnv(),
 *   accessKeys: accessKeys({ keyring: Keyring.fromEnv(process.env, 'BYOKIT_ACCESS_KEY_SECRETS') }),
 * });
 * ```
 */
export function accessKeys(options: AccessKeysOptions): AccessKeysFeature {
  const keyring = options?.keyring;
  // A local Keyring only: hashing needs key bytes, which a KMS-backed KekProvider never hands out.
  if (!(keyring instanceof Keyring))
    throw new ValidationError(byokitMessage('access', 'accessKeys needs { keyring: Keyring }'), [
      { path: 'keyring', message: 'must be a Keyring' },
    ]);

  async function countUse(ctx: VaultContext, accessKey: AccessKeyRecord, now: Date): Promise<void> {
    const { requests, tokens } = accessKey.quota ?? {};
    const windows = {
      requests: requests && quotaWindow(requests.per, now),
      tokens: tokens && quotaWindow(tokens.per, now),
    };
    const result = await callStore(ctx, 'useAccessKey', () =>
      ctx.store.useAccessKey(accessKey.tenantId, accessKey.id, {
        period: usagePeriod(now),
        ...(requests ? { requests: { window: windows.requests!.id, limit: requests.limit } } : {}),
        ...(tokens ? { tokens: { window: windows.tokens!.id, limit: tokens.limit } } : {}),
      }),
    );
    if (result.exceeded !== null)
      throw new QuotaExceededError(
        result.exceeded,
        accessKey.quota![result.exceeded]!.limit,
        windows[result.exceeded]!.resetAt,
      );
  }

  return {
    async authenticate(ctx, input) {
      const given = (input as { accessKey?: unknown } | null)?.accessKey;
      const token = given instanceof Secret ? given.reveal() : given;
      const { accessKey: _token, ...request } = await parseWith(
        'accessKeyResolveInputSchema',
        { ...(input as object), accessKey: token },
        'resolve request',
      );
      const parsed = parseAccessKeyToken(token as string);
      if (!parsed) throw invalid();
      const read = await callStore(ctx, 'loadAccessKeyCandidates', () => ctx.store.loadAccessKeyCandidates(parsed.id));
      // An unknown id still costs a MAC, so timing does not tell it from a known one.
      if (
        !verifyAccessKeySecret(keyring, parsed.id, read?.accessKey ?? null, parsed.secret) ||
        stateOf(read!.accessKey, ctx.now()) !== 'active'
      )
        throw invalid();
      const { tenantId, scope } = checkRecord(ctx, read!.accessKey, read!.accessKey.tenantId, parsed.id, 'access key');
      checkGrants(read!.accessKey, request.provider, request.model, true);
      return { ...read!, request: { ...request, tenantId, scope } };
    },

    async admit(ctx, accessKey, provider, model, now) {
      checkGrants(accessKey, provider, model);
      await countUse(ctx, accessKey, now);
    },

    async create(ctx, as, input) {
      const data = await parseWith('createAccessKeyInputSchema', input, 'access key');
      await as.allow('createAccessKey', 'access:manage', { scope: data.scope });
      const at = ctx.now();
      const issues = (data.providers ?? [])
        .filter((p) => !Object.hasOwn(ctx.providers, p))
        .map((p) => ({ path: 'providers', message: `unknown provider "${p}"` }));
      if (data.expiresAt !== null && new Date(data.expiresAt).getTime() <= at.getTime())
        issues.push({ path: 'expiresAt', message: 'must be in the future' });
      if (issues.length > 0)
        throw new ValidationError(
          byokitMessage('vault', `invalid access key: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`),
          issues,
        );
      const id = newId('ak', at.getTime());
      const { token, secret } = newAccessKeyToken(id);
      const grants = {
        id,
        tenantId: as.tenantId,
        scope: data.scope,
        providers: data.providers,
        models: data.models,
        quota: data.quota,
      };
      const hint = accessKeyHint(token);
      const record: AccessKeyRecord = {
        ...grants,
        name: data.name,
        hint,
        ...hashAccessKeySecret(keyring, grants, secret),
        expiresAt: data.expiresAt === null ? null : new Date(data.expiresAt).toISOString(),
        revokedAt: null,
        createdAt: at.toISOString(),
      };
      const audit = auditEvent(
        {
          tenantId: as.tenantId,
          actor: as.actor,
          type: 'access_key.created',
          changes: ['accessKey'],
          keyHint: hint,
          detail: { accessKeyId: id, name: data.name, scope: data.scope },
        },
        at,
      );
      const created = await callStore(ctx, 'createAccessKey', () => ctx.store.createAccessKey(record, { audit }));
      checkRecord(ctx, created, as.tenantId, id, 'access key');
      callDetached(ctx.auditSink, audit, 'auditSink', ctx.onHookError);
      return { accessKey: toView(created, at), secret: new Secret(token, hint) };
    },

    async get(ctx, as, id) {
      const record = await loadAccessKey(ctx, as.tenantId, id);
      await as.allow('getAccessKey', 'access:manage', { scope: record.scope, accessKeyId: record.id });
      return toView(record, ctx.now());
    },

    async list(ctx, as, query) {
      const q = await parseWith('listAccessKeysInputSchema', query, 'access key query');
      await as.allow('listAccessKeys', 'access:manage');
      const page = await callStore(ctx, 'listAccessKeys', () => ctx.store.listAccessKeys(as.tenantId, q));
      const now = ctx.now();
      return {
        items: page.items.map((r) => toView(checkRecord(ctx, r, as.tenantId), now)),
        nextCursor: page.nextCursor,
      };
    },

    async revoke(ctx, as, id) {
      const record = await loadAccessKey(ctx, as.tenantId, id);
      await as.allow('revokeAccessKey', 'access:manage', { scope: record.scope, accessKeyId: record.id });
      const at = ctx.now();
      if (record.revokedAt !== null) return toView(record, at);
      const audit = auditEvent(
        {
          tenantId: as.tenantId,
          actor: as.actor,
          type: 'access_key.revoked',
          changes: ['revokedAt'],
          keyHint: record.hint,
          detail: { accessKeyId: record.id },
        },
        at,
      );
      const revoked = await callStore(ctx, 'revokeAccessKey', () =>
        ctx.store.revokeAccessKey(as.tenantId, record.id, at.toISOString(), { audit }),
      );
      if (!revoked)
        throw new NotFoundError(byokitMessage('vault', `no access key ${record.id} in tenant "${as.tenantId}"`));
      checkRecord(ctx, revoked, as.tenantId, record.id, 'access key');
      // A concurrent revoke that got in first keeps its time and its event; this one wrote none.
      if (revoked.revokedAt === at.toISOString()) callDetached(ctx.auditSink, audit, 'auditSink', ctx.onHookError);
      return toView(revoked, at);
    },

    async usage(ctx, as, query) {
      const q = await parseWith('listAccessKeyUsageInputSchema', query, 'usage query');
      await as.allow('listAccessKeyUsage', 'access:manage', q.keyId === undefined ? {} : { accessKeyId: q.keyId });
      const page = await callStore(ctx, 'listAccessKeyUsage', () => ctx.store.listAccessKeyUsage(as.tenantId, q));
      return { items: page.items.map((u) => checkRecord(ctx, u, as.tenantId)), nextCursor: page.nextCursor };
    },

    async recordUsage(ctx, input) {
      const { tenantId, accessKeyId, tokens } = await parseWith('recordUsageInputSchema', input, 'usage');
      const record = await loadAccessKey(ctx, tenantId, accessKeyId);
      const now = ctx.now();
      const budget = record.quota?.tokens;
      await callStore(ctx, 'chargeAccessKeyTokens', () =>
        ctx.store.chargeAccessKeyTokens(tenantId, accessKeyId, {
          period: usagePeriod(now),
          tokens,
          ...(budget ? { window: quotaWindow(budget.per, now).id } : {}),
        }),
      );
    },
  };
}
