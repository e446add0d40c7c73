import { describe, expect, it } from 'vitest';
import { makeVault } from './helpers.js';

describe('key format errors', () => {
  it.each([
    ['openai', 'OpenAI'],
    ['anthropic', 'Anthropic'],
    ['mistral', 'Mistral'],
  ])('name the provider (%s) in a sentence that reads right for every label', async (provider, label) => {
    const { owner } = makeVault();
    const cfg = await owner.createConfig({ name: provider, provider });
    const error = (await owner.setKey(cfg.id, 'short').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'KEY_FORMAT_INVALID' });
    expect(error.message).toContain(`the key does not look like a key for ${label}: `);
  });
});
