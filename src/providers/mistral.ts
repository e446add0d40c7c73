/**
 * Mistral (`@mistralai/mistralai`, `Mistral` client). Key as `Authorization: Bearer`.
 *
 * @module
 */
import type { Mistral } from '@mistralai/mistralai';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'Mistral';
const DEFAULT_BASE_URL = 'https://api.mistral.ai';
/** The client code (`mistral-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./mistral-client.js');

/**
 * Mistral. Keys have no public prefix (32 alphanumerics today); any
 * printable key of at least 16 characters is accepted. `baseUrl` is the host
 * without `/v1` (`https://api.mistral.ai`, or the EU/US servers).
 * Validation: `GET /v1/models`, then `GET /v1/models/{model}` when the config
 * names a model (403/404 there = `forbidden_model`).
 */
const mistralProvider: ProviderDescriptor<Mistral> = {
  id: 'mistral',
  label: LABEL,
  keyPrefixes: [],
  defaultBaseUrl: DEFAULT_BASE_URL,
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL, minLength: 16 }),
  checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, LABEL),
  createClient: async (input) => (await lazy()).createMistralClient(input),
  validateKey: async (input) => (await lazy()).validateMistralKey(input),
};

export default mistralProvider;
