/**
 * Shared pieces of the property tests of the public inputs: generators of
 * near-valid and hostile values, and the one property every entry point
 * keeps: it succeeds, or it rejects with a typed ByokitError of a known code
 * that shows no secret, and a rejected call leaves the store as it was.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  ByokitError,
  Keyring,
  MemoryStore,
  accessKeys,
  byokEntitlement,
  createVault,
  type ByokitErrorCode,
} from '../../src/index.js';
import { dumpAll } from '../store/memory-helpers.js';

/** The codes a fuzzed input may be refused with (a subset of BYOKIT_ERROR_CODES). Any other code (or none) fails the property. */
export const KNOWN_CODES: readonly ByokitErrorCode[] = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'NAME_TAKEN',
  'CONCURRENT_UPDATE',
  'PERMISSION_DENIED',
  'DECRYPTION_FAILED',
  'KEY_UNDECRYPTABLE',
  'NO_KEY',
  'KEYRING_INVALID',
  'KEK_UNKNOWN',
  'ADAPTER_INVALID',
  'STORE_FAILED',
  'RECORD_MISMATCH',
  'PROVIDER_UNKNOWN',
  'PROVIDER_MISMATCH',
  'PROVIDER_SDK_MISSING',
  'KEY_FORMAT_INVALID',
  'RESOLUTION_DENIED',
  'PROVIDER_REQUEST_FAILED',
  'ACCESS_KEY_INVALID',
  'ACCESS_KEY_FORBIDDEN',
  'QUOTA_EXCEEDED',
  'BYOK_NOT_ENTITLED',
];

/** Runs per property: enough to reach the odd corners, few enough to keep the suite fast. */
export const RUNS = { numRuns: 120 } as const;

/** Message, stack and the whole cause chain of an error. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 10; depth++, e = (e as { cause?: unknown }).cause) {
    parts.push(e.message, String(e.stack));
  }
  return parts.join('\n');
}

/**
 * The property: `run` resolves, or rejects with a ByokitError of a known
 * code whose text holds none of `secrets`, and then `dump()` is unchanged.
 * Returns the code, or `'ok'`.
 */
export async function typedOrDone(
  run: () => unknown,
  secrets: readonly string[] = [],
  dump?: () => string,
): Promise<string> {
  const before = dump?.();
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof ByokitError))
      expect.fail(`not a ByokitError: ${String(error)}\n${(error as Error)?.stack ?? ''}`);
    expect(KNOWN_CODES).toContain(error.code);
    expect(error.message).toMatch(/^\[byokit\] \[[a-z-]+\] /);
    const text = errorText(error);
    for (const secret of secrets) if (secret.length >= 8) expect(text, 'a secret in the error').not.toContain(secret);
    if (dump) expect(dump(), 'the store after a rejected call').toBe(before);
    return error.code;
  }
}

/** A vault over a fresh memory store, with a keyed and a keyless config, acting as the owner; access keys and entitlement on. */
export async function seededVault() {
  const store = new MemoryStore();
  const vault = createVault({
    store,
    keyring: Keyring.generate(),
    platformKeys: { openai: 'sk-proj-platform0000000000000000000001' },
    accessKeys: accessKeys({ keyring: ACCESS_KEYRING }),
    entitlement: byokEntitlement({ default: 'enabled' }),
  });
  const owner = vault.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
  const keyed = await owner.createConfig({ name: 'keyed', provider: 'openai', scope: 'ws' });
  await owner.setKey(keyed.id, 'sk-proj-seeded0000000000000000000000001');
  const keyless = await owner.createConfig({
    name: 'keyless',
    provider: 'custom',
    baseUrl: 'https://gw.example/v1',
    routes: ['openai'],
  });
  const { accessKey, secret } = await owner.createAccessKey({
    name: 'app',
    providers: ['openai'],
    quota: { requests: { limit: 1_000_000, per: 'day' } },
  });
  const dump = () => dumpAll(store);
  return { store, vault, owner, ids: [keyed.id, keyless.id], accessKeyId: accessKey.id, token: secret.reveal(), dump };
}

const ACCESS_KEYRING = Keyring.generate('h1');

/** Anything at all, including nested objects, arrays, symbols-free junk and prototype-looking keys. */
export const junk = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withTypedArray: true,
});

/** A string that is sometimes valid for `field`, often not. */
export const scope = fc.oneof(
  fc.constantFrom('', 'ws', 'ws/proj', 'a/b/c/d/e/f/g/h/i', 'ws//x', '/ws', 'ws/', 'ü'),
  fc.string(),
);
export const provider = fc.oneof(
  fc.constantFrom('openai', 'custom', 'anthropic', 'azure-openai', 'google', 'ollama', 'Nope', '__proto__'),
  fc.string(),
);
export const url = fc.oneof(
  fc.constant(null),
  fc.webUrl(),
  fc.constantFrom('http://127.0.0.1/v1', 'https://u:p@x.example', 'ftp://x', 'https://x.example/?q=1'),
  fc.string(),
);
export const configId = (ids: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...ids),
    fc.constant('cfg_01JD0000000000000000000000'),
    fc.string(),
    fc.stringMatching(/^cfg_[0-9A-Z]{26}$/),
    junk,
  );

/** Config fields, each sometimes valid, sometimes junk, any subset, plus unknown keys. */
export const configFields = fc.record(
  {
    name: fc.oneof(fc.string(), fc.constantFrom('prod', ' padded ', 'keyed', 'cfg_01JD0000000000000000000000')),
    provider,
    scope,
    model: fc.oneof(fc.constant(null), fc.string(), junk),
    baseUrl: url,
    routes: fc.oneof(fc.array(provider, { maxLength: 4 }), junk),
    options: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), junk)), junk),
    enabled: fc.oneof(fc.boolean(), junk),
    isDefault: fc.oneof(fc.boolean(), junk),
    sealedKey: fc.string(),
    tenantId: fc.string(),
  },
  { requiredKeys: [] },
);

/** A provider key with a recognisable middle, so it can be searched for in errors. */
export const providerKey = fc.oneof(
  fc.string({ minLength: 4 }).map((s) => `sk-proj-FUZZ${s}KEY`),
  fc.string({ minLength: 8 }),
  fc.constant(''),
  fc.string({ minLength: 9000, maxLength: 9001 }),
);
