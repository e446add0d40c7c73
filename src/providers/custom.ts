/**
 * Custom endpoint: any OpenAI-compatible API (vLLM, LiteLLM, OpenRouter,
 * Together, a company gateway ...), built with the `openai` package. A custom
 * config can route another provider (a tenant's gateway for `anthropic`), so
 * it is the resolution's provider, not the requested one, that picks this.
 *
 * @module
 */
import type { OpenAI } from 'openai';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'custom endpoint';
/** The client code (`custom-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./custom-client.js');

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
  createClient: async (input) => (await lazy()).createCustomClient(input),
  validateKey: async (input) => (await lazy()).validateCustomKey(input),
};

export default customProvider;
