/**
 * Cohere (`cohere-ai`, `CohereClientV2`, the client of Cohere's v2 chat API).
 * Key as `Authorization: Bearer`.
 *
 * @module
 */
import type { CohereClientV2 } from 'cohere-ai';
import { ValidationError } from '../errors.js';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, checkBaseUrl, requireKey, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import { loadSdk } from './load-sdk.js';
import type { ProviderCallInput, ProviderDescriptor } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Cohere';
const DEFAULT_BASE_URL = 'https://api.cohere.com';

/** The CohereClientV2 constructor options (the namespace holding them is not exported). */
type CohereOptions = ConstructorParameters<typeof CohereClientV2>[0];

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<CohereOptions> = {}): Promise<CohereClientV2> {
  const apiKey = requireKey(input, LABEL);
  if (input.clientOptions?.['fetcher'] !== undefined) {
    // A `fetcher` replaces cohere-ai's whole HTTP layer, so nothing could guard it.
    throw new ValidationError('[byokit] [providers] clientOptions.fetcher would bypass the endpoint policy; pass clientOptions.fetch instead (it is wrapped)', [
      { path: 'clientOptions.fetcher', message: 'not supported; use clientOptions.fetch' },
    ]);
  }
  const sdk = await loadSdk<typeof import('cohere-ai')>('cohere-ai');
  // cohere-ai is CommonJS; depending on the loader its exports sit on the
  // namespace or on `default`.
  const { CohereClientV2 } = 'CohereClientV2' in sdk ? sdk : (sdk as unknown as { default: typeof sdk }).default;
  return new CohereClientV2({
    ...defaults,
    ...(input.clientOptions as CohereOptions | undefined),
    // A missing token would make the SDK read CO_API_KEY, and an empty one
    // sends no Authorization header at all; requireKey rules both out.
    token: apiKey,
    baseUrl: baseUrlOr(input, DEFAULT_BASE_URL),
    // Last: the host's own `fetch` is already wrapped inside the transport.
    fetch: transport.fetch,
  });
}

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
  createClient: (input) => build(input, transportOf(input, 'cohere')),
  validateKey: (input) =>
    guardedLiveCheck('cohere', LABEL, input, async (transport) => {
      const client = await build(input, transport, { maxRetries: 0, timeoutInSeconds: VALIDATION_TIMEOUT_MS / 1000 });
      await client.models.list({ pageSize: 1 });
      if (input.model) return checkModelAccess(input.model, () => client.models.get(input.model!));
      return { status: 'valid' };
    }),
};

export default cohereProvider;
