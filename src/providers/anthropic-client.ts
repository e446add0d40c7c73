/**
 * The Anthropic client and key check, loaded on first use (`anthropic.ts` holds the descriptor).
 *
 * @module
 */
import type { Anthropic, ClientOptions } from '@anthropic-ai/sdk';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, requireKey, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { withoutEnvHeaders } from './env-headers.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Anthropic';
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

async function build(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<ClientOptions> = {},
): Promise<Anthropic> {
  const apiKey = requireKey(input, LABEL);
  const { Anthropic } = await loadSdk<typeof import('@anthropic-ai/sdk')>('@anthropic-ai/sdk');
  return new Anthropic({
    ...defaults,
    ...(input.clientOptions as ClientOptions | undefined),
    apiKey,
    // @anthropic-ai/sdk 1.x sends an API key as `Authorization: Bearer`.
    defaultHeaders: withoutEnvHeaders('ANTHROPIC_CUSTOM_HEADERS', input.clientOptions?.defaultHeaders, [
      'authorization',
      `Bearer ${apiKey}`,
    ]),
    // `null`, not undefined: undefined lets the SDK read ANTHROPIC_AUTH_TOKEN.
    authToken: null,
    // Always explicit: unset, the SDK reads ANTHROPIC_BASE_URL.
    baseURL: baseUrlOr(input, DEFAULT_BASE_URL),
    // Last: the host's own `fetch` is already wrapped inside the transport.
    fetch: transport.fetch,
  });
}

/** Builds the Anthropic client. */
export function createAnthropicClient(input: ProviderCallInput): Promise<Anthropic> {
  return build(input, transportOf(input, 'anthropic'));
}

/** The cheapest live call that proves the key. */
export function validateAnthropicKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('anthropic', LABEL, input, async (transport) => {
    const client = await build(input, transport, { maxRetries: 0, timeout: VALIDATION_TIMEOUT_MS });
    await client.models.list({ limit: 1 });
    if (input.model) return checkModelAccess(input.model, () => client.models.retrieve(input.model!));
    return { status: 'valid' };
  });
}
