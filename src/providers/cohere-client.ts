/**
 * The Cohere client and key check, loaded on first use (`cohere.ts` holds the descriptor).
 *
 * @module
 */
import type { CohereClientV2 } from 'cohere-ai';
import { ValidationError } from '../errors.js';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, requireKey, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';
import { byokitMessage } from '../message.js';

const LABEL = 'Cohere';
const DEFAULT_BASE_URL = 'https://api.cohere.com';

/** The CohereClientV2 constructor options (the namespace holding them is not exported). */
type CohereOptions = ConstructorParameters<typeof CohereClientV2>[0];

async function build(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<CohereOptions> = {},
): Promise<CohereClientV2> {
  const apiKey = requireKey(input, LABEL);
  if (input.clientOptions?.fetcher !== undefined) {
    // A `fetcher` replaces cohere-ai's whole HTTP layer, so nothing could guard it.
    throw new ValidationError(
      byokitMessage(
        'providers',
        'clientOptions.fetcher would bypass the endpoint policy; pass clientOptions.fetch instead (it is wrapped)',
      ),
      [{ path: 'clientOptions.fetcher', message: 'not supported; use clientOptions.fetch' }],
    );
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

/** Builds the Cohere client. */
export function createCohereClient(input: ProviderCallInput): Promise<CohereClientV2> {
  return build(input, transportOf(input, 'cohere'));
}

/** The cheapest live call that proves the key. */
export function validateCohereKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('cohere', LABEL, input, async (transport) => {
    const client = await build(input, transport, { maxRetries: 0, timeoutInSeconds: VALIDATION_TIMEOUT_MS / 1000 });
    await client.models.list({ pageSize: 1 });
    if (input.model) return checkModelAccess(input.model, () => client.models.get(input.model!));
    return { status: 'valid' };
  });
}
