/**
 * Cohere (`cohere-ai`, `CohereClientV2`, the client of Cohere's v2 chat API).
 * Key as `Authorization: Bearer`.
 *
 * @module
 */
import type { CohereClientV2 } from 'cohere-ai';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'Cohere';
const DEFAULT_BASE_URL = 'https://api.cohere.com';
/** The client code (`cohere-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./cohere-client.js');

/**
 * Cohere. Keys have no public prefix (40 alphanumerics today); any printable
 * key of at least 20 characters is accepted. `baseUrl` is the host without
 * version (`https://api.cohere.com`). Validation: `GET /v1/models?page_size=1`,
 * then `GET /v1/models/{model}` when the config names a model (403/404 there
 * = `forbidden_model`).
 */
const cohereProvider: ProviderDescriptor<CohereClientV2> = {
  id: 'cohere',
  label: LABEL,
  keyPrefixes: [],
  defaultBaseUrl: DEFAULT_BASE_URL,
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL, minLength: 20 }),
  checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, LABEL),
  createClient: async (input) => (await lazy()).createCohereClient(input),
  validateKey: async (input) => (await lazy()).validateCohereKey(input),
};

export default cohereProvider;
