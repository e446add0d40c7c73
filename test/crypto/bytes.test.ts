import { describe, expect, it } from 'vitest';
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
