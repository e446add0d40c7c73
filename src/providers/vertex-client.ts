/**
 * The Vertex AI clients, loaded on first use (`vertex.ts` holds what the
 * vault needs to store a credential; this holds what builds clients).
 *
 * @module
 */
import type { GoogleGenAI, GoogleGenAIOptions } from '@google/genai';
import type { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, requireKey, stringOption, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { readCredential } from './credential.js';
import { withoutEnvHeaders } from './env-headers.js';
import { guardLiveApis } from './google-client.js';
import { serviceAccountAuthClient } from './google-service-account.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { httpStatusOf } from './error-chain.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';
import { vertexCredential, type VertexCredential } from './vertex-credential.js';

const LABEL = 'Vertex AI';
/** The Claude model a validation probes when the config names none. */
const PROBE_MODEL = 'claude-3-5-haiku@20241022';

interface Target {
  credential: VertexCredential;
  project: string;
  /** The host, without version. */
  host: string;
}

/** Vertex AI's host for a location: `global` has no location prefix. */
function defaultHost(location: string): string {
  return location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`;
}

function targetOf(input: ProviderCallInput): Target {
  const credential = readCredential(vertexCredential, LABEL, requireKey(input, LABEL));
  const project = (credential.project ?? credential.serviceAccount.project_id)!;
  return { credential, project, host: baseUrlOr(input, defaultHost(credential.location)) };
}

async function buildGenai(input: ProviderCallInput, target: Target, transport: Transport): Promise<GoogleGenAI> {
  await transport.check(target.host);
  const { GoogleGenAI } = await loadSdk<typeof import('@google/genai')>('@google/genai');
  const clientOptions = (input.clientOptions ?? {}) as GoogleGenAIOptions;
  const authClient = serviceAccountAuthClient(target.credential, target.project, transport.fetch);
  const client = new GoogleGenAI({
    ...clientOptions,
    // Both flags, agreeing: unset, GOOGLE_GENAI_USE_VERTEXAI / _ENTERPRISE in the environment decide.
    vertexai: true,
    enterprise: true,
    // Explicit: unset, the SDK reads GOOGLE_CLOUD_PROJECT / _LOCATION and would take GOOGLE_API_KEY (express mode).
    project: target.project,
    location: target.credential.location,
    // The tenant's service account only: never the platform's Application Default Credentials.
    googleAuthOptions: { authClient: authClient as never },
    httpOptions: {
      ...clientOptions.httpOptions,
      // Explicit base URL: unset, the SDK reads GOOGLE_VERTEX_BASE_URL.
      baseUrl: target.host,
      fetch: transport.fetch,
    },
  } as GoogleGenAIOptions);
  guardLiveApis(client, transport);
  return client;
}

async function buildAnthropic(
  input: ProviderCallInput,
  target: Target,
  transport: Transport,
  defaults: Record<string, unknown> = {},
): Promise<AnthropicVertex> {
  const { AnthropicVertex } = await loadSdk<typeof import('@anthropic-ai/vertex-sdk')>('@anthropic-ai/vertex-sdk');
  return new AnthropicVertex({
    ...defaults,
    ...(input.clientOptions as Record<string, unknown> | undefined),
    // Explicit: unset, the SDK reads CLOUD_ML_REGION, ANTHROPIC_VERTEX_PROJECT_ID and ANTHROPIC_VERTEX_BASE_URL.
    region: target.credential.location,
    projectId: target.project,
    baseURL: `${target.host}/v1`,
    accessToken: null,
    authClient: serviceAccountAuthClient(target.credential, target.project, transport.fetch) as never,
    defaultHeaders: withoutEnvHeaders('ANTHROPIC_CUSTOM_HEADERS', input.clientOptions?.defaultHeaders, [
      'x-byokit-no-key-header',
      '',
    ]),
    fetch: transport.fetch,
  });
}

function useAnthropic(input: ProviderCallInput): boolean {
  return stringOption(input.options, 'sdk') === 'anthropic';
}

/** Builds the client the config's `sdk` option names. */
export async function createVertexClient(input: ProviderCallInput): Promise<GoogleGenAI | AnthropicVertex> {
  const transport = transportOf(input, 'vertex');
  const target = targetOf(input);
  return useAnthropic(input) ? buildAnthropic(input, target, transport) : buildGenai(input, target, transport);
}

/**
 * The token exchange proves the key (a refusal is `invalid_key`); then the
 * model: `GET` it with @google/genai, or a zero-token Messages call with no
 * messages with AnthropicVertex (400 after authentication: valid).
 */
export function validateVertexKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('vertex', LABEL, input, async (transport) => {
    const target = targetOf(input);
    await serviceAccountAuthClient(target.credential, target.project, transport.fetch).getAccessToken();
    if (useAnthropic(input)) {
      const client = await buildAnthropic(input, target, transport, { maxRetries: 0, timeout: VALIDATION_TIMEOUT_MS });
      const model = input.model ?? PROBE_MODEL;
      try {
        await client.messages.create({ model, max_tokens: 1, messages: [] });
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 400) return { status: 'valid' };
        if (status === 404 && input.model)
          return {
            status: 'forbidden_model',
            httpStatus: 404,
            detail: `model "${model}" not found or not available to this credential`,
          };
        throw error;
      }
      return { status: 'valid' };
    }
    const client = await buildGenai(input, target, transport);
    if (input.model) return checkModelAccess(input.model, () => client.models.get({ model: input.model! }));
    await client.models.list({ config: { pageSize: 1 } });
    return { status: 'valid' };
  });
}
