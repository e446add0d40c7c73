/**
 * The Mistral client and key check, loaded on first use (`mistral.ts` holds the descriptor).
 *
 * @module
 */
import type { HTTPClient, Mistral, SDKOptions } from '@mistralai/mistralai';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, requireKey, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Mistral';
const DEFAULT_BASE_URL = 'https://api.mistral.ai';

async function build(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<SDKOptions> = {},
): Promise<Mistral> {
  const apiKey = requireKey(input, LABEL);
  const { Mistral, HTTPClient } = await loadSdk<typeof import('@mistralai/mistralai')>('@mistralai/mistralai');
  // A host's own HTTPClient (for its hooks) is kept, behind the guard: each
  // request reaches it as a Request that never follows redirects.
  const hostClient = input.clientOptions?.httpClient as HTTPClient | undefined;
  const fetcher = hostClient
    ? transport.wrap((request, init) => hostClient.request(new Request(request, init)))
    : transport.fetch;
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

/** Builds the Mistral client. */
export function createMistralClient(input: ProviderCallInput): Promise<Mistral> {
  return build(input, transportOf(input, 'mistral'));
}

/** The cheapest live call that proves the key. */
export function validateMistralKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('mistral', LABEL, input, async (transport) => {
    const client = await build(input, transport, {
      retryConfig: { strategy: 'none' },
      timeoutMs: VALIDATION_TIMEOUT_MS,
    });
    await client.models.list();
    if (input.model) return checkModelAccess(input.model, () => client.models.retrieve({ modelId: input.model! }));
    return { status: 'valid' };
  });
}
