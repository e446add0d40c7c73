import { afterEach, describe, expect, it, vi } from 'vitest';
import { withoutEnvHeaders } from '../../src/providers/env-headers.js';

describe('withoutEnvHeaders', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('leaves host headers alone when the variable is unset', () => {
    vi.stubEnv('OPENAI_CUSTOM_HEADERS', '');
    const host = { 'x-trace': '1' };
    expect(withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', host, ['authorization', 'Bearer k'])).toBe(host);
  });

  it('nulls environment headers, keeps host ones, re-sets the key header', () => {
    vi.stubEnv('OPENAI_CUSTOM_HEADERS', 'Helicone-Auth: Bearer p\nAuthorization: Bearer platform\nX-Trace: env');
    expect(withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', { 'X-Trace': 'host' }, ['authorization', 'Bearer k'])).toEqual({
      'helicone-auth': null,
      authorization: 'Bearer k',
      'x-trace': 'host',
    });
  });
});
