/**
 * A runtime with neither node:crypto nor WebCrypto (some bundled workers):
 * the choice waits for noble, a failed import says what to install, and the
 * next call tries again instead of keeping the failure.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const imports = vi.hoisted(() => ({ failing: false }));

vi.mock('../../src/runtime-modules.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/runtime-modules.js')>();
  return {
    ...real,
    loadModule: (specifier: string) =>
      imports.failing ? Promise.reject(new Error(`Cannot find package '${specifier}'`)) : real.loadModule(specifier),
  };
});

describe('without native crypto', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
  });

  afterEach(() => {
    imports.failing = false;
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('the choice is a promise of noble at first, then noble itself', async () => {
    const { cipherBackend } = await import('../../src/crypto/backends/select.js');
    const first = cipherBackend();
    expect(first).toBeInstanceOf(Promise);
    const noble = await first;
    expect(noble.name).toBe('noble');
    expect(cipherBackend()).toBe(noble);
  });

  it('a failed import of noble names the packages, keeps the cause, and is tried again on the next call', async () => {
    const { cipherBackend } = await import('../../src/crypto/backends/select.js');
    imports.failing = true;
    const error = (await Promise.resolve(cipherBackend()).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      '[byokit] [crypto] this runtime has neither node:crypto nor WebCrypto, and the @noble/ciphers and @noble/hashes fallback could not be imported; ' +
        'install them, or provide them with provideSdk(specifier, module) for @noble/ciphers/aes.js, @noble/hashes/hkdf.js, @noble/hashes/sha2.js',
    );
    expect((error.cause as Error).message).toMatch(/Cannot find package/);
    imports.failing = false;
    const retried = cipherBackend();
    expect(retried).toBeInstanceOf(Promise);
    expect((await retried).name).toBe('noble');
  });
});
