/**
 * Custom endpoint: any OpenAI-compatible API (vLLM, LiteLLM, OpenRouter,
 * Together, a company gateway ...), built with the `openai` package. A custom
 * config can route another provider (a tenant's gateway for `anthropic`), so
 * it is the resolution's provider, not the requested one, that picks this.
 *
 * @module
 */
import type { ClientOptions, OpenAI } from 'openai';
import { checkBaseUrl, requireBaseUrl, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import { buildOpenAIClient, openAIValidationDefaults } from './openai-family.js';
import type { ProviderCallInput, ProviderDescriptor } from './types.js';
import { guardedLiveCheck } from './validate.js';
import type { Transport } from '../net/transport.js';

const LABEL = 'custom endpoint';

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<ClientOptions> = {}): Promise<OpenAI> {
  return buildOpenAIClient(input, LABEL, requireBaseUrl(input, LABEL), transport, defaults);
}

/**
 * Any OpenAI-compatible endpoint; the base URL (up to and including the
 * version segment, e.g. `https://gateway.example.com/v1`) is required. Any
 * non-blank printable key is accepted: gateways issue keys in every shape,
 * and local servers often take a placeholder. Validation: `GET /models` only;
 * the model is not checked because many compatible servers don't implement
 * `GET /models/{id}`.
 */
const customProvider: ProviderDescriptor<OpenAI> = {
  id: 'custom',
  label: 'Custom endpoint',
  keyPrefixes: ['sk-'],
  requiresBaseUrl: true,
  checkKeyFormat: (key) => checkKeyShape(key, { label: 'Custom endpoint' }),
  checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, true, LABEL),
  createClient: (input) => build(input, transportOf(input, 'custom')),
  validateKey: (input) =>
    guardedLiveCheck('custom', LABEL, input, async (transport) => {
      const client = await build(input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS));
      await client.models.list();
      return { status: 'valid' };
    }),
};

export default customProvider;
