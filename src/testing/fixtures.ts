/**
 * Record builders the suite uses, exported so adapter authors can write
 * their own extra tests with the same realistic values.
 *
 * @module
 */
import { newId } from '../ids.js';
import type { AccessKeyRecord } from '../store/access-key-storage.js';
import type { SettingsRecord } from '../store/settings-storage.js';
import type { AuditEvent, AuditEventType, ConfigPatch, ConfigRecord } from '../store/types.js';
import { noStagedKeys } from '../store/patch.js';

/** A random suffix, so names and tenant ids of one test never collide with another's. */
export function uniqueSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Two fresh tenant ids for one test (fresh so a raw dump can be searched for them). */
export function makeTenantIds(): {
  /** The tenant a test writes to. */
  a: string;
  /** Another tenant, which must never see `a`'s rows. */
  b: string;
} {
  const suffix = uniqueSuffix();
  return { a: `tenant-a-${suffix}`, b: `tenant-b-${suffix}` };
}

/**
 * A valid {@link ConfigRecord} as the vault would create it: revision 1, no
 * key, every nullable field `null`. Override any field.
 *
 * @example
 * ```ts
 * const record = makeConfigRecord({ tenantId: 'acme', name: 'prod', isDefault: true });
 * await store.createConfig(record, { audit: makeAuditEventFor(record, 'config.created') });
 * ```
 */
export function makeConfigRecord(overrides: Partial<ConfigRecord> = {}): ConfigRecord {
  const id = overrides.id ?? newId('cfg');
  const now = new Date().toISOString();
  return {
    id,
    tenantId: 'tenant-a',
    scope: '',
    name: `config-${id}`,
    provider: 'openai',
    routes: [],
    model: null,
    baseUrl: null,
    options: {},
    enabled: true,
    isDefault: false,
    keyHint: null,
    kekId: null,
    keySetAt: null,
    keyExpiresAt: null,
    lastValidatedAt: null,
    lastValidationStatus: null,
    ...noStagedKeys(),
    createdAt: now,
    updatedAt: now,
    revision: 1,
    ...overrides,
  };
}

/**
 * A record with every field set to a non-default value, unicode in the
 * name, mixed option types and routes: the round-trip stress case.
 */
export function makeRichConfigRecord(overrides: Partial<ConfigRecord> = {}): ConfigRecord {
  return makeConfigRecord({
    scope: 'ws-ü/proj 7',
    name: `Prod – Ünïcödé 鍵 🔑 "quoted" 'single' \\ ${uniqueSuffix()}`,
    provider: 'custom',
    routes: ['openai', 'anthropic', 'mistral'],
    model: 'gpt-4o-mini-2024-07-18',
    baseUrl: 'https://llm.example.com/v1?tenant=a&x=%20',
    options: {
      apiVersion: '2024-06-01',
      deployment: 'prod-eu',
      temperature: 0.25,
      maxTokens: 4096,
      stream: true,
      beta: false,
      zero: 0,
      numeric: '007',
      empty: '',
    },
    enabled: false,
    isDefault: true,
    keyExpiresAt: '2031-12-31T23:59:59.999Z',
    lastValidatedAt: '2025-02-03T04:05:06.007Z',
    lastValidationStatus: 'rate_limited',
    createdAt: '2025-01-02T03:04:05.678Z',
    updatedAt: '2025-01-02T03:04:05.678Z',
    ...overrides,
  });
}

/**
 * A valid {@link AuditEvent}. Override any field; `tenantId` and
 * `configId` usually come from the record the event is about.
 */
export function makeAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: overrides.id ?? newId('evt'),
    at: new Date().toISOString(),
    tenantId: 'tenant-a',
    configId: null,
    actor: { id: 'user-1', role: 'owner' },
    type: 'config.updated',
    changes: [],
    keyHint: null,
    detail: {},
    ...overrides,
  };
}

/** An audit event of `type` about `record` (same tenant and config id). */
export function makeAuditEventFor(
  record: Pick<ConfigRecord, 'id' | 'tenantId'>,
  type: AuditEventType,
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
  return makeAuditEvent({ tenantId: record.tenantId, configId: record.id, type, ...overrides });
}

/** A provider key, its sealed form and its public hint, as the vault would produce them. */
export interface FakeKey {
  /** The plaintext provider key: must never reach the backend. */
  plaintext: string;
  /** An opaque sealed string (`byokit:1:...`), the only form an adapter ever sees. */
  sealedKey: string;
  /** The hint stored beside it. */
  keyHint: string;
  /** The KEK id the sealed form names: what an adapter must report as the record's `kekId`. */
  kekId: string;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A canary provider key and a stand-in sealed form of it. The sealed form
 * is the key XORed with a random pad, so it looks like ciphertext, contains
 * no piece of the plaintext and stays independent of the crypto module:
 * adapters must treat `sealedKey` as opaque text anyway.
 *
 * @param kekId - id of the pretend key-encryption key.
 */
export function makeFakeKey(kekId = 'kek-1'): FakeKey {
  const plaintext = `sk-canary-${uniqueSuffix()}${uniqueSuffix()}${uniqueSuffix()}`;
  const plain = new TextEncoder().encode(plaintext);
  const pad = crypto.getRandomValues(new Uint8Array(plain.length + 32));
  const sealed = plain.map((b, i) => b ^ pad[i]!);
  return {
    plaintext,
    sealedKey: `byokit:1:${kekId}:${base64url(pad)}.${base64url(sealed)}`,
    keyHint: `sk-...${plaintext.slice(-4)}`,
    kekId,
  };
}

/** The patch the vault sends to set or replace a key: sealed key and hint together (the KEK id follows the sealed key). */
export function makeKeyPatch(key: FakeKey, at = new Date().toISOString()): ConfigPatch {
  return { sealedKey: key.sealedKey, keyHint: key.keyHint, keySetAt: at, updatedAt: at };
}

/** The patch the vault sends to remove a key. */
export function makeKeyRemovalPatch(at = new Date().toISOString()): ConfigPatch {
  return { sealedKey: null, keyHint: null, keySetAt: null, updatedAt: at };
}

/**
 * A valid {@link AccessKeyRecord} as the vault would create it (a stand-in
 * hash: adapters store it as opaque text). Override any field.
 *
 * @example
 * ```ts
 * const key = makeAccessKeyRecord({ tenantId: 'acme', scope: 'ws1', quota: { requests: { limit: 10, per: 'minute' } } });
 * await store.createAccessKey(key, { audit: makeAuditEvent({ tenantId: 'acme', type: 'access_key.created' }) });
 * ```
 */
export function makeAccessKeyRecord(overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    id: overrides.id ?? newId('ak'),
    tenantId: 'tenant-a',
    scope: '',
    name: `app ${uniqueSuffix()}`,
    providers: null,
    models: null,
    quota: null,
    hint: `byk_live_...${uniqueSuffix().slice(0, 4)}`,
    secretHash: `hash-${uniqueSuffix()}${uniqueSuffix()}`,
    hashKeyId: 'h1',
    expiresAt: null,
    revokedAt: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A settings record at `revision` (default 1) holding `document` (default: an entitlement section). */
export function makeSettingsRecord(overrides: Partial<SettingsRecord> = {}): SettingsRecord {
  return {
    tenantId: 'tenant-a',
    document: { entitlement: { byok: true, providers: ['openai'] } },
    revision: 1,
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}
