import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/providers/create-client.js';
import { loadSdk, provideSdk } from '../../src/providers/load-sdk.js';
import { Secret } from '../../src/secret.js';

const KEY = 'sk-proj-LOADSDKtest000000000000000000001';

describe('loadSdk without a loader', () => {
  it('imports an installed SDK at run time', async () => {
    const sdk = await loadSdk<typeof import('openai')>('openai');
    expect(typeof sdk.OpenAI).toBe('function');
  });

  it('turns a missing package into PROVIDER_SDK_MISSING that names it and says how to provide it', async () => {
    const name = 'byokit-test-runtime-sdk-not-installed';
    const error = (await loadSdk(name).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'PROVIDER_SDK_MISSING' });
    expect(error.message).toContain(`npm install ${name}`);
    expect(error.message).toContain(`provideSdk("${name}", module)`);
  });

  it.each([
    ['workerd', 'No such module "byokit-test-sdk".'],
    [
      'a browser',
      'Failed to resolve module specifier "byokit-test-sdk". Relative references must start with "/", "./", or "../".',
    ],
    ['Deno', "Cannot find module 'byokit-test-sdk'"],
  ])('recognises the "not found" error of %s, which has no code', async (_runtime, message) => {
    await expect(loadSdk('byokit-test-sdk', () => Promise.reject(new Error(message)))).rejects.toMatchObject({
      code: 'PROVIDER_SDK_MISSING',
    });
  });

  it('does not call a missing dependency of an installed SDK a missing SDK on those runtimes either', async () => {
    const error = new Error('No such module "some-transitive-dep".');
    await expect(loadSdk('byokit-test-sdk', () => Promise.reject(error))).rejects.toBe(error);
  });
});

describe('provideSdk', () => {
  afterAll(async () => provideSdk('openai', await import('openai')));

  it('hands loadSdk the module instead of importing the package', async () => {
    const module = { marker: Symbol('provided') };
    provideSdk('byokit-test-provided-sdk', module);
    expect(await loadSdk('byokit-test-provided-sdk')).toBe(module);
    // A loader is not even called once a module was provided.
    expect(await loadSdk('byokit-test-provided-sdk', () => Promise.reject(new Error('not called')))).toBe(module);
  });

  it('is what built-in descriptors build their client from', async () => {
    const seen: Record<string, unknown>[] = [];
    class OpenAI {
      constructor(options: Record<string, unknown>) {
        seen.push(options);
      }
    }
    provideSdk('openai', { OpenAI, AzureOpenAI: OpenAI });
    const source = { provider: 'openai', baseUrl: null, model: null, options: {}, key: new Secret(KEY) };
    const client = await createClient(source, 'openai');
    expect(client).toBeInstanceOf(OpenAI);
    expect(seen[0]).toMatchObject({ apiKey: KEY, baseURL: 'https://api.openai.com/v1' });
  });

  it('refuses something that is not a module, and takes a CommonJS export that is a function', async () => {
    expect(() => provideSdk('openai', null as never)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => provideSdk('openai', 'openai' as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => provideSdk('', {})).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const callable = Object.assign(() => undefined, { Client: class {} });
    provideSdk('byokit-test-callable-sdk', callable);
    expect(await loadSdk('byokit-test-callable-sdk')).toBe(callable);
  });
});
