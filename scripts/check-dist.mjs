// Loads every built entry point through the package's own exports map, as
// ESM and as CommonJS, and checks each exposes what it should.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const expected = {
  byokit: ['createVault', 'Keyring', 'MemoryStore', 'createClient', 'provideSdk', 'Secret', 'ByokitError'],
  'byokit/providers': ['createClient', 'builtinProviders', 'loadSdk', 'provideSdk'],
  'byokit/schemas': [
    'createConfigInputSchema',
    'resolveInputSchema',
    'tenantSettingsSchema',
    'createAccessKeyInputSchema',
  ],
  'byokit/adapter': [
    'applyConfigPatch',
    'checkExpectedRevision',
    'pageOf',
    'pageAfter',
    'selectCandidates',
    'ConflictError',
  ],
  'byokit/ai-sdk': ['createAiSdkProvider', 'aiSdkModel', 'builtinAiSdkFactories'],
  'byokit/testing': ['runStorageAdapterTests'],
  'byokit/adapters/sqlite': ['SqliteStore'],
  'byokit/adapters/postgres': ['PostgresStore', 'PostgresNotMigratedError'],
  'byokit/adapters/redis': ['RedisStore'],
};

let failures = 0;
for (const [specifier, names] of Object.entries(expected)) {
  const esm = await import(specifier);
  // byokit/testing is ESM-only, as vitest is.
  const cjs = specifier === 'byokit/testing' ? null : require(specifier);
  const kinds =
    specifier === 'byokit/testing'
      ? [['esm', esm]]
      : [
          ['esm', esm],
          ['cjs', cjs],
        ];
  for (const [kind, mod] of kinds) {
    const missing = names.filter((name) => mod[name] === undefined);
    if (missing.length > 0) {
      failures++;
      console.error(`${kind} ${specifier}: missing ${missing.join(', ')}`);
    } else {
      console.log(`${kind} ${specifier}: ok`);
    }
  }
}
// A smoke run of the built CJS bundle: seal and resolve a key.
const { createVault, Keyring, MemoryStore } = require('byokit');
const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
const admin = vault.as({ tenantId: 't', actor: { id: 'a', role: 'owner' } });
const cfg = await admin.createConfig({ name: 'p', provider: 'openai' });
await admin.setKey(cfg.id, 'sk-proj-DISTcheck000000000000000000001');
const r = await vault.resolve({ tenantId: 't', provider: 'openai' });
if (r.key.reveal() !== 'sk-proj-DISTcheck000000000000000000001' || r.source !== 'byok') {
  failures++;
  console.error('cjs smoke run: wrong resolution');
} else {
  console.log('cjs smoke run: ok');
}
process.exit(failures === 0 ? 0 : 1);
