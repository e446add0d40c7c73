/**
 * Preludes for documentation snippets: what a snippet assumes its reader
 * already has (a vault, a resolution, a store ...), named in the
 * `<!-- snippet: ... -->` line before the block. Each is real code, so a
 * snippet marked `run` can run with it; imports are aliased (`__x`) so they
 * never clash with the snippet's own.
 */
export interface Prelude {
  /** What the prelude declares, for the reader of this file. */
  gives: string;
  code: string;
  /** Extra modules the snippet imports relatively (`./my-store.js`), by file name. */
  files?: Record<string, string>;
}

export const PRELUDES: Readonly<Record<string, Prelude>> = {
  vault: {
    gives:
      '`vault`: a vault on a MemoryStore, with a platform OpenAI key; tenant `acme` has an OpenAI config `prod` with a key',
    code: `
import { createVault as __createVault, Keyring as __Keyring, MemoryStore as __MemoryStore } from 'byokit';
const vault = __createVault({
  store: new __MemoryStore(),
  keyring: __Keyring.generate(),
  platformKeys: { openai: 'sk-platform-DOCS00000000000000000001' },
});
{
  const owner = vault.as({ tenantId: 'acme', actor: { id: 'docs', role: 'owner' } });
  const prod = await owner.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o-mini' });
  await owner.setKey(prod.id, 'sk-proj-DOCSdocs0000000000000000000001');
}
`,
  },
  access: {
    gives:
      '`vault`: a vault on a MemoryStore with access keys (`accessKeys`) and BYOK entitlement (`byokEntitlement`, default enabled), a platform OpenAI key; tenant `acme` has an OpenAI config `prod` (model gpt-4o-mini) with a key',
    code: `
import { accessKeys as __accessKeys, byokEntitlement as __byokEntitlement, createVault as __createAccessVault, Keyring as __AccessKeyring, MemoryStore as __AccessStore } from 'byokit';
const vault = __createAccessVault({
  store: new __AccessStore(),
  keyring: __AccessKeyring.generate(),
  accessKeys: __accessKeys({ keyring: __AccessKeyring.generate('h1') }),
  entitlement: __byokEntitlement({ default: 'enabled' }),
  platformKeys: { openai: 'sk-platform-DOCS00000000000000000001' },
});
{
  const owner = vault.as({ tenantId: 'acme', actor: { id: 'docs', role: 'owner' } });
  const prod = await owner.createConfig({ name: 'prod', provider: 'openai', model: 'gpt-4o-mini' });
  await owner.setKey(prod.id, 'sk-proj-DOCSdocs0000000000000000000001');
}
`,
  },
  pools: {
    gives:
      '`vault`: a vault on a MemoryStore with key pools (`keyPools`); tenant `acme` has two OpenAI configs with keys, `primary` (the default) and `backup` (their views)',
    code: `
import { createVault as __createPoolVault, Keyring as __PoolKeyring, keyPools as __keyPools, MemoryStore as __PoolStore } from 'byokit';
const vault = __createPoolVault({ store: new __PoolStore(), keyring: __PoolKeyring.generate(), pools: __keyPools() });
const __poolOwner = vault.as({ tenantId: 'acme', actor: { id: 'docs', role: 'owner' } });
const primary = await __poolOwner.createConfig({ name: 'primary', provider: 'openai', model: 'gpt-4o-mini', isDefault: true });
await __poolOwner.setKey(primary.id, 'sk-proj-DOCSprimary000000000000000001');
const backup = await __poolOwner.createConfig({ name: 'backup', provider: 'openai', model: 'gpt-4o-mini' });
await __poolOwner.setKey(backup.id, 'sk-proj-DOCSbackup0000000000000000002');
`,
  },
  bearer: {
    gives: '`bearer`: an access-key token of `acme` with no allow-lists (needs `vault` with access keys)',
    code: `const bearer = (await vault.as({ tenantId: 'acme', actor: { id: 'docs', role: 'owner' } }).createAccessKey({ name: 'docs app' })).secret.reveal();
`,
  },
  admin: {
    gives: '`admin`: the tenant handle of `acme` as an owner (needs `vault`)',
    code: `const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });\n`,
  },
  resolution: {
    gives: '`r`: a resolution of `acme` for `openai` (needs `vault`)',
    code: `const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });\n`,
  },
  messages: {
    gives: '`messages`: a chat message list',
    code: `const messages = [{ role: 'user' as const, content: 'Hello' }];\n`,
  },
  meter: {
    gives: "`meter(usage)`: the host's metering function",
    code: `function meter(usage: import('byokit').UsageEvent): void {\n  void usage;\n}\n`,
  },
  store: {
    gives: '`store`: a MemoryStore',
    code: `import { MemoryStore as __StoreClass } from 'byokit';\nconst store = new __StoreClass();\n`,
  },
  tenants: {
    gives: "`listYourTenants()`: the host's own tenant list",
    code: `async function listYourTenants(): Promise<string[]> {\n  return ['acme'];\n}\n`,
  },
  'voice-client': {
    gives:
      '`VoiceClient`: a host SDK class taking `{ apiKey, baseUrl, fetch? }`; `providers`: a registry with a `voice` descriptor',
    code: `
class VoiceClient {
  constructor(readonly options: { apiKey: string; baseUrl: string; fetch?: typeof fetch }) {}
}
const providers: import('byokit/providers').ProviderRegistry = {};
`,
  },
  'my-store': {
    gives: '`./my-store.js` exporting `MyStore`, and `createFreshDatabase()`, a host database with test helpers',
    code: `
interface __TestDatabase {
  allRowsOfAllTables(): Promise<unknown>;
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}
declare function createFreshDatabase(): Promise<__TestDatabase>;
`,
    files: {
      'my-store.ts': `import { MemoryStore } from 'byokit';\nexport class MyStore extends MemoryStore {\n  constructor(readonly db: unknown) {\n    super();\n  }\n}\n`,
    },
  },
  env: {
    gives: "`env`: a Cloudflare Worker's bindings, with `BYOKIT_MASTER_KEYS`",
    code: `import { Keyring as __EnvKeyring } from 'byokit';\nconst env: { BYOKIT_MASTER_KEYS: string } = { BYOKIT_MASTER_KEYS: __EnvKeyring.generateEntry('k1') };\n`,
  },
};
