/**
 * Microsoft Entra ID client credentials for Azure OpenAI: the app's token
 * for Cognitive Services, requested through byokit's guarded fetch (so the
 * token endpoint passes the endpoint policy and no redirect is followed)
 * and cached until a minute before it expires. Loaded on first use.
 *
 * byokit makes this one form POST itself rather than depend on
 * `@azure/identity`: that package sends its requests through an HTTP
 * pipeline of its own, which the guard could not see, and reads the
 * platform's environment (`AZURE_CLIENT_SECRET`, managed identity) when a
 * field is missing.
 *
 * @module
 */
import type { FetchFunction } from '../net/guarded-fetch.js';
import type { AzureOpenAI } from 'openai';
import type { Transport } from '../net/transport.js';
import { readCredential } from './credential.js';
import { entraCredential, type EntraCredential } from './entra-credential.js';
import { withoutEnvHeaders } from './env-headers.js';
import type { ProviderCallInput } from './types.js';
import { cachedToken, requestToken } from './oauth-token.js';

/** Azure's public cloud; sovereign clouds set `authorityHost`. */
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';
/** The scope Azure OpenAI accepts tokens for. */
const COGNITIVE_SERVICES = 'https://cognitiveservices.azure.com/.default';

/** A token source for `credential`: one token request per token lifetime, through `fetch`. */
export function entraTokenSource(credential: EntraCredential, fetch: FetchFunction): () => Promise<string> {
  const authority = (credential.authorityHost ?? DEFAULT_AUTHORITY).replace(/\/+$/, '');
  const url = `${authority}/${encodeURIComponent(credential.tenantId)}/oauth2/v2.0/token`;
  return cachedToken(() =>
    requestToken(fetch, url, {
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      scope: COGNITIVE_SERVICES,
    }),
  );
}

/** The AzureOpenAI constructor's options. */
type AzureClientOptions = NonNullable<ConstructorParameters<typeof AzureOpenAI>[0]>;

const LABEL = 'Azure OpenAI';

/**
 * The Entra ID form of the client: the app's token (through the guarded
 * transport, cached) as the SDK's token provider, and set on every request
 * as `Authorization` by the fetch, after every header the platform's
 * environment could add has been nulled.
 */
export async function entraOptions(
  input: ProviderCallInput,
  apiKey: string,
  transport: Transport,
): Promise<Partial<AzureClientOptions>> {
  const credential = readCredential(entraCredential, LABEL, apiKey);
  const token = entraTokenSource(credential, transport.fetch);
  return {
    // '' (not undefined, which reads AZURE_OPENAI_API_KEY): the token provider is the credential.
    apiKey: '',
    azureADTokenProvider: token,
    defaultHeaders: withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', input.clientOptions?.defaultHeaders, [
      'x-byokit-no-key-header',
      '',
    ]),
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await token()}`);
      headers.delete('api-key');
      return transport.fetch(url, { ...init, headers });
    },
  };
}
