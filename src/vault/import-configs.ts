/**
 * Bulk import: many configs with their keys through one call, for loading a
 * tenant (or a migration from another system) at thousands per second
 * instead of two round trips per config.
 *
 * Everything is checked before anything is written (input, permissions,
 * provider rules, endpoint policy, key formats, expiries): one bad item
 * rejects the call with a `VALIDATION_FAILED` naming each problem by item,
 * and nothing is stored. Then keys are sealed (with the fastest crypto
 * backend) and the configs written in batches, each batch one store round
 * trip (`importConfigs`), each config with its `config.created` and
 * `key.set` events. A config the batch could not write (its name was taken
 * meanwhile, or its scope already has a default) is retried on its own
 * through `createConfig`, so it ends exactly as a one-at-a-time create
 * would: `NAME_TAKEN` for that item only, or the new default replacing the
 * old one.
 *
 * @module
 */
import { noStagedKeys } from '../store/patch.js';
import { CredentialInvalidError, StoreError, ValidationError, type ByokitErrorCode, isByokitError } from '../errors.js';
import { sealSecret } from '../crypto/envelope.js';
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import { newId } from '../ids.js';
import type { ProviderDescriptor } from '../providers/types.js';
import type { Actor, AuditEvent, ConfigImport, ConfigRecord } from '../store/types.js';
import { auditEvent, callStore, checkRecord, sealContext, type VaultContext } from './context.js';
import { configIssues, endpointIssue, keyExpiry, providerDescriptor, type Issue } from './config-rules.js';
import { callDetached } from './hooks.js';
import type { AuthorizeContext, Permission } from './permissions.js';
import type { importConfigsInputSchema } from './schemas.js';
import { parseWith } from './lazy-schemas.js';
import { toView, type ConfigView } from './views.js';
import type { z } from 'zod';
import { byokitMessage } from '../message.js';

/** One config of {@link TenantVault.importConfigs}: `createConfig`'s input plus an optional `key` and `keyExpiresAt`. */
export type ImportConfigInput = Omit<z.input<typeof importConfigsInputSchema>[number], 'key'> & {
  /** The key, or a structured credential object for providers that declare one. */
  key?: string | Readonly<Record<string, unknown>> | undefined;
};

/** What became of one imported config. */
export type ImportConfigResult =
  | {
      /** Created. */
      ok: true;
      /** The new config's view. */
      config: ConfigView;
    }
  | {
      /** Refused: nothing of this item was written. */
      ok: false;
      /** Why, as a byokit error code (`VALIDATION_FAILED`, `NAME_TAKEN`, ...). */
      code: ByokitErrorCode;
      /** The error's message (no key material). */
      message: string;
    };

/** Outcome of {@link TenantVault.importConfigs}: one result per item, in input order. */
export interface ImportConfigsReport {
  /** Configs created. */
  created: number;
  /** Items refused (see their results). */
  failed: number;
  /** One result per item, in input order. */
  results: ImportConfigResult[];
}

/** Configs per store round trip. */
const IMPORT_BATCH = 500;
/** Problems named in an error message (all of them are in `issues`). */
const MESSAGE_ISSUES = 10;

/** Who imports: the tenant handle's tenant, actor and permission check. */
export interface Importer {
  tenantId: string;
  actor: Actor;
  allow(
    action: string,
    permissions: readonly Permission[],
    configId: string | undefined,
    extra: Partial<AuthorizeContext>,
  ): Promise<void>;
}

type ParsedItem = z.output<typeof importConfigsInputSchema>[number];

/** An item ready to write: its record, sealed key and events. */
interface Prepared extends ConfigImport {
  audit: AuditEvent[];
}

function invalid(issues: Issue[]): ValidationError {
  const shown = issues.slice(0, MESSAGE_ISSUES).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > MESSAGE_ISSUES ? `; and ${issues.length - MESSAGE_ISSUES} more` : '';
  return new ValidationError(byokitMessage('vault', `invalid configs to import: ${shown.join('; ')}${more}`), issues);
}

/** Every problem of every item, by `<index>.<field>`; the call is refused if there is any. */
async function checkItems(
  ctx: VaultContext,
  tenantId: string,
  items: readonly ParsedItem[],
  now: Date,
): Promise<Issue[]> {
  const issues: Issue[] = [];
  const firstWithName = new Map<string, number>();
  const policyAnswers = new Map<string, Promise<Awaited<ReturnType<typeof endpointIssue>>>>();
  for (const [index, item] of items.entries()) {
    const at = (issue: Issue) => issues.push({ path: `${index}.${issue.path}`, message: issue.message });
    const first = firstWithName.get(item.name);
    if (first === undefined) firstWithName.set(item.name, index);
    else at({ path: 'name', message: `the same as item ${first}'s: names are unique in a tenant` });
    let descriptor: ProviderDescriptor;
    try {
      descriptor = providerDescriptor(ctx, item.provider);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const issue of error.issues) at(issue);
      continue;
    }
    configIssues(ctx, item).forEach(at);
    // The endpoint policy may be a host function: ask it once per endpoint and provider.
    const endpoint = `${item.provider}\u0000${item.baseUrl ?? ''}`;
    if (!policyAnswers.has(endpoint))
      policyAnswers.set(endpoint, endpointIssue(ctx, tenantId, item.baseUrl, item.provider, 'createConfig'));
    const refusal = await policyAnswers.get(endpoint)!;
    if (refusal !== null)
      at({ path: refusal.path, message: `${refusal.what === 'baseUrl' ? '' : `${refusal.what}: `}${refusal.message}` });
    if (item.key !== undefined) {
      try {
        await (await import('./prepare-key.js')).prepareKey(descriptor, item.key);
      } catch (error) {
        if (error instanceof CredentialInvalidError)
          for (const issue of error.issues) at({ path: `key.${issue.path}`, message: issue.message });
        else if (isByokitError(error, 'KEY_FORMAT_INVALID'))
          at({
            path: 'key',
            message: `does not look like a key for ${descriptor.label}: ${error.message.replace(/^.*?: /, '')}`,
          });
        else if (error instanceof ValidationError) for (const issue of error.issues) at(issue);
        else throw error;
      }
    } else if (item.keyExpiresAt !== null) {
      at({ path: 'keyExpiresAt', message: 'only with a key' });
    }
    const expiry = keyExpiry(item.keyExpiresAt, now);
    if ('issue' in expiry) at({ path: 'keyExpiresAt', message: expiry.issue });
  }
  return issues;
}

/** The record, sealed key and audit events of one checked item. */
async function prepare(
  ctx: VaultContext,
  importer: Importer,
  item: ParsedItem,
  id: string,
  at: Date,
): Promise<Prepared> {
  const { key, keyExpiresAt, ...data } = item;
  const iso = at.toISOString();
  const prepared =
    key === undefined
      ? null
      : await (await import('./prepare-key.js')).prepareKey(providerDescriptor(ctx, data.provider), key);
  const hint = prepared?.hint ?? null;
  const sealedKey =
    prepared === null
      ? null
      : await sealSecret(prepared.plaintext, sealContext(importer.tenantId, id, data), ctx.keyring);
  const expiry = keyExpiry(keyExpiresAt, at);
  const record: ConfigRecord = {
    id,
    tenantId: importer.tenantId,
    ...data,
    keyHint: hint,
    kekId: sealedKekId(sealedKey),
    keySetAt: key === undefined ? null : iso,
    keyExpiresAt: 'iso' in expiry ? expiry.iso : null,
    ...noStagedKeys(),
    lastValidatedAt: null,
    lastValidationStatus: null,
    createdAt: iso,
    updatedAt: iso,
    revision: 1,
  };
  const event = (draft: Omit<Parameters<typeof auditEvent>[0], 'tenantId' | 'actor' | 'configId'>) =>
    auditEvent({ ...draft, tenantId: importer.tenantId, actor: importer.actor, configId: id }, at);
  const audit = [
    event({
      type: 'config.created',
      changes: Object.keys(data).sort(),
      detail: { name: record.name, provider: record.provider },
    }),
  ];
  if (hint !== null) audit.push(event({ type: 'key.set', changes: ['key'], keyHint: hint }));
  return { record, sealedKey, audit };
}

/**
 * Writes an item the batch reported as a conflict the one-at-a-time way:
 * `createConfig` (which says `NAME_TAKEN`, or makes it its scope's default
 * in place of the old one), then its key.
 */
async function createOnItsOwn(ctx: VaultContext, tenantId: string, item: Prepared): Promise<ConfigRecord> {
  const { record, sealedKey, audit } = item;
  const bare: ConfigRecord = { ...record, keyHint: null, kekId: null, keySetAt: null, keyExpiresAt: null };
  const created = checkRecord(
    ctx,
    await callStore(ctx, 'createConfig', () => ctx.store.createConfig(bare, { audit: audit[0]! })),
    tenantId,
    record.id,
  );
  if (sealedKey === null) return created;
  const patch = {
    sealedKey,
    keyHint: record.keyHint,
    keySetAt: record.keySetAt,
    keyExpiresAt: record.keyExpiresAt,
    updatedAt: record.updatedAt,
  };
  const keyed = await callStore(ctx, 'updateConfig', () =>
    ctx.store.updateConfig(tenantId, record.id, patch, { audit: audit[1]!, expectedRevision: created.revision }),
  );
  if (!keyed)
    throw new StoreError(
      'STORE_FAILED',
      byokitMessage('vault', `config ${record.id} disappeared while its key was being stored`),
    );
  return checkRecord(ctx, keyed, tenantId, record.id);
}

/** `TenantVault.importConfigs`: checks everything (entitlement included), then seals and writes in batches. */
export async function importConfigs(
  ctx: VaultContext,
  importer: Importer,
  input: unknown,
): Promise<ImportConfigsReport> {
  const items = await parseWith('importConfigsInputSchema', input, 'configs to import');
  const at = ctx.now();
  const ids = items.map(() => newId('cfg', at.getTime()));
  for (const [index, item] of items.entries()) {
    await importer.allow('createConfig', ['config:write'], undefined, { scope: item.scope, provider: item.provider });
    if (item.key !== undefined)
      await importer.allow('setKey', ['key:manage'], ids[index], { scope: item.scope, provider: item.provider });
  }
  const issues = await checkItems(ctx, importer.tenantId, items, at);
  if (issues.length > 0) throw invalid(issues);
  // Keys only for providers the platform entitles the tenant to bring (as setKey): refused before any write.
  if (ctx.entitlement) {
    for (const provider of new Set(items.filter((item) => item.key !== undefined).map((item) => item.provider))) {
      await ctx.entitlement.require(ctx, importer.tenantId, provider);
    }
  }

  const report: ImportConfigsReport = { created: 0, failed: 0, results: [] };
  const view = (record: ConfigRecord) => toView(record, ctx.keyring, ctx.now());
  for (let start = 0; start < items.length; start += IMPORT_BATCH) {
    const batch: Prepared[] = [];
    for (let i = start; i < Math.min(items.length, start + IMPORT_BATCH); i++)
      batch.push(await prepare(ctx, importer, items[i]!, ids[i]!, at));
    const outcomes = await callStore(ctx, 'importConfigs', () => ctx.store.importConfigs(importer.tenantId, batch));
    if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
      throw new StoreError(
        'STORE_FAILED',
        byokitMessage(
          'vault',
          `the ${ctx.store.name} store's importConfigs returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} outcomes for ${batch.length} configs`,
        ),
      );
    }
    for (const [i, item] of batch.entries()) {
      let stored: ConfigRecord = item.record;
      if (outcomes[i] !== 'created') {
        try {
          stored = await createOnItsOwn(ctx, importer.tenantId, item);
        } catch (error) {
          if (!isByokitError(error, 'NAME_TAKEN')) throw error;
          report.failed += 1;
          report.results.push({ ok: false, code: error.code, message: error.message });
          continue;
        }
      }
      for (const event of item.audit) callDetached(ctx.auditSink, event, 'auditSink', ctx.onHookError);
      report.created += 1;
      report.results.push({ ok: true, config: view(stored) });
    }
  }
  return report;
}
