/**
 * The Custom client and key check, loaded on first use (`custom.ts` holds the descriptor).
 *
 * @module
 */
import type { ClientOptions, OpenAI } from 'openai';
import { requireBaseUrl, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { buildOpenAIClient, openAIValidationDefaults } from './openai-family.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { guardedLiveCheck } from './validate.js';
import type { Transport } from '../net/transport.js';

const LABEL = 'custom endpoint';

async function build(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<ClientOptions> = {},
): Promise<OpenAI> {
  return buildOpenAIClient(input, LABEL, requireBaseUrl(input, LABEL), transport, defaults);
}

/** Builds the client. */
export function createCustomClient(input: ProviderCallInput): Promise<OpenAI> {
  return build(input, transportOf(input, 'custom'));
}

/** The cheapest live call that proves the key. */
export function validateCustomKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('custom', LABEL, input, async (transport) => {
    const client = await build(input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS));
    await client.models.list();
    return { status: 'valid' };
  });
}
