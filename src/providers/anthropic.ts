/**
 * Anthropic (`@anthropic-ai/sdk`, `Anthropic` client).
 *
 * @module
 */
import type { Anthropic } from '@anthropic-ai/sdk';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'Anthropic';
const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The client code (`anthropic-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./anthropic-client.js');

/**
 * Anthropic. Keys must start with `sk-ant-` (stable since launch; replace
 * this descriptor in your registry if that changes before we ship an update).
 * Validation: `GET /v1/models?limit=1`, then `GET /v1/models/{model}` when
 * the config names a model (403/404 there = `forbidden_model`).
 */
const anthropicProvider: ProviderDescriptor<Anthropic> = {
  id: 'anthropic',
  label: LABEL,
  keyPrefixes: ['sk-ant-api03-', 'sk-ant-'],
  defaultBaseUrl: DEFAULT_BASE_URL,
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL, minLength: 20, requiredPrefixes: ['sk-ant-'] }),
  checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, LABEL),
  createClient: async (input) => (await lazy()).createAnthropicClient(input),
  validateKey: async (input) => (await lazy()).validateAnthropicKey(input),
};

export default anthropicProvider;
