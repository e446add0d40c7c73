import { describe, expect, it } from 'vitest';
import { Keyring, MemoryStore, createVault } from '../../src/index.js';
import { MAX_SCOPE_DEPTH, SCOPE_SEGMENT_PATTERN, scopeChain } from '../../src/resolve/scope.js';

describe('scope syntax', () => {
  it('a segment is 1-64 of letters, digits and _ . : @ -, anchored at both ends', () => {
    for (const ok of ['ws1', 'a', 'x'.repeat(64), 'team_a.b:c@d-e']) expect(SCOPE_SEGMENT_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'x'.repeat(65), 'ws 1', 'ws1!', '!ws1', 'ws/1', 'é'])
      expect(SCOPE_SEGMENT_PATTERN.test(bad)).toBe(false);
  });

  it('a request whose scope has a bad character at either end of a segment is refused, not widened', async () => {
    const vault = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      platformKeys: { openai: 'sk-platform-0000000000000000' },
    });
    for (const scope of ['ws1!', '!ws1', 'ws1/proj!', 'ws1/!proj']) {
      await expect(vault.resolve({ tenantId: 'acme', scope, provider: 'openai' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    const deepest = Array.from({ length: MAX_SCOPE_DEPTH }, (_, i) => `s${i}`).join('/');
    await expect(vault.resolve({ tenantId: 'acme', scope: deepest, provider: 'openai' })).resolves.toMatchObject({
      source: 'platform',
    });
    await expect(vault.resolve({ tenantId: 'acme', scope: `${deepest}/s8`, provider: 'openai' })).rejects.toMatchObject(
      { code: 'VALIDATION_FAILED' },
    );
  });

  it('the chain runs from the scope up to the tenant', () => {
    expect(scopeChain('')).toEqual(['']);
    expect(scopeChain('ws1')).toEqual(['ws1', '']);
    expect(scopeChain('ws1/proj7/env')).toEqual(['ws1/proj7/env', 'ws1/proj7', 'ws1', '']);
  });
});
