/**
 * Property tests (fast-check) of every public input: whatever a caller
 * passes, a call succeeds or rejects with a typed ByokitError of a known
 * code (never a TypeError or another exception), shows no secret in its
 * error, and a rejected call leaves the store exactly as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../adapters/postgres/index.js';
import { Keyring, MemoryStore, Secret, createClient, createVault, provideSdk } from '../../src/index.js';
import { builtinProviders, checkKeyShape, getProvider, runKeyValidation } from '../../src/providers/index.js';
import { checkTenantHandle, plainResolveRequest } from '../../src/vault/plain-input.js';
import { checkOutcomeReport } from '../../src/outcomes/report-input.js';
import { outcomeReportSchema, resolveInputSchema, tenantHandleInputSchema } from '../../src/schemas.js';
import { ValidationError } from '../../src/errors.js';
import {
  RUNS,
  configFields,
  configId,
  junk,
  providerKey,
  scope,
  seededVault,
  typedOrDone,
  url,
} from './arbitraries.js';

describe('the tenant handle takes any input: typed errors only, nothing written on a rejection', () => {
  it('createConfig', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(configFields, junk), async (input) => {
        const { owner, dump } = await seededVault();
        await typedOrDone(() => owner.createConfig(input as never), [], dump);
      }),
      RUNS,
    );
  });

  it('updateConfig', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.oneof(configFields, junk), junk, async (which, input, strayId) => {
        const { owner, ids, dump } = await seededVault();
        await typedOrDone(() => owner.updateConfig(ids[which]!, input as never), [], dump);
        await typedOrDone(() => owner.updateConfig(strayId as never, input as never), [], dump);
      }),
      RUNS,
    );
  });

  it('setKey, with any options; the key never shows in an error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(1),
        fc.oneof(providerKey, junk),
        fc.oneof(
          fc.record(
            { expiresAt: fc.oneof(fc.date({ noInvalidDate: false }), fc.string(), fc.constant(null), junk) },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (which, key, options) => {
          const { owner, ids, dump } = await seededVault();
          const secrets = typeof key === 'string' ? [key] : [];
          await typedOrDone(() => owner.setKey(ids[which]!, key as never, options as never), secrets, dump);
        },
      ),
      RUNS,
    );
  });

  it('setEnabled, setDefault, deleteConfig, removeKey, getConfig with any id and value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => configId(['cfg_placeholder'])),
        junk,
        async (idInput, value) => {
          const { owner, ids, dump } = await seededVault();
          const id = idInput === 'cfg_placeholder' ? ids[0]! : idInput;
          await typedOrDone(() => owner.setEnabled(id as never, value as never), [], dump);
          await typedOrDone(() => owner.setDefault(id as never, value as never), [], dump);
          await typedOrDone(() => owner.getConfig(id as never), [], dump);
          if (id !== ids[0]) {
            await typedOrDone(() => owner.deleteConfig(id as never), [], dump);
            await typedOrDone(() => owner.removeKey(id as never), [], dump);
          }
        },
      ),
      RUNS,
    );
  });

  it('validateKey with any id and options (never a live call: no config it can reach has a key)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(junk, fc.string(), fc.constant('keyless')), junk, async (idInput, options) => {
        const { owner, ids, dump } = await seededVault();
        const id = idInput === 'keyless' ? ids[1]! : idInput;
        const code = await typedOrDone(() => owner.validateKey(id as never, options as never), [], dump);
        expect(code).not.toBe('ok');
      }),
      RUNS,
    );
  });

  it('listConfigs and listAudit with any query change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              scope,
              provider: fc.string(),
              cursor: fc.oneof(fc.string(), junk),
              limit: fc.oneof(fc.integer(), fc.double(), junk),
              extra: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (query) => {
          const { owner, dump } = await seededVault();
          const before = dump();
          await typedOrDone(() => owner.listConfigs(query as never), [], dump);
          await typedOrDone(() => owner.listAudit(query as never), [], dump);
          expect(dump()).toBe(before);
        },
      ),
      RUNS,
    );
  });
});

describe('the vault takes any input: typed errors only', () => {
  it('vault.as', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              tenantId: fc.oneof(fc.string(), junk),
              actor: fc.oneof(
                fc.record({ id: fc.string(), role: fc.oneof(fc.string(), junk) }, { requiredKeys: [] }),
                junk,
              ),
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (input) => {
          const { vault, dump } = await seededVault();
          await typedOrDone(() => vault.as(input as never), [], dump);
        },
      ),
      RUNS,
    );
  });

  it('vault.resolve changes nothing, and never falls back on a bad request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              tenantId: fc.oneof(fc.constant('acme'), fc.string(), junk),
              scope,
              provider: fc.oneof(fc.constantFrom('openai', 'anthropic'), fc.string(), junk),
              config: fc.oneof(fc.constantFrom('keyed', 'keyless'), fc.string(), junk),
              extra: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (input) => {
          const { vault, dump } = await seededVault();
          const before = dump();
          await typedOrDone(() => vault.resolve(input as never), [], dump);
          expect(dump()).toBe(before);
        },
      ),
      RUNS,
    );
  });

  it('vault.resolve with any access key: a refused one changes nothing and never shows the token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('seeded', 'mangled'),
          fc.string(),
          fc.stringMatching(/^byk_live_[0-9A-Z]{26}_[0-9A-Za-z]{49}$/),
          junk,
        ),
        fc.oneof(fc.constantFrom('openai', 'anthropic'), fc.string(), junk),
        fc.oneof(fc.string(), junk),
        async (given, provider, model) => {
          const { vault, token, dump } = await seededVault();
          const accessKey =
            given === 'seeded'
              ? token
              : given === 'mangled'
                ? `${token.slice(0, 40)}${token[40] === 'x' ? 'y' : 'x'}${token.slice(41)}`
                : given;
          const before = dump();
          const code = await typedOrDone(
            () => vault.resolve({ accessKey, provider, model } as never),
            typeof accessKey === 'string' ? [token.slice(36, -6)] : [],
          );
          // Only a resolution handed out counts (usage); every refusal leaves the store as it was.
          if (code !== 'ok') expect(dump()).toBe(before);
          if (given !== 'seeded') expect(code).not.toBe('ok');
        },
      ),
      RUNS,
    );
  });

  it('createAccessKey, revokeAccessKey, listAccessKeyUsage, recordUsage and setEntitlement with any input', async () => {
    const quota = fc.oneof(
      fc.record(
        {
          requests: fc.oneof(
            fc.record({
              limit: fc.oneof(fc.integer(), junk),
              per: fc.oneof(fc.constantFrom('minute', 'day', 'week'), junk),
            }),
            junk,
          ),
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              name: fc.oneof(fc.string(), junk),
              scope,
              providers: fc.oneof(fc.array(fc.string()), junk),
              quota,
              expiresAt: fc.oneof(fc.string(), fc.date(), junk),
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        fc.oneof(fc.constant('seeded'), fc.string(), junk),
        fc.oneof(
          fc.record(
            {
              tenantId: fc.oneof(fc.constant('acme'), junk),
              accessKeyId: fc.oneof(fc.constant('seeded'), junk),
              tokens: fc.oneof(fc.integer(), junk),
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        fc.oneof(
          fc.record(
            {
              byok: fc.oneof(fc.boolean(), junk),
              providers: fc.oneof(fc.array(fc.constantFrom('openai', 'custom', 'nope')), junk),
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (keyInput, id, usage, entitlement) => {
          const { vault, owner, accessKeyId, dump } = await seededVault();
          await typedOrDone(() => owner.createAccessKey(keyInput as never), [], dump);
          await typedOrDone(() => owner.revokeAccessKey((id === 'seeded' ? accessKeyId : id) as never), [], dump);
          await typedOrDone(() => owner.listAccessKeyUsage(keyInput as never), [], dump);
          const charge =
            typeof usage === 'object' && usage !== null && (usage as { accessKeyId?: unknown }).accessKeyId === 'seeded'
              ? { ...usage, accessKeyId }
              : usage;
          await typedOrDone(() => vault.recordUsage(charge as never), [], dump);
          await typedOrDone(
            () => vault.setEntitlement((id === 'seeded' ? 'acme' : id) as never, entitlement as never),
            [],
            dump,
          );
        },
      ),
      RUNS,
    );
  });

  it('vault.rewrapKeys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ tenantId: fc.oneof(fc.constant('acme'), fc.string(), junk), actor: junk }, { requiredKeys: [] }),
          junk,
        ),
        async (input) => {
          const { vault, dump } = await seededVault();
          await typedOrDone(() => vault.rewrapKeys(input as never), [], dump);
        },
      ),
      RUNS,
    );
  });

  it('vault.rotate and vault.keyringStatus with any options', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              batchSize: fc.oneof(fc.integer(), fc.double(), junk),
              signal: junk,
              onProgress: junk,
              actor: junk,
              extra: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (input) => {
          const { vault } = await seededVault();
          await typedOrDone(() => vault.rotate(input as never));
          expect((await vault.keyringStatus()).keys).toBe(1);
        },
      ),
      RUNS,
    );
  });

  it('staged rotation: setKey({ stage }), validateKey({ pending }), promoteKey, rollbackKey, expirePrevious with any input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('seeded'), fc.constant('seeded'), fc.string(), junk),
        fc.oneof(providerKey, junk),
        fc.oneof(fc.record({ stage: fc.oneof(fc.boolean(), junk), expiresAt: junk }, { requiredKeys: [] }), junk),
        fc.oneof(fc.record({ gracePeriodMs: fc.oneof(fc.integer(), fc.double(), junk) }, { requiredKeys: [] }), junk),
        fc.oneof(fc.boolean(), junk),
        async (id, key, setOptions, promoteOptions, pending) => {
          const { owner, ids, dump } = await seededVault();
          const target = id === 'seeded' ? ids[0] : id;
          const secrets = typeof key === 'string' ? [key] : [];
          await typedOrDone(() => owner.setKey(target as never, key as never, setOptions as never), secrets);
          // Never a live call: only options the schema refuses before any request.
          if (typeof pending !== 'boolean')
            await typedOrDone(() => owner.validateKey(target as never, { pending } as never), [], dump);
          await typedOrDone(() => owner.promoteKey(target as never, promoteOptions as never), secrets);
          await typedOrDone(() => owner.rollbackKey(target as never), secrets);
          await typedOrDone(() => owner.expirePrevious(target as never), secrets);
        },
      ),
      RUNS,
    );
  });

  it('vault.report with any resolution and report: typed errors only; a rejected report reaches no hook', async () => {
    const heard: unknown[] = [];
    const store = new MemoryStore();
    const vault = createVault({
      store,
      keyring: Keyring.generate(),
      platformKeys: { openai: 'sk-proj-platform0000000000000000000001' },
      onUsage: (o) => void heard.push(o),
      keyHealth: true,
    });
    const resolution = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    const report = fc.oneof(
      fc.record(
        {
          status: fc.oneof(fc.constantFrom('ok', 'auth_failed', 'network', 'weird'), junk),
          latencyMs: fc.oneof(fc.double(), junk),
          inputTokens: fc.oneof(fc.integer(), fc.double(), junk),
          httpStatus: fc.oneof(fc.integer(), junk),
          providerCode: fc.oneof(fc.string(), junk),
          model: fc.oneof(fc.string(), fc.constant(null), junk),
          at: fc.oneof(fc.date({ noInvalidDate: false }), fc.string(), junk),
          prompt: junk,
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(resolution), fc.constant({ ...resolution }), junk),
        report,
        async (r, input) => {
          const before = heard.length;
          const outcome = await typedOrDone(() => vault.report(r as never, input as never));
          expect(heard.length).toBe(outcome === 'ok' ? before + 1 : before);
        },
      ),
      RUNS,
    );
    await vault.close();
  });

  it('vault.revalidate with any options (never a live call: no tenant it can reach has a due key that answers)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              tenantIds: fc.oneof(fc.array(fc.oneof(fc.constantFrom('nobody', 'other'), fc.string())), junk),
              olderThan: fc.oneof(fc.double(), junk),
              concurrency: fc.oneof(fc.integer(), junk),
              signal: junk,
              onProgress: junk,
              actor: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (input) => {
          const { vault, dump } = await seededVault();
          await typedOrDone(() => vault.revalidate(input as never), [], dump);
        },
      ),
      RUNS,
    );
  });

  it('createVault with any options', async () => {
    const store = new MemoryStore();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              store: fc.oneof(fc.constant(store), junk),
              keyring: fc.oneof(fc.constant(Keyring.generate()), junk),
              fallback: junk,
              authorize: junk,
              platformKeys: junk,
              providers: junk,
              now: junk,
              guard: junk,
              onUsage: junk,
              onKeyHealth: junk,
              keyHealth: fc.oneof(
                fc.boolean(),
                fc.record(
                  { flushIntervalMs: fc.oneof(fc.integer(), junk), maxPendingKeys: fc.oneof(fc.integer(), junk) },
                  { requiredKeys: [] },
                ),
                junk,
              ),
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        async (options) => {
          await typedOrDone(() => createVault(options as never));
        },
      ),
      RUNS,
    );
  });
});

describe('the keyring, Secret and createClient take any input: typed errors only, no key text', () => {
  const keyText = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'));

  it('Keyring.parse and Keyring.fromEnv, also for entries in the wrong order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(fc.constantFrom('k1', 'k2'), fc.string()), keyText, fc.nat(3)), { maxLength: 3 }),
        fc.string(),
        async (entries, noise) => {
          // Each entry as "id:key", "key:id", the key alone, or with noise in it.
          const text = entries
            .map(
              ([id, key, form]) =>
                [`${id}:${key}`, `${key}:${id}`, key, `${id}:${key.slice(0, 10)}${noise}${key.slice(10)}`][form],
            )
            .join(',');
          const secrets = entries.map(([, key]) => key);
          await typedOrDone(() => Keyring.parse(text), secrets);
          await typedOrDone(() => Keyring.fromEnv({ BYOKIT_MASTER_KEYS: text }), secrets);
        },
      ),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(
        junk,
        junk,
        async (env, variable) => void (await typedOrDone(() => Keyring.fromEnv(env as never, variable as never))),
      ),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(junk, async (text) => void (await typedOrDone(() => Keyring.parse(text as never)))),
      RUNS,
    );
  });

  it('Keyring.fromKeys, Keyring.generate and Keyring.generateEntry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(
            fc.oneof(
              fc.record(
                {
                  id: fc.oneof(fc.string(), junk),
                  key: fc.oneof(fc.uint8Array({ minLength: 30, maxLength: 33 }), junk),
                },
                { requiredKeys: [] },
              ),
              junk,
            ),
            { maxLength: 3 },
          ),
          junk,
        ),
        junk,
        async (entries, id) => {
          await typedOrDone(() => Keyring.fromKeys(entries as never));
          await typedOrDone(() => Keyring.generate(id as never));
          await typedOrDone(() => Keyring.generateEntry(id as never));
        },
      ),
      RUNS,
    );
  });

  it('new Secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), junk),
        fc.oneof(fc.string(), fc.constant(undefined), junk),
        async (value, hint) => {
          await typedOrDone(
            () => new Secret(value as never, hint as never),
            typeof value === 'string' && value !== hint ? [value] : [],
          );
        },
      ),
      RUNS,
    );
  });

  it('createClient with any source and options (its argument checks; no SDK is reached without a key)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              provider: fc.oneof(fc.constantFrom('openai', 'anthropic', 'custom', 'nope'), junk),
              baseUrl: url,
              model: junk,
              options: junk,
              key: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        fc.oneof(
          fc.constantFrom('openai', 'custom', 'voice'),
          fc.record({ expect: junk, providers: junk, clientOptions: junk }, { requiredKeys: [] }),
          junk,
        ),
        async (source, options) => {
          const code = await typedOrDone(() => createClient(source as never, options as never));
          expect(code).not.toBe('ok');
        },
      ),
      RUNS,
    );
  });
});

describe('the providers entry, the keyring methods and the adapters take any arguments: typed errors only', () => {
  /** Anything that is not an object: what a caller passes by mistake in an object's place. */
  const notAnObject = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.constant(undefined));
  const descriptors = Object.values(builtinProviders);

  it('provideSdk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(junk, fc.constant('byokit-fuzz-sdk')),
        fc.oneof(junk, notAnObject),
        async (name, module) => {
          // Only a name no descriptor loads, so a junk module never replaces a real SDK for later tests.
          await typedOrDone(() =>
            provideSdk((typeof name === 'string' ? 'byokit-fuzz-sdk' : name) as never, module as never),
          );
        },
      ),
      RUNS,
    );
    await typedOrDone(() => provideSdk(5 as never, {}));
    expect(await typedOrDone(() => provideSdk('byokit-fuzz-sdk', null as never))).toBe('VALIDATION_FAILED');
  });

  it('getProvider and checkKeyShape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(junk, fc.constant(builtinProviders)),
        junk,
        fc.oneof(junk, fc.constant({ label: 'Acme' })),
        async (registry, id, shape) => {
          await typedOrDone(() => getProvider(registry as never, id as never));
          await typedOrDone(() => checkKeyShape(id as never, shape as never));
        },
      ),
      RUNS,
    );
    expect(await typedOrDone(() => getProvider(null as never, 'openai'))).toBe('VALIDATION_FAILED');
    expect(await typedOrDone(() => checkKeyShape('sk-x', null as never))).toBe('VALIDATION_FAILED');
  });

  it("runKeyValidation and every built-in descriptor's createClient / validateKey, with inputs that aren't objects", async () => {
    const key = 'sk-proj-CANARY0000000000000000000000001';
    const input = fc.oneof(
      notAnObject,
      fc.record(
        {
          apiKey: fc.constant(key),
          baseUrl: fc.constant(null),
          model: fc.constant(null),
          options: notAnObject,
          clientOptions: notAnObject,
        },
        { requiredKeys: ['apiKey', 'options'] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...descriptors),
        fc.oneof(junk, notAnObject),
        input,
        fc.oneof(notAnObject, junk),
        async (descriptor, notDescriptor, callInput, options) => {
          const bad =
            callInput === null ||
            typeof callInput !== 'object' ||
            (callInput as { options?: unknown }).options !== undefined;
          await typedOrDone(
            () => runKeyValidation(notDescriptor as never, { apiKey: key, baseUrl: null, model: null, options: {} }),
            [key],
          );
          if (bad) {
            expect(await typedOrDone(() => runKeyValidation(descriptor, callInput as never), [key])).toBe(
              'VALIDATION_FAILED',
            );
            expect(await typedOrDone(() => descriptor.createClient(callInput as never), [key])).toBe(
              'VALIDATION_FAILED',
            );
            expect(await typedOrDone(() => descriptor.validateKey!(callInput as never), [key])).toBe(
              'VALIDATION_FAILED',
            );
          }
          if (options !== undefined && (typeof options !== 'object' || options === null)) {
            expect(
              await typedOrDone(() =>
                runKeyValidation(
                  descriptor,
                  { apiKey: key, baseUrl: null, model: null, options: {} },
                  options as never,
                ),
              ),
            ).toBe('VALIDATION_FAILED');
          }
        },
      ),
      RUNS,
    );
  });

  it('Keyring#wrapDek and #unwrapDek', async () => {
    const keyring = Keyring.generate('k1');
    const bytes = fc.uint8Array({ maxLength: 64 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          junk,
          fc.record(
            {
              kekId: fc.oneof(fc.constant('k1'), junk),
              dek: fc.oneof(bytes, junk),
              wrapped: fc.oneof(bytes, junk),
              aad: fc.oneof(bytes, junk),
            },
            { requiredKeys: [] },
          ),
        ),
        async (args) => {
          await typedOrDone(() => keyring.wrapDek(args as never));
          // A wrong wrapped value of the right type is a decryption failure (noble's errors), not an argument error.
          if (
            typeof args !== 'object' ||
            args === null ||
            !((args as { wrapped?: unknown }).wrapped instanceof Uint8Array)
          ) {
            await typedOrDone(() => keyring.unwrapDek(args as never));
          }
        },
      ),
      RUNS,
    );
    expect(await typedOrDone(() => keyring.wrapDek(null as never))).toBe('KEYRING_INVALID');
    expect(
      await typedOrDone(() => keyring.unwrapDek({ kekId: 'k1', wrapped: 5 as never, aad: new Uint8Array() })),
    ).toBe('KEYRING_INVALID');
    expect(await typedOrDone(() => Keyring.fromKeys(new Array(1) as never))).toBe('KEYRING_INVALID');
  });

  it('postgresMigrations', async () => {
    await fc.assert(
      fc.asyncProperty(junk, async (location) => void (await typedOrDone(() => postgresMigrations(location as never)))),
      RUNS,
    );
    expect(await typedOrDone(() => postgresMigrations(null as never))).toBe('VALIDATION_FAILED');
  });
});

/** A zod parse, or a failure when zod throws instead of returning one. */
function safely<T extends { success: boolean }>(
  parse: () => T,
): T | { success: false; data?: undefined; error?: undefined } {
  try {
    return parse();
  } catch {
    return { success: false };
  }
}

describe('the resolve request without zod', () => {
  it('a value zod throws on (a length that is not a number) is VALIDATION_FAILED, never a TypeError', async () => {
    const vault = createVault({ store: new MemoryStore(), keyring: Keyring.generate() });
    const junkRequest = { tenantId: 'acme', config: { length: Object.create(null) } };
    expect(() => resolveInputSchema.safeParse(junkRequest)).toThrow(TypeError);
    await expect(vault.resolve(junkRequest as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: '(input)', message: 'is invalid' }],
    });
  });

  it('accepts only what the schema accepts, and gives exactly what it gives', () => {
    const value = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, fc.string(), fc.constant(undefined), junk);
    const request = fc.record(
      {
        tenantId: value(fc.constantFrom('acme', 'a'.repeat(128), 'a'.repeat(129), 't:1@x', 'ü')),
        scope: value(scope),
        provider: value(fc.constantFrom('openai', 'azure-openai', 'x'.repeat(64), 'x'.repeat(65), 'Open')),
        config: value(fc.constantFrom('prod', '', 'p'.repeat(100), 'p'.repeat(101), 'cfg_01JD0000000000000000000000')),
        explain: value(fc.boolean()),
        route: value(fc.constantFrom('chat', 'embeddings', 'my:route-1', 'Chat', '', 'r'.repeat(64), 'r'.repeat(65))),
        extra: junk,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(request, junk), (input) => {
        const fast = plainResolveRequest(input);
        // zod itself throws on some junk (see the test below); the plain check must refuse that too.
        const parsed = safely(() => resolveInputSchema.safeParse(input));
        if (fast !== null) {
          expect(parsed.success).toBe(true);
          expect(fast).toStrictEqual(parsed.data);
          expect(Object.keys(fast)).toStrictEqual(Object.keys(parsed.data!));
        }
      }),
      { numRuns: 3000 },
    );
    // And the plain, valid requests of the hot path are taken without zod.
    expect(plainResolveRequest({ tenantId: 'acme', scope: 'ws1/proj7', provider: 'openai' })).toStrictEqual({
      tenantId: 'acme',
      scope: 'ws1/proj7',
      provider: 'openai',
    });
    expect(plainResolveRequest({ tenantId: 'acme', config: 'prod', explain: true })).toStrictEqual({
      tenantId: 'acme',
      scope: '',
      config: 'prod',
      explain: true,
    });
  });
});

describe('the zod-free checks of vault.as and vault.report (zod loads on the first admin call)', () => {
  /** Both accept the same inputs, give equal values, and a rejection names the same fields. */
  function sameAsSchema(
    check: (input: unknown) => unknown,
    schema: {
      safeParse: (input: unknown) => {
        success: boolean;
        data?: unknown;
        error?: { issues: { path: PropertyKey[] }[] };
      };
    },
    input: unknown,
  ) {
    const parsed = safely(() => schema.safeParse(input));
    let checked: unknown;
    let error: unknown;
    try {
      checked = check(input);
    } catch (caught) {
      error = caught;
    }
    if (parsed.success) {
      expect(error).toBeUndefined();
      expect(checked).toEqual(parsed.data);
    } else {
      expect(error).toBeInstanceOf(ValidationError);
      const fieldsOf = (paths: string[]) => new Set(paths.map((path) => path.split('.')[0]));
      const ours = fieldsOf((error as ValidationError).issues.map((issue) => issue.path));
      const theirs = fieldsOf(parsed.error?.issues.map((issue) => issue.path.map(String).join('.') || '(input)') ?? []);
      // zod stops at the first failing type check; each field it names, ours names too.
      for (const field of theirs) expect(ours).toContain(field);
    }
  }

  it('vault.as: checkTenantHandle accepts exactly what tenantHandleInputSchema accepts', () => {
    const value = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, fc.string(), fc.constant(undefined), junk);
    const actor = fc.oneof(
      fc.record(
        {
          id: value(fc.constantFrom('u1', '', 'x'.repeat(200), 'x'.repeat(201))),
          role: value(fc.constantFrom('owner', '', 'r'.repeat(100), 'r'.repeat(101))),
          extra: junk,
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    const handle = fc.oneof(
      fc.record(
        {
          tenantId: value(fc.constantFrom('acme', 'a'.repeat(128), 'a'.repeat(129), 't:1@x', 'ü')),
          actor,
          extra: junk,
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    fc.assert(
      fc.property(handle, (input) => sameAsSchema(checkTenantHandle, tenantHandleInputSchema, input)),
      { numRuns: 3000 },
    );
    expect(checkTenantHandle({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } })).toStrictEqual({
      tenantId: 'acme',
      actor: { id: 'u1', role: 'owner' },
    });
    expect(() => checkTenantHandle({ tenantId: 'ü', actor: { id: '' } })).toThrow(
      /tenantId: must be 1-128 characters.*actor\.id: must have at least 1 character/,
    );
  });

  it('vault.report: checkOutcomeReport accepts exactly what outcomeReportSchema accepts', () => {
    const value = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, fc.constant(undefined), junk);
    const report = fc.oneof(
      fc.record(
        {
          status: value(fc.constantFrom('ok', 'auth_failed', 'rate_limited', 'network', 'weird')),
          latencyMs: value(fc.oneof(fc.double(), fc.nat())),
          model: value(
            fc.oneof(fc.constantFrom('gpt-4o', '', 'm'.repeat(200), 'm'.repeat(201), 'a\nb'), fc.constant(null)),
          ),
          httpStatus: value(fc.oneof(fc.integer({ min: 90, max: 610 }), fc.double())),
          providerCode: value(
            fc.oneof(fc.constantFrom('invalid_api_key', '', 'x'.repeat(64), 'x'.repeat(65), 'a b'), fc.string()),
          ),
          retryAfter: value(fc.double()),
          inputTokens: value(fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 53))),
          outputTokens: value(fc.integer()),
          durationMs: value(fc.double()),
          attempt: value(fc.integer({ min: -1, max: 3 })),
          streamed: value(fc.boolean()),
          at: value(
            fc.oneof(
              fc.date({ noInvalidDate: false }),
              fc
                .date({ noInvalidDate: true, min: new Date('0001-01-01'), max: new Date('9999-12-31') })
                .map((d) => d.toISOString()),
              fc.constantFrom(
                '2026-11-24T10:00:00+01:00',
                '2026-11-24T10:00Z',
                '2026-02-29T10:00:00Z',
                '2024-02-29T23:59:59.5-11:30',
                '2026-11-24 10:00:00Z',
              ),
            ),
          ),
          prompt: junk,
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    fc.assert(
      fc.property(report, (input) => sameAsSchema(checkOutcomeReport, outcomeReportSchema, input)),
      { numRuns: 5000 },
    );
    expect(checkOutcomeReport({ status: 'ok', latencyMs: 5, inputTokens: 3 })).toStrictEqual({
      status: 'ok',
      latencyMs: 5,
      inputTokens: 3,
    });
  });
});
