/**
 * The built-in AI SDK provider factories, one per provider byokit can hand
 * to the Vercel AI SDK without the host writing one: each loads its
 * `@ai-sdk/*` package on first use (an optional peer dependency) and maps
 * byokit's base URL to the form that package expects.
 *
 * Every factory sets the key, the base URL and the `fetch` itself, last:
 * left unset, the AI SDK packages read `OPENAI_API_KEY`, `OPENAI_BASE_URL`,
 * `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `GOOGLE_GENERATIVE_AI_API_KEY`
 * from the environment, which would swap a tenant's key for the platform's
 * or send it elsewhere.
 *
 * @module
 */
import type { AnthropicProvider } from '@ai-sdk/anthropic';
import type { GoogleGenerativeAIProvider } from '@ai-sdk/google';
import type { OpenAIProvider } from '@ai-sdk/openai';
import type { OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { ValidationError } from '../errors.js';
import { loadSdk } from '../providers/load-sdk.js';
import type { Resolution } from '../resolve/types.js';
import { byokitMessage } from '../message.js';

/** What a factory gets to build an AI SDK provider for one resolution. */
export interface AiSdkFactoryInput {
  /** The tenant's key (or the platform's), never blank. */
  apiKey: string;
  /**
   * The base URL in byokit's form: the resolution's, else the provider's
   * default (`null` when neither exists). Map it to the form your
   * `@ai-sdk/*` package expects (with or without a version segment).
   */
  baseUrl: string | null;
  /**
   * byokit's guarded (and, with an outcome loop, observing) fetch. Pass it
   * as the provider's `fetch`: it enforces the endpoint policy, refuses
   * redirects and reports usage and key health to the vault.
   */
  fetch: typeof globalThis.fetch;
  /** The resolution's provider, model, options and config name. */
  resolution: Pick<Resolution, 'provider' | 'model' | 'options' | 'baseUrl'> & Partial<Pick<Resolution, 'configName'>>;
  /**
   * The host's extra provider settings (`headers`, `name` ...) with every
   * credential, URL and fetch field removed; spread it first, then set the
   * key, base URL and fetch.
   */
  settings: Record<string, unknown>;
}

/**
 * Builds an AI SDK provider (a function of a model id, with
 * `languageModel`, ...) for a resolution. The built-in ones cover `openai`,
 * `anthropic`, `google` and `custom`; pass your own for the others, e.g.
 * `mistral` with `@ai-sdk/mistral`.
 *
 * @example
 * ```ts
 * import { createMistral } from '@ai-sdk/mistral';
 * const mistral: AiSdkFactory = ({ apiKey, baseUrl, fetch, settings }) =>
 *   createMistral({ ...settings, apiKey, baseURL: `${baseUrl}/v1`, fetch });
 * ```
 */
export type AiSdkFactory = (input: AiSdkFactoryInput) => unknown;

/** The base URL, or a typed error naming the provider (only a provider with no default can lack one). */
function baseUrlOf(input: AiSdkFactoryInput, label: string): string {
  if (input.baseUrl) return input.baseUrl.replace(/\/+$/, '');
  throw new ValidationError(byokitMessage('ai-sdk', `a base URL is required for ${label}`), [
    { path: 'baseUrl', message: `required for ${label}` },
  ]);
}

function stringOption(input: AiSdkFactoryInput, name: string): string | undefined {
  const value = input.resolution.options?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** OpenAI: `@ai-sdk/openai`, base URL as byokit stores it (`https://api.openai.com/v1`). */
async function openai(input: AiSdkFactoryInput): Promise<OpenAIProvider> {
  const { createOpenAI } = await loadSdk<typeof import('@ai-sdk/openai')>('@ai-sdk/openai');
  const organization = stringOption(input, 'organization');
  const project = stringOption(input, 'project');
  return createOpenAI({
    ...input.settings,
    ...(organization === undefined ? {} : { organization }),
    ...(project === undefined ? {} : { project }),
    apiKey: input.apiKey,
    baseURL: baseUrlOf(input, 'OpenAI'),
    fetch: input.fetch,
  });
}

/** Anthropic: `@ai-sdk/anthropic`, which wants the `/v1` byokit's (and the Anthropic SDK's) base URL leaves out. */
async function anthropic(input: AiSdkFactoryInput): Promise<AnthropicProvider> {
  const { createAnthropic } = await loadSdk<typeof import('@ai-sdk/anthropic')>('@ai-sdk/anthropic');
  return createAnthropic({
    ...input.settings,
    apiKey: input.apiKey,
    // Sent as `x-api-key`; an auth token would replace it with a bearer header.
    authToken: undefined,
    baseURL: `${baseUrlOf(input, 'Anthropic')}/v1`,
    fetch: input.fetch,
  });
}

/** Google Gemini: `@ai-sdk/google`, base URL with the config's `apiVersion` (default `v1beta`) appended. */
async function google(input: AiSdkFactoryInput): Promise<GoogleGenerativeAIProvider> {
  const { createGoogleGenerativeAI } = await loadSdk<typeof import('@ai-sdk/google')>('@ai-sdk/google');
  return createGoogleGenerativeAI({
    ...input.settings,
    apiKey: input.apiKey,
    baseURL: `${baseUrlOf(input, 'Google Gemini')}/${stringOption(input, 'apiVersion') ?? 'v1beta'}`,
    fetch: input.fetch,
  });
}

/**
 * A custom OpenAI-compatible endpoint: `@ai-sdk/openai-compatible` (chat
 * completions, which every compatible server speaks; `@ai-sdk/openai`
 * defaults to the Responses API, which most don't). Streams ask for usage,
 * so the outcome loop counts streamed tokens too.
 */
async function custom(input: AiSdkFactoryInput): Promise<OpenAICompatibleProvider> {
  const { createOpenAICompatible } =
    await loadSdk<typeof import('@ai-sdk/openai-compatible')>('@ai-sdk/openai-compatible');
  return createOpenAICompatible({
    name: 'custom',
    includeUsage: true,
    ...input.settings,
    apiKey: input.apiKey,
    baseURL: baseUrlOf(input, 'a custom endpoint'),
    fetch: input.fetch,
  });
}

/** The built-in factories, by byokit provider id. */
export const builtinAiSdkFactories: Readonly<Record<string, AiSdkFactory>> = Object.freeze({
  openai,
  anthropic,
  google,
  custom,
});

/** The AI SDK packages the built-in factories load, by byokit provider id. */
export const AI_SDK_PACKAGES = Object.freeze({
  /** For OpenAI. */
  openai: '@ai-sdk/openai',
  /** For Anthropic. */
  anthropic: '@ai-sdk/anthropic',
  /** For Google Gemini. */
  google: '@ai-sdk/google',
  /** For custom OpenAI-compatible endpoints. */
  custom: '@ai-sdk/openai-compatible',
} as const);
