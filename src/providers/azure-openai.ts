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
import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import type { ConfigOptions } from '../store/types.js';
import type { Transport } from '../net/transport.js';
import { checkBaseUrl, requireBaseUrl, requireKey, stringOption, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { withoutEnvHeaders } from './env-headers.js';
import { checkKeyShape } from './key-format.js';
import { isPlainKey, readCredential, type CredentialSpec } from './credential.js';
import { loadOpenAI, openAIValidationDefaults, pinnedOpenAIOptions } from './openai-family.js';
import type { KeyValidationResult, ProviderCallInput, ProviderDescriptor } from './types.js';
import { guardedLiveCheck, httpStatusOf } from './validate.js';

const LABEL = 'Azure OpenAI';

/** An Entra ID app registration's client credentials, for Azure OpenAI without an API key. */
export interface EntraCredential {
  /** The directory (tenant) id or domain. */
  tenantId: string;
  /** The app's (client) id. Not secret: it is the hint. */
  clientId: string;
  clientSecret: string;
  /** The Entra authority for sovereign clouds, e.g. `https://login.microsoftonline.us`. Default `https://login.microsoftonline.com`. */
  authorityHost?: string | undefined;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Entra ID client credentials, the optional structured credential of `azure-openai` (a plain API key is taken too). */
export const entraCredential: CredentialSpec<EntraCredential> = {
  schema: /* @__PURE__ */ z.strictObject({
    tenantId: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, 'must be a directory (tenant) id or domain')),
    clientId: z.string().check(z.regex(GUID, 'must be an application (client) id (a GUID)')),
    clientSecret: z.string().check(z.regex(/^[\x21-\x7e]{8,1024}$/, 'must be a client secret (8 or more printable characters, no spaces)')),
    authorityHost: z.optional(z.string().check(z.regex(/^https?:\/\/[^\s/]+\/?$/, 'must be an http(s) origin, e.g. "https://login.microsoftonline.us"'))),
  }),
  hint: (c) => `${c.clientId.slice(0, 8)}...${c.clientId.slice(-4)}`,
  plainKey: true,
};

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

/**
 * The Entra ID form of the client: the app's token (through the guarded
 * transport, cached) as the SDK's token provider, and set on every request
 * as `Authorization` by the fetch, after every header the platform's
 * environment could add has been nulled.
 */
async function entraOptions(input: ProviderCallInput, apiKey: string, transport: Transport): Promise<Partial<AzureClientOptions>> {
  const credential = readCredential(entraCredential, LABEL, apiKey);
  const { entraTokenSource } = await import('./azure-entra.js');
  const token = entraTokenSource(credential, transport.fetch);
  return {
    // '' (not undefined, which reads AZURE_OPENAI_API_KEY): the token provider is the credential.
    apiKey: '',
    azureADTokenProvider: token,
    defaultHeaders: withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', input.clientOptions?.['defaultHeaders'], ['x-byokit-no-key-header', '']),
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await token()}`);
      headers.delete('api-key');
      return transport.fetch(url, { ...init, headers });
    },
  };
}

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<AzureClientOptions> = {}): Promise<AzureOpenAI> {
  const apiKey = requireKey(input, LABEL);
  const entra = isPlainKey(entraCredential, apiKey) ? null : await entraOptions(input, apiKey, transport);
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
  credential: entraCredential,
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
