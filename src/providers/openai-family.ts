/**
 * The OpenAI client construction shared by `openai`, `custom` (any
 * OpenAI-compatible endpoint) and `azure-openai`.
 *
 * @module
 */
import type { AzureOpenAI, ClientOptions, OpenAI } from 'openai';
import type { Transport } from '../net/transport.js';
import type { ConfigOptions } from '../values.js';
import { requireKey } from './call-input.js';
import { withoutEnvHeaders } from './env-headers.js';
import type { ProviderCallInput } from './types.js';
import { loadSdk } from './load-sdk.js';
import { stringOption } from './call-input.js';

/** Loads the `openai` package (optional peer dependency). */
export async function loadOpenAI(): Promise<{ OpenAI: typeof OpenAI; AzureOpenAI: typeof AzureOpenAI }> {
  const sdk = await loadSdk<typeof import('openai')>('openai');
  return { OpenAI: sdk.OpenAI, AzureOpenAI: sdk.AzureOpenAI };
}

/** The options {@link pinnedOpenAIOptions} sets; valid for both `OpenAI` and `AzureOpenAI`. */
export type PinnedOpenAIOptions = Pick<ClientOptions, 'adminAPIKey' | 'organization' | 'project' | 'webhookSecret'>;

/**
 * Credential-bearing options set explicitly so the SDK never falls back to the
 * platform's environment. Left `undefined`, openai reads `OPENAI_ADMIN_KEY`
 * (whose `Authorization` header is sent after, and so replaces, the tenant's),
 * `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID` and `OPENAI_WEBHOOK_SECRET`: a tenant's
 * request would then be attributed to, or authenticated as, the platform.
 */
export function pinnedOpenAIOptions(
  options: ConfigOptions,
  clientOptions: Record<string, unknown> | undefined,
): PinnedOpenAIOptions {
  const webhookSecret = clientOptions?.webhookSecret;
  return {
    adminAPIKey: null,
    organization: stringOption(options, 'organization') ?? null,
    project: stringOption(options, 'project') ?? null,
    webhookSecret: typeof webhookSecret === 'string' ? webhookSecret : null,
  };
}

/** Validation-time client options: one attempt, bounded wait. Host `clientOptions` may override. */
export function openAIValidationDefaults(timeout: number): { maxRetries: number; timeout: number } {
  return { maxRetries: 0, timeout };
}

/**
 * An `OpenAI` client for `input` at `baseURL` (always explicit: unset, the
 * SDK would read OPENAI_BASE_URL and send the tenant's key there), with the
 * environment's admin key, organisation and custom headers pinned out, and
 * every request through the guarded `transport`.
 */
export async function buildOpenAIClient(
  input: ProviderCallInput,
  label: string,
  baseURL: string,
  transport: Transport,
  defaults: Partial<ClientOptions> = {},
): Promise<OpenAI> {
  const apiKey = requireKey(input, label);
  const { OpenAI } = await loadOpenAI();
  return new OpenAI({
    ...defaults,
    ...(input.clientOptions as ClientOptions | undefined),
    ...pinnedOpenAIOptions(input.options, input.clientOptions),
    apiKey,
    defaultHeaders: withoutEnvHeaders('OPENAI_CUSTOM_HEADERS', input.clientOptions?.defaultHeaders, [
      'authorization',
      `Bearer ${apiKey}`,
    ]),
    baseURL,
    // Last: the host's own `fetch` is already wrapped inside the transport.
    fetch: transport.fetch,
  });
}
