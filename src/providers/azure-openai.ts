/**
 * Azure OpenAI (`openai` package, `AzureOpenAI` client). Enterprises bring it
 * for data residency: the endpoint is their own resource in their region.
 * Key in the `api-key` header; `api-version` on every request. Or, instead
 * of a key, an Entra ID app (client credentials): its token for Cognitive
 * Services as `Authorization: Bearer`.
 *
 * @module
 */
import type { AzureOpenAI } from 'openai';
import { ValidationError } from '../errors.js';
import type { ConfigOptions } from '../store/types.js';
import type { Transport } from '../net/transport.js';
import { checkBaseUrl, requireBaseUrl, requireKey, stringOption, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { withoutEnvHeaders } from './env-headers.js';
import { checkKeyShape } from './key-format.js';
import { loadOpenAI, openAIValidationDefaults, pinnedOpenAIOptions } from './openai-family.js';
import type { KeyValidationResult, ProviderCallInput, ProviderDescriptor } from './types.js';
import { guardedLiveCheck, httpStatusOf } from './validate.js';

const LABEL = 'Azure OpenAI';

function requireApiVersion(options: ConfigOptions): string {
  const apiVersion = stringOption(options, 'apiVersion');
  if (!apiVersion) {
    throw new ValidationError(`[byokit] [providers] an ${LABEL} config needs options.apiVersion`, [
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

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<AzureClientOptions> = {}): Promise<AzureOpenAI> {
  const apiKey = requireKey(input, LABEL);
  // A JSON object is an Entra ID credential (no API key starts with `{`); its client code loads with it.
  const entra = apiKey.trimStart().startsWith('{') ? await (await import('./azure-entra.js')).entraOptions(input, apiKey, transport) : null;
  const endpoint = requireBaseUrl(input, LABEL);
  const apiVersion = requireApiVersion(input.options);
  const deployment = stringOption(input.options, 'deployment') ?? input.model ?? undefined;
  const { AzureOpenAI } = await loadOpenAI();
  return new AzureOpenAI({
    ...defaults,
    ...(input.clientOptions as AzureClientOptions | undefined),
    ...pinnedOpenAIOptions(input.options, input.clientOptions),
    apiKey,
    defaultHeaders: withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', input.clientOptions?.['defaultHeaders'], ['api-key', apiKey]),
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

/**
 * Azure OpenAI. Key: an API key, or an Entra ID app's client credentials
 * `{ tenantId, clientId, clientSecret, authorityHost? }` (hinted by the
 * client id, e.g. `1b2c3d4e...9f0a`), exchanged for a token at the
 * authority through the guarded transport. `baseUrl` is the resource endpoint
 * (`https://<resource>.openai.azure.com`); options `apiVersion` (required)
 * and `deployment` (optional; falls back to the config's model, which Azure
 * treats as the deployment name). Keys are accepted in any printable shape
 * of at least 20 characters (Azure has used 32 hex characters and longer
 * base62 keys). Validation: with a deployment, a zero-token probe
 * `POST /deployments/{deployment}/chat/completions` with an empty message
 * list, where 400 (request rejected after auth and routing) counts as valid
 * and 404 as `forbidden_model`; without one, `GET /models`.
 */
const azureOpenAIProvider: ProviderDescriptor<AzureOpenAI> = {
  id: 'azure-openai',
  label: LABEL,
  keyPrefixes: [],
  requiresBaseUrl: true,
  credential: { plainKey: true, load: async () => (await import('./entra-credential.js')).entraCredential },
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL, minLength: 20 }),
  checkOptions: (options, baseUrl) => {
    const problems = checkBaseUrl(baseUrl, true, LABEL);
    if (!stringOption(options, 'apiVersion')) problems.push(`an ${LABEL} config needs options.apiVersion`);
    if (options['deployment'] !== undefined && typeof options['deployment'] !== 'string') {
      problems.push('options.deployment must be a string');
    }
    return problems;
  },
  createClient: (input) => build(input, transportOf(input, 'azure-openai')),
  validateKey: (input) =>
    guardedLiveCheck('azure-openai', LABEL, input, async (transport): Promise<KeyValidationResult> => {
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
          return { status: 'forbidden_model', httpStatus, detail: `deployment "${deployment}" not found on this resource` };
        }
        throw error;
      }
    }),
};

export default azureOpenAIProvider;
