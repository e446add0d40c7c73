/**
 * The core suite every runtime of the matrix runs (scripts/runtime-matrix.mjs):
 * Node 20, 22 and 24, Bun, Deno and Cloudflare workerd, each against the
 * packed package installed in a fresh project. It imports only public entry
 * points and uses only what every runtime has (no `node:` module, no vitest),
 * so the same checks run in a worker bundle and in a CLI process.
 *
 * Each check throws on failure; `runCoreSuite` reports them all.
 */
import { ByokitError, Keyring, MemoryStore, createClient, createVault, type AuditEvent, type Vault } from 'byokit';
import { tenantIdSchema } from 'byokit/schemas';

/** A sealed-format test vector (test/vectors/seal-v1.json). */
export interface SealVector {
  name: string;
  secret: string;
  context: { tenantId: string; configId: string; provider: string; baseUrl: string | null };
  kekId: string;
  kek: string;
  sealed: string;
}

export interface CoreSuiteOptions {
  /** Base URL of the local stand-in provider server (started by the matrix driver). */
  providerUrl: string;
  vectors: readonly SealVector[];
  /** Where to put a SQLite file, on runtimes that run the SQLite adapter; omitted elsewhere. */
  sqliteDir?: string;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
}

class CheckFailed extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ByokitError> {
  try {
    await promise;
  } catch (error) {
    check(
      error instanceof ByokitError && error.code === code,
      `expected ${code}, got ${String((error as Error)?.message ?? error)}`,
    );
    return error;
  }
  throw new CheckFailed(`expected ${code}, but the call succeeded`);
}

function bytesOfHex(hex: string): string {
  let text = '';
  for (let i = 0; i < hex.length; i += 2) text += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return btoa(text);
}

function owner(vault: Vault, tenantId = 'acme') {
  return vault.as({ tenantId, actor: { id: 'u1', role: 'owner' } });
}

/** A unique, provider-shaped key per call, so one run's requests never match another's. */
function freshKey(prefix: string): string {
  return `${prefix}MATRIX${Math.random().toString(36).slice(2).padEnd(12, '0')}${Date.now().toString(36)}`;
}

async function seenBy(providerUrl: string): Promise<SeenRequest[]> {
  const response = await fetch(`${providerUrl}/__seen`);
  return (await response.json()) as SeenRequest[];
}

const checks: Record<string, (options: CoreSuiteOptions) => Promise<string | void>> = {
  async 'crypto: every sealed test vector a vault can serve opens to its key'({ vectors }) {
    // One vector has a tenant id the vault refuses (it tests the format's encoding of any string).
    const servable = vectors.filter((vector) => tenantIdSchema.safeParse(vector.context.tenantId).success);
    check(servable.length >= 2, 'expected at least two vectors with a valid tenant id');
    for (const [index, vector] of servable.entries()) {
      const { tenantId, configId, provider, baseUrl } = vector.context;
      // The vector is sealed for its own config id: write it as a database row would hold it, through the storage contract.
      const store = new MemoryStore();
      const at = new Date().toISOString();
      const audit = (type: AuditEvent['type'], n: number): AuditEvent => ({
        id: `evt_01JD00000000000000000000${index}${n}`,
        at,
        tenantId,
        configId,
        actor: null,
        type,
        changes: [],
        keyHint: null,
        detail: {},
      });
      await store.createConfig(
        {
          id: configId,
          tenantId,
          scope: '',
          name: vector.name,
          provider,
          routes: [],
          model: null,
          baseUrl,
          options: {},
          enabled: true,
          isDefault: false,
          keyHint: null,
          kekId: null,
          keySetAt: null,
          keyExpiresAt: null,
          lastValidatedAt: null,
          lastValidationStatus: null,
          createdAt: at,
          updatedAt: at,
          revision: 1,
          pendingKeyHint: null,
          pendingKeySetAt: null,
          pendingKeyExpiresAt: null,
          previousKeyHint: null,
          previousKeySetAt: null,
          previousKeyExpiresAt: null,
          previousKeyKeptUntil: null,
        },
        { audit: audit('config.created', 0) },
      );
      await store.updateConfig(
        tenantId,
        configId,
        { sealedKey: vector.sealed, keyHint: 'vector', keySetAt: at },
        { audit: audit('key.set', 1) },
      );
      const vault = createVault({ store, keyring: Keyring.parse(`${vector.kekId}:${bytesOfHex(vector.kek)}`) });
      const r = await vault.resolve({ tenantId, config: configId });
      check(r.key.reveal() === vector.secret, `vector "${vector.name}" opened to the wrong key`);
    }
    return `${servable.length} of ${vectors.length} vectors`;
  },

  async 'crypto: a key round-trips, and only its hint is ever shown'() {
    const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
    const admin = owner(vault);
    const key = freshKey('sk-proj-');
    const cfg = await admin.createConfig({ name: 'prod', provider: 'openai' });
    const view = await admin.setKey(cfg.id, key);
    check(
      view.keyHint === `sk-proj-...${key.slice(-4)}` && view.keyState === 'active',
      `unexpected view ${view.keyHint} ${view.keyState}`,
    );
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    check(r.source === 'byok' && r.key.reveal() === key, 'resolution did not give the stored key');
    const printed = [
      JSON.stringify(r),
      String(r.key),
      `${r.key}`,
      JSON.stringify(await admin.listConfigs()),
      JSON.stringify(await admin.listAudit()),
    ];
    check(
      printed.every((text) => !text.includes(key.slice(8, 20))),
      'the key leaked into a printed value',
    );
  },

  async 'crypto: a key sealed under another keyring fails closed, never a platform fallback'() {
    const store = new MemoryStore();
    const first = createVault({ store, keyring: Keyring.generate('k1') });
    const cfg = await owner(first).createConfig({ name: 'prod', provider: 'openai' });
    await owner(first).setKey(cfg.id, freshKey('sk-proj-'));
    const second = createVault({
      store,
      keyring: Keyring.generate('k2'),
      platformKeys: { openai: 'sk-platform-000000000000000000001' },
    });
    await rejectsWith(second.resolve({ tenantId: 'acme', provider: 'openai' }), 'KEY_UNDECRYPTABLE');
    check((await owner(second).getConfig(cfg.id)).keyState === 'undecryptable', 'view does not say undecryptable');
  },

  async 'resolver: project > workspace > tenant > platform, custom routes, disabled falls through'() {
    const vault = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      platformKeys: { anthropic: 'sk-ant-platform0000000000000001' },
    });
    const admin = owner(vault);
    const keyed = async (name: string, scope: string, provider = 'openai', extra: Record<string, unknown> = {}) => {
      const cfg = await admin.createConfig({ name, provider, scope, ...extra });
      await admin.setKey(cfg.id, freshKey(provider === 'anthropic' ? 'sk-ant-' : 'sk-proj-'));
      return cfg;
    };
    const org = await keyed('org', '');
    const ws = await keyed('ws', 'ws1');
    const project = await keyed('project', 'ws1/p1');
    const pick = async (scope: string, provider = 'openai') =>
      (await vault.resolve({ tenantId: 'acme', scope, provider })).configId;
    check((await pick('ws1/p1')) === project.id, 'project key should win in its project');
    check((await pick('ws1/p2')) === ws.id, 'workspace key should win in another project');
    check((await pick('ws2')) === org.id, 'tenant key should win elsewhere');
    await admin.setEnabled(project.id, false);
    check((await pick('ws1/p1')) === ws.id, 'a disabled key should fall through to the parent scope');
    const gateway = await keyed('gateway', 'ws1', 'custom', {
      baseUrl: 'https://gateway.example.com/v1',
      routes: ['anthropic'],
    });
    const routed = await vault.resolve({ tenantId: 'acme', scope: 'ws1/p1', provider: 'anthropic' });
    check(
      routed.source === 'custom' && routed.configId === gateway.id,
      'a custom endpoint should serve the providers it routes',
    );
    const platform = await vault.resolve({ tenantId: 'acme', scope: 'ws2', provider: 'anthropic' });
    check(platform.source === 'platform', 'the platform key should be last');
    const pureByok = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      fallback: 'none',
      platformKeys: { openai: 'sk-platform-000000000000000000001' },
    });
    await rejectsWith(pureByok.resolve({ tenantId: 'acme', provider: 'openai' }), 'NO_KEY');
  },

  async 'memory store: unique names, one default per scope, audit newest first, pages'() {
    const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
    const admin = owner(vault);
    const a = await admin.createConfig({ name: 'a', provider: 'openai', isDefault: true });
    await rejectsWith(admin.createConfig({ name: 'a', provider: 'anthropic' }), 'NAME_TAKEN');
    const b = await admin.createConfig({ name: 'b', provider: 'openai', isDefault: true });
    check(
      !(await admin.getConfig(a.id)).isDefault && (await admin.getConfig(b.id)).isDefault,
      'setting a default must clear the other',
    );
    for (let i = 0; i < 5; i++) await admin.createConfig({ name: `c${i}`, provider: 'mistral' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.listConfigs({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    check(seen.join(',') === 'a,b,c0,c1,c2,c3,c4', `pages gave ${seen.join(',')}`);
    const audit = await admin.listAudit({ limit: 2 });
    check(audit.items.length === 2 && audit.items[0]!.id > audit.items[1]!.id, 'audit should be newest first');
  },

  async 'validation: bad input is a typed error with readable issues, and nothing is written'() {
    const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
    const admin = owner(vault);
    const error = await rejectsWith(
      admin.createConfig({ name: '', provider: 'Not A Provider', enabled: 'yes' } as never),
      'VALIDATION_FAILED',
    );
    check(
      /name: must have at least 1 character/.test(error.message) && /enabled: must be a boolean/.test(error.message),
      error.message,
    );
    check((await admin.listConfigs()).items.length === 0, 'a rejected call wrote something');
  },

  async 'providers: an openai client sends the tenant key to the configured base URL'({ providerUrl }) {
    // The stand-in provider listens on loopback: a self-hosted endpoint, opted in by name.
    const vault = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      allowPrivateEndpoints: [new URL(providerUrl).hostname],
    });
    const admin = owner(vault);
    const key = freshKey('sk-proj-');
    const cfg = await admin.createConfig({
      name: 'local',
      provider: 'openai',
      baseUrl: `${providerUrl}/v1`,
      model: 'gpt-test',
    });
    await admin.setKey(cfg.id, key);
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    const openai = await createClient(r, 'openai');
    const completion = await openai.chat.completions.create({
      model: r.model!,
      messages: [{ role: 'user', content: 'hi' }],
    });
    check(completion.choices[0]?.message.content === 'hello from the stand-in', 'unexpected completion');
    const validation = await admin.validateKey(cfg.id);
    check(validation.status === 'valid', `validateKey gave ${validation.status}`);
    const seen = (await seenBy(providerUrl)).filter((request) => request.authorization === `Bearer ${key}`);
    const paths = seen.map((request) => `${request.method} ${request.path}`);
    check(
      paths.includes('POST /v1/chat/completions') && paths.includes('GET /v1/models'),
      `the key reached ${paths.join(', ') || 'nothing'}`,
    );
  },

  async 'providers: an anthropic client sends the tenant key to the configured base URL'({ providerUrl }) {
    // The stand-in provider listens on loopback: a self-hosted endpoint, opted in by name.
    const vault = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      allowPrivateEndpoints: [new URL(providerUrl).hostname],
    });
    const admin = owner(vault);
    const key = freshKey('sk-ant-api03-');
    const cfg = await admin.createConfig({ name: 'local', provider: 'anthropic', baseUrl: `${providerUrl}/anthropic` });
    await admin.setKey(cfg.id, key);
    const claude = await createClient(await vault.resolve({ tenantId: 'acme', provider: 'anthropic' }), 'anthropic');
    const message = await claude.messages.create({
      model: 'claude-test',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    check(message.content[0]?.type === 'text', 'unexpected message');
    const seen = (await seenBy(providerUrl)).filter((request) => request.authorization === `Bearer ${key}`);
    check(
      seen.some((request) => request.path === '/anthropic/v1/messages'),
      'the key did not reach /anthropic/v1/messages',
    );
  },
};

/** The SQLite adapter check, on runtimes that have a file system and a driver. */
async function sqliteCheck(dir: string): Promise<string> {
  const { SqliteStore } = await import('byokit/adapters/sqlite');
  const store = await SqliteStore.open(`${dir}/nested/byokit.db`);
  try {
    const vault = createVault({ store, keyring: Keyring.generate() });
    const admin = owner(vault);
    const key = freshKey('sk-proj-');
    const cfg = await admin.createConfig({ name: 'prod', provider: 'openai', isDefault: true });
    await admin.setKey(cfg.id, key);
    check((await vault.resolve({ tenantId: 'acme' })).key.reveal() === key, 'the SQLite round trip gave the wrong key');
    check((await admin.listAudit()).items.length === 2, 'audit events missing');
  } finally {
    await store.close();
  }
  return `better-sqlite3 ${(await betterSqlite3Loads()) ? 'loads here' : 'does not load here, so the file went through node:sqlite'}`;
}

async function betterSqlite3Loads(): Promise<boolean> {
  try {
    const specifier = 'better-sqlite3';
    const { default: Database } = (await import(specifier)) as { default: new (path: string) => { close(): void } };
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

/** Runs every check (and the SQLite one when `sqliteDir` is given); never throws. */
export async function runCoreSuite(options: CoreSuiteOptions): Promise<CheckResult[]> {
  const all: Record<string, () => Promise<string | void>> = {};
  for (const [name, run] of Object.entries(checks)) all[name] = () => run(options);
  if (options.sqliteDir)
    all['sqlite adapter: the auto driver opens a file and round-trips a key'] = () => sqliteCheck(options.sqliteDir!);
  const results: CheckResult[] = [];
  for (const [name, run] of Object.entries(all)) {
    try {
      const detail = await run();
      results.push({ name, ok: true, ...(detail ? { detail } : {}) });
    } catch (error) {
      results.push({
        name,
        ok: false,
        detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  return results;
}
