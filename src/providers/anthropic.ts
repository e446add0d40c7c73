/**
 * Anthropic (`@anthropic-ai/sdk`, `Anthropic` client).
 *
 * @module
 */
import type { Anthropic, ClientOptions } from '@anthropic-ai/sdk';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, checkBaseUrl, requireKey, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { withoutEnvHeaders } from './env-headers.js';
import { checkKeyShape } from './key-format.js';
import { loadSdk } from './load-sdk.js';
import type { ProviderCallInput, ProviderDescriptor } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Anthropic';
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<ClientOptions> = {}): Promise<Anthropic> {
  const apiKey = requireKey(input, LABEL);
  const { Anthropic } = await loadSdk<typeof import('@anthropic-ai/sdk')>('@anthropic-ai/sdk');
  return new Anthropic({
    ...defaults,
    ...(input.clientOptions as ClientOptions | undefined),
    apiKey,
    // @anthropic-ai/sdk 1.x sends an API key as `Authorization: Bearer`.
    defaultHeaders: withoutEnvHeaders('ANTHROPIC_CUSTOM_HEADERS', input.clientOptions?.['defaultHeaders'], ['authorization', `Bearer ${apiKey}`]),
    // `null`, not undefined: undefined lets the SDK read ANTHROPIC_AUTH_TOKEN.
    authToken: null,
    // Always explicit: unset, the SDK reads ANTHROPIC_BASE_URL.
    baseURL: baseUrlOr(input, DEFAULT_BASE_URL),
    // Last: the host's own `fetch` is already wrapped inside the transport.
    fetch: transport.fetch,
  });
}

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
  createClient: (input) => build(input, transportOf(input, 'anthropic')),
  validateKey: (input) =>
    guardedLiveCheck('anthropic', LABEL, input, async (transport) => {
      const client = await build(input, transport, { maxRetries: 0, timeout: VALIDATION_TIMEOUT_MS });
      await client.models.list({ limit: 1 });
      if (input.model) return checkModelAccess(input.model, () => client.models.retrieve(input.model!));
      return { status: 'valid' };
    }),
};

export default anthropicProvider;
