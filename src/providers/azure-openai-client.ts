/**
 * The AzureOpenAI client and key check, loaded on first use (`azure-openai.ts` holds the descriptor).
 *
 * @module
 */
import type { AzureOpenAI } from 'openai';
import { ValidationError } from '../errors.js';
import type { ConfigOptions } from '../values.js';
import type { Transport } from '../net/transport.js';
import { requireBaseUrl, requireKey, stringOption, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { withoutEnvHeaders } from './env-headers.js';
import { loadOpenAI, openAIValidationDefaults, pinnedOpenAIOptions } from './openai-family.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { httpStatusOf } from './error-chain.js';
import { guardedLiveCheck } from './validate.js';
import { byokitMessage } from '../message.js';

const LABEL = 'Azure OpenAI';

function requireApiVersion(options: ConfigOptions): string {
  const apiVersion = stringOption(options, 'apiVersion');
  if (!apiVersion) {
    throw new ValidationError(byokitMessage('providers', `an ${LABEL} config needs options.apiVersion`), [
      { path: 'options.apiVersion', message: `required for ${LABEL}, e.g. "2024-10-21"` },
    ]);
  }
  return apiVersion;
}

/** The resource endpoint plus `/openai`, the SDK's base URL (unless the config already ends with it). */
function baseURLOf(endpoint: string): string {
  return /\/openai$/i.test(endpoint) ? endpoint : `${endpoint}/openai`;
}

/** The AzureOpenAI constructor's options (not exported by name from the package root). */
type AzureClientOptions = NonNullable<ConstructorParameters<typeof AzureOpenAI>[0]>;

async function build(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<AzureClientOptions> = {},
): Promise<AzureOpenAI> {
  const apiKey = requireKey(input, LABEL);
  // A JSON object is an Entra ID credential (no API key starts with `{`); its client code loads with it.
  const entra = apiKey.trimStart().startsWith('{')
    ? await (await import('./azure-entra.js')).entraOptions(input, apiKey, transport)
    : null;
  const endpoint = requireBaseUrl(input, LABEL);
  const apiVersion = requireApiVersion(input.options);
  const deployment = stringOption(input.options, 'deployment') ?? input.model ?? undefined;
  const { AzureOpenAI } = await loadOpenAI();
  return new AzureOpenAI({
    ...defaults,
    ...(input.clientOptions as AzureClientOptions | undefined),
    ...pinnedOpenAIOptions(input.options, input.clientOptions),
    apiKey,
    defaultHeaders: withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', input.clientOptions?.defaultHeaders, [
      'api-key',
      apiKey,
    ]),
    apiVersion,
    // The base URL is passed rather than `endpoint`: unset, AzureOpenAI reads
    // OPENAI_BASE_URL (and AZURE_OPENAI_ENDPOINT) from the platform's environment.
    baseURL: baseURLOf(endpoint),
    ...(deployment === undefined ? {} : { deployment }),
    // Last: the host's own `fetch` is already wrapped inside the transport.
    fetch: transport.fetch,
    ...entra,
  });
}

/** Builds the client. */
export function createAzureOpenAIClient(input: ProviderCallInput): Promise<AzureOpenAI> {
  return build(input, transportOf(input, 'azure-openai'));
}

/** The cheapest live call that proves the key. */
export function validateAzureOpenAIKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('azure-openai', LABEL, input, async (transport): Promise<KeyValidationResult> => {
    const client = await build(input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS));
    const deployment = stringOption(input.options, 'deployment') ?? input.model ?? undefined;
    if (deployment === undefined) {
      await client.models.list();
      return { status: 'valid' };
    }
    try {
      await client.chat.completions.create({ model: deployment, messages: [], max_tokens: 1 });
      return { status: 'valid' };
    } catch (error) {
      const httpStatus = httpStatusOf(error);
      if (httpStatus === 400) return { status: 'valid' };
      if (httpStatus === 404) {
        return {
          status: 'forbidden_model',
          httpStatus,
          detail: `deployment "${deployment}" not found on this resource`,
        };
      }
      throw error;
    }
  });
}
