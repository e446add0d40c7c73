/**
 * `byokit/ai-sdk`: a `Resolution` as a Vercel AI SDK provider, so
 * `generateText` / `streamText` from `ai` run with the tenant's key and base
 * URL. `@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/google` and
 * `@ai-sdk/openai-compatible` are optional peer dependencies: install the
 * ones your tenants' providers need; each is imported on first use.
 *
 * Requests go through byokit's guarded transport (the vault's endpoint
 * policy, no redirects), and a resolution from a vault with an outcome loop
 * reports every response to it (usage, key health), as the clients of
 * `createClient` do.
 *
 * @example
 * ```ts
 * import { generateText } from 'ai';
 * import { aiSdkModel } from 'byokit/ai-sdk';
 *
 * const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
 * const { text } = await generateText({ model: await aiSdkModel(r, { defaultModel: 'gpt-4o-mini' }), prompt: 'Hello' });
 * ```
 *
 * @module byokit/ai-sdk
 */
import type { AnthropicProvider } from '@ai-sdk/anthropic';
import type { GoogleGenerativeAIProvider } from '@ai-sdk/google';
import type { OpenAIProvider } from '@ai-sdk/openai';
import type { OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { ProviderError, ProviderMismatchError, ValidationError } from '../errors.js';
import type { NetworkPolicyOptions } from '../net/endpoint-policy.js';
import { builtinProviders } from '../providers/builtin.js';
import { clientTransport, readResolutionKey } from '../providers/client-transport.js';
import type { ClientSource } from '../providers/create-client.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { toSafeError } from '../providers/safe-error.js';
import { builtinAiSdkFactories, type AiSdkFactory } from './factories.js';
import { byokitMessage } from '../message.js';

export { builtinAiSdkFactories, AI_SDK_PACKAGES, type AiSdkFactory, type AiSdkFactoryInput } from './factories.js';

/**
 * The AI SDK provider type each byokit provider id gives. Hosts that add a
 * factory for another provider type it by module augmentation:
 *
 * @example
 * ```ts
 * declare module 'byokit/ai-sdk' {
 *   interface AiSdkProviders { mistral: MistralProvider }
 * }
 * ```
 */
export interface AiSdkProviders {
  /** `@ai-sdk/openai` (`provider(model)` is the Responses API; `provider.chat(model)` chat completions). */
  openai: OpenAIProvider;
  /** `@ai-sdk/anthropic`. */
  anthropic: AnthropicProvider;
  /** `@ai-sdk/google` (the Gemini API). */
  google: GoogleGenerativeAIProvider;
  /** `@ai-sdk/openai-compatible`, for a tenant's custom OpenAI-compatible endpoint. */
  custom: OpenAICompatibleProvider;
}

/** Any provider {@link createAiSdkProvider} builds: call it with a model id for a language model. */
export type AiSdkProvider = AiSdkProviders[keyof AiSdkProviders];

/** The language model an {@link AiSdkProvider} gives, as `generateText({ model })` takes it. */
export type AiSdkLanguageModel = ReturnType<AiSdkProvider['languageModel']>;

/** Options of {@link createAiSdkProvider} and {@link aiSdkModel}. */
export interface AiSdkProviderOptions extends NetworkPolicyOptions {
  /**
   * The provider your code is written against (a key of
   * {@link AiSdkProviders}). Types the result and is checked at run time: a
   * resolution for another provider (a tenant's custom endpoint, say)
   * throws a `ProviderMismatchError` instead of handing back another API.
   */
  expect?: string;
  /**
   * Extra settings for the AI SDK provider (`headers`, `name` ...), in the
   * package's own names. Credentials and the base URL always come from the
   * resolution: `apiKey`, `authToken`, `baseURL` and authentication headers
   * given here are dropped; a `fetch` here is wrapped by byokit's guarded
   * transport, never used bare.
   */
  settings?: Record<string, unknown>;
  /** Factories for more providers (or to replace a built-in one), by byokit provider id. */
  factories?: Readonly<Record<string, AiSdkFactory>>;
  /** Host provider descriptors (for their default base URLs), as given to `createVault`. */
  providers?: ProviderRegistry;
}

/** Settings that would replace the resolution's key or endpoint. */
const PINNED_SETTINGS = new Set(['apiKey', 'authToken', 'baseURL', 'baseUrl', 'fetch']);
/** Headers that carry a key in the APIs the AI SDK speaks. */
const AUTH_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']);

function checkArguments(resolution: unknown, options: unknown): void {
  const invalid = (path: string, message: string) =>
    new ValidationError(byokitMessage('ai-sdk', `invalid arguments: ${path}: ${message}`), [{ path, message }]);
  if (typeof resolution !== 'object' || resolution === null)
    throw invalid('resolution', 'must be a Resolution from vault.resolve()');
  const { provider } = resolution as Partial<ClientSource>;
  if (typeof provider !== 'string' || provider === '') throw invalid('resolution.provider', 'must be a provider id');
  if (typeof options === 'string') return;
  if (typeof options !== 'object' || options === null)
    throw invalid('options', 'must be an expected provider id or an options object');
  const { expect, settings, factories, providers } = options as AiSdkProviderOptions;
  if (expect !== undefined && typeof expect !== 'string') throw invalid('options.expect', 'must be a provider id');
  for (const [name, value] of Object.entries({ settings, factories, providers })) {
    if (value !== undefined && (typeof value !== 'object' || value === null))
      throw invalid(`options.${name}`, 'must be an object');
  }
}

/** The host's settings without anything that could redirect or replace the key. */
function safeSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings ?? {})) if (!PINNED_SETTINGS.has(name)) safe[name] = value;
  const headers = safe.headers;
  if (typeof headers === 'object' && headers !== null) {
    safe.headers = Object.fromEntries(
      Object.entries(headers).filter(([name]) => !AUTH_HEADERS.has(name.toLowerCase())),
    );
  }
  return safe;
}

/**
 * An AI SDK provider for a resolution: the tenant's key (or the platform's),
 * the config's base URL, every request through byokit's guarded transport,
 * and, for a resolution of a vault with `onUsage` or key health on, every
 * response reported to that vault (status, token usage, retry-after; never
 * prompts or completions).
 *
 * Built in: `openai` (`@ai-sdk/openai`), `anthropic` (`@ai-sdk/anthropic`),
 * `google` (`@ai-sdk/google`) and `custom` OpenAI-compatible endpoints
 * (`@ai-sdk/openai-compatible`); other providers take a factory in
 * `options.factories`, else `PROVIDER_UNKNOWN`. A missing package throws
 * `PROVIDER_SDK_MISSING` naming it. Pass `expect` (or the id as the second
 * argument) to get that provider's type, checked at run time.
 *
 * @example
 * ```ts
 * const openai = await createAiSdkProvider(r, 'openai');   // OpenAIProvider
 * await generateText({ model: openai.chat(r.model ?? 'gpt-4o-mini'), prompt: 'Hi' });
 * ```
 */
export function createAiSdkProvider<K extends keyof AiSdkProviders>(
  resolution: ClientSource,
  expect: K,
): Promise<AiSdkProviders[K]>;
export function createAiSdkProvider<K extends keyof AiSdkProviders>(
  resolution: ClientSource,
  options: AiSdkProviderOptions & { expect: K },
): Promise<AiSdkProviders[K]>;
export function createAiSdkProvider(
  resolution: ClientSource,
  options?: AiSdkProviderOptions | string,
): Promise<AiSdkProvider>;
export async function createAiSdkProvider(
  resolution: ClientSource,
  options: AiSdkProviderOptions | string = {},
): Promise<unknown> {
  checkArguments(resolution, options);
  const settings: AiSdkProviderOptions = typeof options === 'string' ? { expect: options } : options;
  if (settings.expect !== undefined && settings.expect !== resolution.provider) {
    throw new ProviderMismatchError(settings.expect, resolution.provider, resolution.configName);
  }
  const factories = settings.factories ? { ...builtinAiSdkFactories, ...settings.factories } : builtinAiSdkFactories;
  const factory = Object.hasOwn(factories, resolution.provider) ? factories[resolution.provider] : undefined;
  if (typeof factory !== 'function') {
    throw new ProviderError(
      'PROVIDER_UNKNOWN',
      byokitMessage(
        'ai-sdk',
        `no AI SDK provider for "${resolution.provider}"; built in: ${Object.keys(builtinAiSdkFactories).join(', ')}. ` +
          'Pass one in options.factories (e.g. with @ai-sdk/mistral)',
      ),
    );
  }
  const apiKey = readResolutionKey(resolution);
  const registry: ProviderRegistry = settings.providers
    ? { ...builtinProviders, ...settings.providers }
    : builtinProviders;
  const defaultBaseUrl = Object.hasOwn(registry, resolution.provider)
    ? registry[resolution.provider]?.defaultBaseUrl
    : undefined;
  const baseUrl = resolution.baseUrl ?? defaultBaseUrl ?? null;
  const transport = await clientTransport(resolution, apiKey, settings, settings.settings?.fetch, baseUrl);
  try {
    return await factory({
      apiKey,
      baseUrl,
      fetch: transport.fetch as typeof globalThis.fetch,
      resolution: {
        provider: resolution.provider,
        model: resolution.model,
        options: resolution.options,
        baseUrl: resolution.baseUrl,
        ...(resolution.configName === undefined ? {} : { configName: resolution.configName }),
      },
      settings: safeSettings(settings.settings),
    });
  } catch (error) {
    // A typed error that names no part of the key passes as it is; anything else is scrubbed.
    throw toSafeError(error, apiKey, `building the AI SDK provider for ${resolution.provider}`);
  }
}

/** Options of {@link aiSdkModel}. */
export interface AiSdkModelOptions extends AiSdkProviderOptions {
  /** The model when the resolution names none (the config's `model` wins). */
  defaultModel?: string;
}

/**
 * The AI SDK language model for a resolution: its provider (see
 * {@link createAiSdkProvider}) called with the config's model, else
 * `defaultModel`. Throws `VALIDATION_FAILED` when neither names a model.
 *
 * @example
 * ```ts
 * const r = await vault.resolve({ tenantId: 'acme', provider: 'anthropic' });
 * const result = streamText({ model: await aiSdkModel(r, { defaultModel: 'claude-sonnet-4-5' }), prompt });
 * ```
 */
export async function aiSdkModel(
  resolution: ClientSource,
  options: AiSdkModelOptions = {},
): Promise<AiSdkLanguageModel> {
  const { defaultModel, ...rest } = options ?? {};
  const modelId = resolution?.model ?? defaultModel;
  if (typeof modelId !== 'string' || modelId === '') {
    const message = 'the resolution names no model; pass options.defaultModel';
    throw new ValidationError(byokitMessage('ai-sdk', `${message}`), [{ path: 'model', message }]);
  }
  const provider = await createAiSdkProvider(resolution, rest);
  return provider.languageModel(modelId) as AiSdkLanguageModel;
}
