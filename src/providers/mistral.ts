/**
 * Mistral (`@mistralai/mistralai`, `Mistral` client). Key as `Authorization: Bearer`.
 *
 * @module
 */
import type { HTTPClient, Mistral, SDKOptions } from '@mistralai/mistralai';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, checkBaseUrl, requireKey, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import { loadSdk } from './load-sdk.js';
import type { ProviderCallInput, ProviderDescriptor } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Mistral';
const DEFAULT_BASE_URL = 'https://api.mistral.ai';

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<SDKOptions> = {}): Promise<Mistral> {
  const apiKey = requireKey(input, LABEL);
  const { Mistral, HTTPClient } = await loadSdk<typeof import('@mistralai/mistralai')>('@mistralai/mistralai');
  // A host's own HTTPClient (for its hooks) is kept, behind the guard: each
  // request reaches it as a Request that never follows redirects.
  const hostClient = input.clientOptions?.['httpClient'] as HTTPClient | undefined;
  const fetcher = hostClient ? transport.wrap((request, init) => hostClient.request(new Request(request, init))) : transport.fetch;
  return new Mistral({
    ...defaults,
    ...(input.clientOptions as SDKOptions | undefined),
    // A missing key would make the SDK read MISTRAL_API_KEY; requireKey rules that out.
    apiKey,
    // Explicit, so the `server` option (global/eu/us) can't redirect the key elsewhere.
    serverURL: baseUrlOr(input, DEFAULT_BASE_URL),
    httpClient: new HTTPClient({ fetcher }),
  });
}

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
  createClient: (input) => build(input, transportOf(input, 'mistral')),
  validateKey: (input) =>
    guardedLiveCheck('mistral', LABEL, input, async (transport) => {
      const client = await build(input, transport, { retryConfig: { strategy: 'none' }, timeoutMs: VALIDATION_TIMEOUT_MS });
      await client.models.list();
      if (input.model) return checkModelAccess(input.model, () => client.models.retrieve({ modelId: input.model! }));
      return { status: 'valid' };
    }),
};

export default mistralProvider;
