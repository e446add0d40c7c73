import { afterEach, describe, expect, it, vi } from 'vitest';
import { equalBytes, randomBytes, randomNonce } from '../../src/crypto/bytes.js';

describe('random bytes', () => {
  it('nonces from the pool are never handed out twice, across refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const nonce = randomNonce(12);
      expect(nonce).toHaveLength(12);
      seen.add(Buffer.from(nonce).toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });

  it('a nonce is a copy: changing it changes no later nonce', () => {
    const first = randomNonce(12);
    first.fill(7);
    expect(equalBytes(randomNonce(12), first)).toBe(false);
  });

  it('fresh random bytes for keys, and a constant-time comparison', () => {
    expect(equalBytes(randomBytes(32), randomBytes(32))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });
});

describe('where random bytes come from', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('refuses to run on a runtime without crypto.getRandomValues, rather than hand out predictable bytes', () => {
    vi.stubGlobal('crypto', undefined);
    expect(() => randomBytes(32)).toThrow(new Error('[byokit] [crypto] this runtime has no crypto.getRandomValues'));
    vi.stubGlobal('crypto', {});
    expect(() => randomBytes(32)).toThrow(/no crypto.getRandomValues/);
  });

  it('nonces: one getRandomValues call serves 3 KiB, 256 nonces of 12 bytes', async () => {
    vi.resetModules();
    const fresh = await import('../../src/crypto/bytes.js');
    const calls = vi.spyOn(globalThis.crypto, 'getRandomValues');
    for (let i = 0; i < 256; i++) fresh.randomNonce(12);
    expect(calls).toHaveBeenCalledTimes(1);
    fresh.randomNonce(12);
    expect(calls).toHaveBeenCalledTimes(2);
  });
});
