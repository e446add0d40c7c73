/**
 * The OpenAI client and key check, loaded on first use (`openai.ts` holds the descriptor).
 *
 * @module
 */
import type { ClientOptions, OpenAI } from 'openai';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { buildOpenAIClient, openAIValidationDefaults } from './openai-family.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'OpenAI';
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

async function build(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<ClientOptions> = {},
): Promise<OpenAI> {
  return buildOpenAIClient(input, LABEL, baseUrlOr(input, DEFAULT_BASE_URL), transport, defaults);
}

/** Builds the client. */
export function createOpenAIClient(input: ProviderCallInput): Promise<OpenAI> {
  return build(input, transportOf(input, 'openai'));
}

/** The cheapest live call that proves the key. */
export function validateOpenAIKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('openai', LABEL, input, async (transport) => {
    const client = await build(input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS));
    await client.models.list();
    if (input.model) return checkModelAccess(input.model, () => client.models.retrieve(input.model!));
    return { status: 'valid' };
  });
}
