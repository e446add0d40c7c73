/**
 * The Redis storage adapter.
 *
 * Data layout, below each tenant's base `<keyPrefix>{<tenant>}:` (the braces
 * are a Redis Cluster hash tag, so a tenant's keys share one slot):
 *
 * | key                  | type | holds                                              |
 * | -------------------- | ---- | -------------------------------------------------- |
 * | `cfg:<id>`           | hash | one config, sealed key included (see `codec.ts`)   |
 * | `ids`                | zset | every config id, score 0, lex order = id order     |
 * | `scope:<scope>`      | zset | config ids of one scope (resolution read, filter)  |
 * | `prov:<n>:<provider>:<scope>` | zset | config ids of one provider in one scope (`n`: the provider's length) |
 * | `prov-index`         | string | present once the `prov:` indexes hold every config |
 * | `names`              | hash | name → id, for unique names                        |
 * | `defaults`           | hash | scope → id of its default config                   |
 * | `audit`              | zset | every audit event id, score 0                      |
 * | `audit:data`         | hash | event id → event JSON                              |
 * | `audit:cfg:<id>`     | zset | event ids of one config (configId filter)          |
 * | `audit:type:<type>`  | zset | event ids of one type (type filter)                |
 * | `health:<id>`        | hash | the health of one config's key (see `key-health-scripts.ts`) |
 *
 * One key outside every tenant, `<keyPrefix>tenants` (zset), lists the
 * tenants for the store-wide reads of a KEK rotation (see
 * `rotation-scripts.ts`).
 *
 * The settings document and access keys add their own keys (see
 * `access-scripts.ts`), all below the tenant's base but one locator per
 * access key, `<keyPrefix>locate:<id>`, since a token names no tenant.
 *
 * @module
 */
import { storedRecord } from '../../src/store/patch.js';
import { ByokitError, ConflictError, StoreError, ValidationError } from '../../src/errors.js';
import type {
  AuditEvent,
  AuditQuery,
  CandidateFilter,
  SealedConfigRecord,
  ConfigImport,
  ConfigPatch,
  ConfigQuery,
  ConfigRecord,
  ImportOutcome,
  KeyHealthChange,
  KeyHealthRecord,
  KeyHealthResult,
  KeyHealthWriteOptions,
  Page,
  ScopePath,
  SealedConfigQuery,
  SealedKeySwap,
  KeyCount,
  StoredKeyState,
  StoreSealedConfigQuery,
  StorageAdapter,
  StoreCapabilities,
  UpdateOptions,
  WriteOptions,
} from '../../src/store/types.js';
import type {
  AccessKeyCandidates,
  AccessKeyQuery,
  AccessKeyRecord,
  AccessKeyUse,
  AccessKeyUseResult,
  AccessKeyUsageQuery,
  AccessKeyUsageRecord,
  TokenCharge,
} from '../../src/store/access-key-storage.js';
import type { PutSettingsOptions, SettingsRecord } from '../../src/store/settings-storage.js';
import { decodeAccessKey, decodeSettings, encodeAccessKey } from './access-codec.js';
import {
  ACCESS_KEY_CANDIDATES_SCRIPT,
  ACCESS_KEY_CHARGE_SCRIPT,
  ACCESS_KEY_CREATE_SCRIPT,
  ACCESS_KEY_GET_SCRIPT,
  ACCESS_KEY_LIST_SCRIPT,
  ACCESS_KEY_REVOKE_SCRIPT,
  ACCESS_KEY_USE_SCRIPT,
  LOCATOR_CLAIM_SCRIPT,
  LOCATOR_GET_SCRIPT,
  LOCATOR_RELEASE_SCRIPT,
  SETTINGS_GET_SCRIPT,
  SETTINGS_PUT_SCRIPT,
  TENANT_ACCESS_KEY_CANDIDATES_SCRIPT,
  USAGE_LIST_SCRIPT,
} from './access-scripts.js';
import { runScript, type LuaScript, type RedisClientLike } from './client.js';
import { decodeCandidate, decodeRecord, encodePatch, encodeRecord } from './codec.js';
import { assertKeyPrefix, DEFAULT_KEY_PREFIX, locatorKey, tenantBase } from './keys.js';
import { decodeKeyHealth, HEALTH_LOAD_SCRIPT, HEALTH_RECORD_SCRIPT } from './key-health-scripts.js';
import { COOLDOWN_LOAD_SCRIPT, COOLDOWN_PUT_SCRIPT, decodeCooldown } from './cooldown-scripts.js';
import type { KeyCooldownRecord } from '../../src/store/cooldown-storage.js';
import {
  TENANT_COUNT_SCRIPT,
  TENANT_INDEX_SCRIPT,
  TENANT_PAGE_SCRIPT,
  TENANT_REGISTER_SCRIPT,
  tenantRegistryKey,
} from './rotation-scripts.js';
import { decodeStoreCursor, encodeStoreCursor } from '../../src/store/key-counts.js';

/** Tenant ids read from the registry per round trip. */
const TENANT_PAGE = 500;

import {
  CANDIDATES_SCRIPT,
  CREATE_SCRIPT,
  DELETE_SCRIPT,
  FILTERED_CANDIDATES_SCRIPT,
  GET_SCRIPT,
  IMPORT_SCRIPT,
  LIST_AUDIT_SCRIPT,
  LIST_CONFIGS_SCRIPT,
  SEALED_CONFIG_SCRIPT,
  SWAP_SEALED_SCRIPT,
  UPDATE_SCRIPT,
} from './scripts.js';
import { byokitMessage } from '../../src/message.js';
import { pageFetchLimit, pageOf } from '../../src/store/adapter-helpers.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * Prefix of every key the store writes; default `'byokit:'`. Must not
   * contain `{` or `}` (the tenant id is the cluster hash tag).
   *
   * A client-side prefix (ioredis `keyPrefix`) applies as well, in front of
   * this one: the scripts derive every key from the one key they are passed,
   * so a key ends up as `<ioredis keyPrefix><keyPrefix>{<tenant>}:...`. Use
   * either; both together work too. Keep braces out of the ioredis prefix
   * as well: Redis Cluster takes the first `{...}` as the hash tag, so a
   * braced client prefix would put every tenant into one slot.
   */
  keyPrefix?: string;
}

/** Script replies: a status, then a payload when the status is `OK`. */
type Reply = [status: string, payload?: unknown, extra?: unknown];

function asReply(value: unknown): Reply {
  if (!Array.isArray(value) || typeof value[0] !== 'string') throw new TypeError('unexpected script reply');
  return value as Reply;
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError('unexpected script payload');
  return value;
}

/** `''` for "none", `'='..value` for a value, as the scripts expect. */
function ref(value: string | null | undefined): string {
  return value === null || value === undefined ? '' : `=${value}`;
}

/** Script arguments of an audit event, stored under the calling tenant whatever the event says. */
function auditArgs(event: AuditEvent, tenantId: string): string[] {
  return [event.id, JSON.stringify({ ...event, tenantId }), ref(event.configId), event.type];
}

/**
 * A copy of a backend error without what ioredis attaches to it: ioredis
 * puts the command and its arguments (sealed keys among them) on
 * `error.command`, so the original must not travel on as `cause`.
 */
function scrub(error: unknown): Error {
  const safe = new Error(error instanceof Error ? error.message : 'non-error thrown');
  safe.name = error instanceof Error ? error.name : 'Error';
  return safe;
}

/**
 * {@link StorageAdapter} over Redis (standalone, or a Cluster that is not
 * resharding: scripts derive key names from the one tenant key they are
 * given, so a slot migration under load is unsupported). Every call is
 * one Lua script run with EVALSHA (falling back to EVAL when the server has
 * not cached the script), so every change, its index updates and its audit
 * event apply atomically, and the resolution read is one round trip.
 *
 * The client is yours: the store never connects, quits or changes it.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisStore } from 'byokit/adapters/redis';
 *
 * const store = new RedisStore(new Redis(process.env.REDIS_URL!), { keyPrefix: 'myapp:byokit:' });
 * const vault = createVault({ store, keyring: Keyring.fromEnv() });
 * ```
 */
export class RedisStore implements StorageAdapter {
  readonly name = 'redis';
  readonly capabilities: StoreCapabilities = { transactions: true };

  readonly #client: RedisClientLike;
  readonly #keyPrefix: string;
  /** Tenants this instance has put in the registry. */
  readonly #registered = new Set<string>();

  /**
   * @param client - an ioredis `Redis` or `Cluster`, or anything with
   *   {@link RedisClientLike}'s two methods.
   * @throws StoreError `ADAPTER_INVALID` if `client` lacks `evalsha`/`eval`;
   *   ValidationError for options that are not an object or a `keyPrefix` with braces.
   */
  constructor(client: RedisClientLike, options: RedisStoreOptions = {}) {
    const missing = (['evalsha', 'eval'] as const).filter(
      (method) => typeof (client as unknown as Record<string, unknown> | null)?.[method] !== 'function',
    );
    if (missing.length > 0) {
      throw new StoreError(
        'ADAPTER_INVALID',
        byokitMessage('redis', `the client lacks ${missing.join(', ')}; pass an ioredis Redis or Cluster`),
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError(byokitMessage('redis', 'options must be an object'), [
        { path: '(options)', message: 'must be an object' },
      ]);
    }
    const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    assertKeyPrefix(keyPrefix);
    this.#client = client;
    this.#keyPrefix = keyPrefix;
  }

  /** Runs one script for a tenant; any backend or decoding failure becomes a `StoreError`. */
  async #run<T>(
    operation: string,
    tenantId: string,
    script: LuaScript,
    args: string[],
    read: (reply: Reply) => T,
  ): Promise<T> {
    return this.#runOn(operation, [tenantBase(this.#keyPrefix, tenantId)], script, args, read);
  }

  /** Runs one script on the given keys; any backend or decoding failure becomes a `StoreError`. */
  async #runOn<T>(
    operation: string,
    keys: string[],
    script: LuaScript,
    args: string[],
    read: (reply: Reply) => T,
  ): Promise<T> {
    try {
      const reply = asReply(await runScript(this.#client, script, keys, args));
      return read(reply);
    } catch (error) {
      if (error instanceof ByokitError) throw error;
      throw new StoreError('STORE_FAILED', byokitMessage('redis', `${operation} failed`), { cause: scrub(error) });
    }
  }

  /**
   * Adds a tenant to the registry the store-wide reads walk, before its
   * configs are written (never a config without its tenant). Once per
   * tenant and store instance: the registry only grows, so a tenant
   * registered once stays registered.
   */
  async #register(operation: string, tenantId: string): Promise<void> {
    if (this.#registered.has(tenantId)) return;
    await this.#runOn(
      operation,
      [tenantRegistryKey(this.#keyPrefix)],
      TENANT_REGISTER_SCRIPT,
      [tenantId],
      () => undefined,
    );
    // Bounded: a store serving very many tenants forgets and registers again (idempotent).
    if (this.#registered.size >= 10_000) this.#registered.clear();
    this.#registered.add(tenantId);
  }

  async createConfig(record: ConfigRecord, { audit }: WriteOptions): Promise<ConfigRecord> {
    await this.#register('createConfig', record.tenantId);
    const args = [
      ...auditArgs(audit, record.tenantId),
      record.id,
      record.name,
      record.scope,
      record.isDefault ? '1' : '0',
      ...encodeRecord(record),
    ];
    return this.#run('createConfig', record.tenantId, CREATE_SCRIPT, args, ([status]) => {
      if (status === 'NAME_TAKEN') {
        throw new ConflictError(
          'NAME_TAKEN',
          byokitMessage('redis', `a config named "${record.name}" already exists in this tenant`),
        );
      }
      if (status === 'ID_TAKEN')
        throw new StoreError('STORE_FAILED', byokitMessage('redis', `config id ${record.id} already exists`));
      if (status !== 'OK') throw new TypeError('unexpected script status');
      // A new config has no key, so no KEK id, whatever the record says.
      return storedRecord(record, null);
    });
  }

  async getConfig(tenantId: string, id: string): Promise<ConfigRecord | null> {
    return this.#run('getConfig', tenantId, GET_SCRIPT, [id], ([status, payload]) =>
      status === 'NOT_FOUND' ? null : decodeRecord(payload),
    );
  }

  async listConfigs(tenantId: string, query: ConfigQuery): Promise<Page<ConfigRecord>> {
    const args = [
      query.cursor ?? '',
      String(pageFetchLimit(query.limit)),
      ref(query.scope),
      ref(query.provider),
      ref(query.kekIdNot),
      '',
      '',
    ];
    return this.#run('listConfigs', tenantId, LIST_CONFIGS_SCRIPT, args, ([, payload]) => {
      const rows = asArray(payload).map(decodeRecord);
      return pageOf(rows, query.limit);
    });
  }

  async updateConfig(
    tenantId: string,
    id: string,
    patch: ConfigPatch,
    options: UpdateOptions,
  ): Promise<ConfigRecord | null> {
    const { set, del } = encodePatch(patch);
    const expected = options.expectedRevision === undefined ? '' : String(options.expectedRevision);
    const args = [...auditArgs(options.audit, tenantId), id, expected, String(set.length / 2), ...set, ...del];
    return this.#run('updateConfig', tenantId, UPDATE_SCRIPT, args, ([status, payload]) => {
      if (status === 'NOT_FOUND') return null;
      if (status === 'CONCURRENT_UPDATE') {
        throw new ConflictError('CONCURRENT_UPDATE', byokitMessage('redis', `config ${id} changed since it was read`));
      }
      if (status === 'NAME_TAKEN') {
        throw new ConflictError(
          'NAME_TAKEN',
          byokitMessage('redis', `a config named "${patch.name ?? ''}" already exists in this tenant`),
        );
      }
      return decodeRecord(payload);
    });
  }

  async deleteConfig(tenantId: string, id: string, { audit }: WriteOptions): Promise<boolean> {
    return this.#run(
      'deleteConfig',
      tenantId,
      DELETE_SCRIPT,
      [...auditArgs(audit, tenantId), id],
      ([status]) => status === 'OK',
    );
  }

  async loadCandidates(
    tenantId: string,
    scopes: readonly ScopePath[],
    filter?: CandidateFilter,
  ): Promise<SealedConfigRecord[]> {
    const distinct = [...new Set(scopes)];
    if (distinct.length === 0) return [];
    const [script, args] = filter
      ? [
          FILTERED_CANDIDATES_SCRIPT,
          [filter.now, ref(filter.provider), ref(filter.config), filter.pool === true ? '1' : '0', ...distinct],
        ]
      : [CANDIDATES_SCRIPT, distinct];
    return this.#run('loadCandidates', tenantId, script, args, ([, payload]) =>
      asArray(payload)
        .map(decodeCandidate)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    );
  }

  async loadSealedConfig(tenantId: string, id: string): Promise<SealedConfigRecord | null> {
    return this.#run('loadSealedConfig', tenantId, SEALED_CONFIG_SCRIPT, [id], ([status, payload]) =>
      status === 'NOT_FOUND' ? null : decodeCandidate(payload),
    );
  }

  async recordKeyHealth(
    tenantId: string,
    configId: string,
    change: KeyHealthChange,
    { audit }: KeyHealthWriteOptions,
  ): Promise<KeyHealthResult | null> {
    const failures = change.failures && change.failures.count > 0 ? change.failures : null;
    const args = [
      ...auditArgs(audit.failing, tenantId),
      ...auditArgs(audit.recovered, tenantId),
      configId,
      change.keySetAt,
      ref(change.usedAt),
      ref(change.successAt),
      ref(change.validAt),
      String(failures?.count ?? 0),
      ref(failures?.firstAt),
      ref(failures?.lastAt),
    ];
    return this.#run('recordKeyHealth', tenantId, HEALTH_RECORD_SCRIPT, args, ([status, payload, transition]) => {
      if (status === 'NOT_FOUND') return null;
      if (transition !== '' && transition !== 'failing' && transition !== 'recovered')
        throw new TypeError('unexpected script payload');
      return {
        health: decodeKeyHealth(tenantId, configId, payload),
        transition: transition === '' ? null : transition,
      };
    });
  }

  async loadKeyHealth(tenantId: string, configIds: readonly string[]): Promise<KeyHealthRecord[]> {
    const distinct = [...new Set(configIds)];
    if (distinct.length === 0) return [];
    return this.#run('loadKeyHealth', tenantId, HEALTH_LOAD_SCRIPT, distinct, ([, payload]) =>
      asArray(payload).map((entry) => {
        const [id, flat] = asArray(entry);
        if (typeof id !== 'string') throw new TypeError('unexpected script payload');
        return decodeKeyHealth(tenantId, id, flat);
      }),
    );
  }

  /** One script: keeps the later cooldown; the key expires at `until` (Redis drops it). */
  async putKeyCooldown(tenantId: string, cooldown: KeyCooldownRecord): Promise<void> {
    const ttl = Math.max(1, Math.ceil(Date.parse(cooldown.until) - Date.now()));
    if (!Number.isFinite(ttl))
      throw new StoreError('STORE_FAILED', byokitMessage('redis', 'putKeyCooldown needs an ISO time as until'));
    const args = [cooldown.configId, cooldown.until, cooldown.reason, cooldown.setAt, String(ttl)];
    await this.#run('putKeyCooldown', tenantId, COOLDOWN_PUT_SCRIPT, args, () => undefined);
  }

  async loadKeyCooldowns(tenantId: string, configIds: readonly string[], now: string): Promise<KeyCooldownRecord[]> {
    const distinct = [...new Set(configIds)];
    if (distinct.length === 0) return [];
    return this.#run('loadKeyCooldowns', tenantId, COOLDOWN_LOAD_SCRIPT, [now, ...distinct], ([, payload]) =>
      asArray(payload).map((entry) => decodeCooldown(tenantId, entry)),
    );
  }

  async listSealedConfigs(tenantId: string, query: SealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const args = [query.cursor ?? '', String(pageFetchLimit(query.limit)), '', '', ref(query.kekIdNot), '1', '1'];
    return this.#run('listSealedConfigs', tenantId, LIST_CONFIGS_SCRIPT, args, ([, payload]) => {
      const rows = asArray(payload).map(decodeCandidate);
      return pageOf(rows, query.limit);
    });
  }

  /**
   * Walks the tenant registry in byte order and each tenant's id index
   * from the cursor: one script per tenant visited (each in its own slot),
   * until the page is full. The cursor is the last (tenant, id) returned.
   */
  async listSealedConfigsAcrossTenants(query: StoreSealedConfigQuery): Promise<Page<SealedConfigRecord>> {
    const after = query.cursor === undefined ? null : decodeStoreCursor(query.cursor);
    const want = pageFetchLimit(query.limit);
    // Each row with the tenant it was found under: the cursor follows the registry, whatever a hash says.
    const found: { tenantId: string; row: SealedConfigRecord }[] = [];
    let tenantCursor = after;
    for await (const tenantId of this.#tenants(after?.[0] ?? null)) {
      const idCursor = tenantCursor !== null && tenantCursor[0] === tenantId ? tenantCursor[1] : '';
      tenantCursor = null;
      const rows = await this.#run(
        'listSealedConfigsAcrossTenants',
        tenantId,
        LIST_CONFIGS_SCRIPT,
        [idCursor, String(want - found.length), '', '', ref(query.kekIdNot), '1', '1'],
        ([, payload]) => asArray(payload).map(decodeCandidate),
      );
      for (const row of rows) found.push({ tenantId, row });
      if (found.length >= want) break;
    }
    const page = pageOf(found, query.limit, (e) => encodeStoreCursor(e.tenantId, e.row.id));
    return { items: page.items.map((e) => e.row), nextCursor: page.nextCursor };
  }

  async countKeysByKek({ now }: { now: string }): Promise<KeyCount[]> {
    const counts = new Map<string, KeyCount>();
    for await (const tenantId of this.#tenants(null)) {
      const flat = await this.#run('countKeysByKek', tenantId, TENANT_COUNT_SCRIPT, [now], ([, payload]) =>
        asArray(payload),
      );
      for (let i = 0; i + 2 < flat.length; i += 3) {
        const [kekRef, state, count] = [String(flat[i]), String(flat[i + 1]) as StoredKeyState, Number(flat[i + 2])];
        const line = counts.get(`${kekRef} ${state}`);
        if (line) line.count += count;
        else counts.set(`${kekRef} ${state}`, { kekId: kekRef === '' ? null : kekRef.slice(1), state, count });
      }
    }
    return [...counts.values()];
  }

  /** The registered tenants in byte order, from `from` (inclusive) on, a page per round trip. */
  async *#tenants(from: string | null): AsyncGenerator<string> {
    let min = from === null ? '-' : `[${from}`;
    for (;;) {
      const page = await this.#runOn(
        'listTenants',
        [tenantRegistryKey(this.#keyPrefix)],
        TENANT_PAGE_SCRIPT,
        [min, String(TENANT_PAGE)],
        ([, payload]) => asArray(payload).map(String),
      );
      yield* page;
      if (page.length < TENANT_PAGE) return;
      min = `(${page.at(-1)!}`;
    }
  }

  /**
   * Fills the tenant registry that the store-wide reads of a KEK rotation
   * walk, from the tenants' own keys (a SCAN over this server). Only needed
   * once, for data written by a byokit that kept no registry (before 0.2);
   * safe to run again, and beside traffic. On a Cluster, run it with a
   * client for each primary node.
   *
   * @returns the number of SCAN steps taken.
   */
  async indexTenants(): Promise<number> {
    let cursor = '0';
    let steps = 0;
    do {
      cursor = await this.#runOn(
        'indexTenants',
        [tenantRegistryKey(this.#keyPrefix)],
        TENANT_INDEX_SCRIPT,
        [cursor, '1000'],
        ([, next]) => String(next),
      );
      steps += 1;
    } while (cursor !== '0');
    return steps;
  }

  async swapSealedKeys(tenantId: string, swaps: readonly SealedKeySwap[]): Promise<boolean[]> {
    if (swaps.length === 0) return [];
    const args = swaps.flatMap((swap) => [
      swap.id,
      swap.from,
      swap.to,
      swap.updatedAt,
      ...auditArgs(swap.audit, tenantId),
    ]);
    return this.#run('swapSealedKeys', tenantId, SWAP_SEALED_SCRIPT, args, ([, payload]) => {
      const applied = asArray(payload);
      if (applied.length !== swaps.length) throw new TypeError('unexpected swap reply');
      return applied.map((value) => value === '1');
    });
  }

  async importConfigs(tenantId: string, items: readonly ConfigImport[]): Promise<ImportOutcome[]> {
    if (items.length === 0) return [];
    await this.#register('importConfigs', tenantId);
    const payload = items.map(({ record, sealedKey, audit }) => ({
      id: record.id,
      name: record.name,
      scope: record.scope,
      isDefault: record.isDefault,
      fields: [...encodeRecord({ ...record, tenantId }), ...(sealedKey === null ? [] : ['sealedKey', sealedKey])],
      audit: audit.map((event) => auditArgs(event, tenantId)),
    }));
    return this.#run('importConfigs', tenantId, IMPORT_SCRIPT, [JSON.stringify(payload)], ([, reply]) => {
      const outcomes = asArray(reply);
      if (outcomes.length !== items.length || outcomes.some((o) => o !== 'created' && o !== 'conflict'))
        throw new TypeError('unexpected import reply');
      return outcomes as ImportOutcome[];
    });
  }

  async listAudit(tenantId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const args = [query.cursor ?? '', String(pageFetchLimit(query.limit)), ref(query.configId), ref(query.type)];
    return this.#run('listAudit', tenantId, LIST_AUDIT_SCRIPT, args, ([, payload]) => {
      const events = asArray(payload).map((json) => {
        if (typeof json !== 'string') throw new TypeError('audit event missing');
        return JSON.parse(json) as AuditEvent;
      });
      return pageOf(events, query.limit);
    });
  }

  async getSettings(tenantId: string): Promise<SettingsRecord | null> {
    return this.#run('getSettings', tenantId, SETTINGS_GET_SCRIPT, [], ([, payload]) => decodeSettings(payload));
  }

  async putSettings(record: SettingsRecord, { audit, expectedRevision }: PutSettingsOptions): Promise<SettingsRecord> {
    const args = [
      ...auditArgs(audit, record.tenantId),
      String(expectedRevision),
      String(record.revision),
      JSON.stringify(record.document),
      record.updatedAt,
      record.tenantId,
    ];
    return this.#run('putSettings', record.tenantId, SETTINGS_PUT_SCRIPT, args, ([status, payload]) => {
      if (status === 'CONCURRENT_UPDATE') {
        throw new ConflictError(
          'CONCURRENT_UPDATE',
          byokitMessage('redis', `the settings of tenant "${record.tenantId}" changed since they were read`),
        );
      }
      return decodeSettings(payload)!;
    });
  }

  /**
   * Claims the id in the locator first (its own slot, so a separate
   * script), then writes the key and its event in the tenant's script; a
   * claim the second step leaves without a key is released. A locator
   * without a key reads as an unknown key.
   */
  async createAccessKey(record: AccessKeyRecord, { audit }: WriteOptions): Promise<AccessKeyRecord> {
    const locator = locatorKey(this.#keyPrefix, record.id);
    const idTaken = () =>
      new StoreError('STORE_FAILED', byokitMessage('redis', `access key id ${record.id} already exists`));
    await this.#runOn('createAccessKey', [locator], LOCATOR_CLAIM_SCRIPT, [record.tenantId], ([status]) => {
      if (status !== 'OK') throw idTaken();
    });
    try {
      const args = [...auditArgs(audit, record.tenantId), record.id, encodeAccessKey(record), record.scope];
      return await this.#run('createAccessKey', record.tenantId, ACCESS_KEY_CREATE_SCRIPT, args, ([status]) => {
        if (status !== 'OK') throw idTaken();
        return structuredClone(record);
      });
    } catch (error) {
      const keyKey = `${tenantBase(this.#keyPrefix, record.tenantId)}key:${record.id}`;
      await runScript(this.#client, LOCATOR_RELEASE_SCRIPT, [locator, keyKey], [record.tenantId]).catch(
        () => undefined,
      );
      throw error;
    }
  }

  async getAccessKey(tenantId: string, id: string): Promise<AccessKeyRecord | null> {
    return this.#run('getAccessKey', tenantId, ACCESS_KEY_GET_SCRIPT, [id], ([status, payload]) =>
      status === 'NOT_FOUND' ? null : decodeAccessKey(payload),
    );
  }

  async listAccessKeys(tenantId: string, query: AccessKeyQuery): Promise<Page<AccessKeyRecord>> {
    return this.#run(
      'listAccessKeys',
      tenantId,
      ACCESS_KEY_LIST_SCRIPT,
      [query.cursor ?? '', String(pageFetchLimit(query.limit))],
      ([, payload]) => {
        const rows = asArray(payload).map(decodeAccessKey);
        return pageOf(rows, query.limit);
      },
    );
  }

  async revokeAccessKey(
    tenantId: string,
    id: string,
    revokedAt: string,
    { audit }: WriteOptions,
  ): Promise<AccessKeyRecord | null> {
    const args = [...auditArgs(audit, tenantId), id, revokedAt];
    return this.#run('revokeAccessKey', tenantId, ACCESS_KEY_REVOKE_SCRIPT, args, ([status, payload]) =>
      status === 'NOT_FOUND' ? null : decodeAccessKey(payload),
    );
  }

  /**
   * One script on standalone Redis: the locator names the tenant and the
   * script reads below that tenant's base. On a Redis Cluster
   * (`client.isCluster`), where the locator and the tenant live in
   * different slots, two: the locator, then the tenant's script.
   */
  async loadAccessKeyCandidates(id: string): Promise<AccessKeyCandidates | null> {
    const locator = locatorKey(this.#keyPrefix, id);
    const read = ([status, accessKey, candidates, settings]: unknown[]): AccessKeyCandidates | null =>
      status === 'NOT_FOUND'
        ? null
        : {
            accessKey: decodeAccessKey(accessKey),
            candidates: asArray(candidates)
              .map(decodeCandidate)
              .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
            settings: decodeSettings(settings),
          };
    if ((this.#client as { isCluster?: unknown }).isCluster !== true) {
      return this.#runOn('loadAccessKeyCandidates', [locator], ACCESS_KEY_CANDIDATES_SCRIPT, [id], read);
    }
    const tenantId = await this.#runOn(
      'loadAccessKeyCandidates',
      [locator],
      LOCATOR_GET_SCRIPT,
      [],
      ([status, tenant]) => (status === 'NOT_FOUND' ? null : String(tenant)),
    );
    return tenantId === null
      ? null
      : this.#run('loadAccessKeyCandidates', tenantId, TENANT_ACCESS_KEY_CANDIDATES_SCRIPT, [id], read);
  }

  async useAccessKey(tenantId: string, id: string, use: AccessKeyUse): Promise<AccessKeyUseResult> {
    const args = [
      id,
      use.period,
      ref(use.requests?.window),
      ref(use.requests && String(use.requests.limit)),
      ref(use.tokens?.window),
      ref(use.tokens && String(use.tokens.limit)),
    ];
    return this.#run('useAccessKey', tenantId, ACCESS_KEY_USE_SCRIPT, args, (reply) => {
      const [, exceeded, requests, tokens] = reply as unknown[];
      return {
        exceeded: exceeded === '' ? null : (exceeded as 'requests' | 'tokens'),
        requests: Number(requests),
        tokens: Number(tokens),
      };
    });
  }

  async chargeAccessKeyTokens(tenantId: string, id: string, charge: TokenCharge): Promise<void> {
    await this.#run(
      'chargeAccessKeyTokens',
      tenantId,
      ACCESS_KEY_CHARGE_SCRIPT,
      [id, charge.period, String(charge.tokens), ref(charge.window)],
      () => undefined,
    );
  }

  async listAccessKeyUsage(tenantId: string, query: AccessKeyUsageQuery): Promise<Page<AccessKeyUsageRecord>> {
    const args = [
      query.cursor ?? '',
      String(pageFetchLimit(query.limit)),
      ref(query.keyId),
      ref(query.from),
      ref(query.to),
    ];
    return this.#run('listAccessKeyUsage', tenantId, USAGE_LIST_SCRIPT, args, ([, payload]) => {
      const rows = asArray(payload).map((entry) => {
        const [member, requests, tokens] = asArray(entry) as string[];
        const colon = member!.indexOf(':');
        return {
          tenantId,
          keyId: member!.slice(colon + 1),
          period: member!.slice(0, colon),
          requests: Number(requests),
          tokens: Number(tokens),
        };
      });
      return pageOf(rows, query.limit, (row) => `${row.period}:${row.keyId}`);
    });
  }
}
