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
import { checkBaseUrl, stringOption } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'Azure OpenAI';
/** The client code (`azure-openai-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./azure-openai-client.js');

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
    if (options.deployment !== undefined && typeof options.deployment !== 'string') {
      problems.push('options.deployment must be a string');
    }
    return problems;
  },
  createClient: async (input) => (await lazy()).createAzureOpenAIClient(input),
  validateKey: async (input) => (await lazy()).validateAzureOpenAIKey(input),
};

export default azureOpenAIProvider;
