/**
 * `createClient`: a ready provider SDK client for a resolution.
 *
 * @module
 */
import type { Anthropic } from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai';
import type { GoogleGenerativeAI } from '@google/generative-ai';
import type { Mistral } from '@mistralai/mistralai';
import type { CohereClientV2 } from 'cohere-ai';
import type { Ollama } from 'ollama';
import type { AzureOpenAI, OpenAI } from 'openai';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import type { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import { ProviderMismatchError, ValidationError } from '../errors.js';
import type { NetworkPolicyOptions } from '../net/endpoint-policy.js';
import type { Resolution } from '../resolve/types.js';
import type { ConfigOptions } from '../values.js';
import { builtinProviders, OPENAI_COMPATIBLE_IDS } from './builtin.js';
import { clientTransport, readResolutionKey } from './client-transport.js';
import { getProvider, type ProviderRegistry } from './registry.js';
import type { ProviderCallInput } from './types.js';
import { toSafeError } from './safe-error.js';
import { byokitMessage } from '../message.js';

/**
 * The client type each expectation gives. Keys are provider ids, plus
 * `google-genai` (a `google` resolution built with `@google/genai`).
 * Hosts add their own providers by module augmentation:
 *
 * @example
 * ```ts
 * declare module 'byokit/providers' {
 *   interface ProviderClients { voice: VoiceClient }
 * }
 * const voice = await createClient(resolution, { expect: 'voice', providers }); // VoiceClient
 * ```
 */
export interface ProviderClients {
  /** `openai`: the OpenAI SDK's client. */
  openai: OpenAI;
  /** An OpenAI-compatible endpoint: an `OpenAI` client with the config's base URL. */
  custom: OpenAI;
  /** `openai`'s `AzureOpenAI`. */
  'azure-openai': AzureOpenAI;
  /** `@anthropic-ai/sdk`. */
  anthropic: Anthropic;
  /** `@google/generative-ai` (forced, whatever the config's `sdk` option says). */
  google: GoogleGenerativeAI;
  /** `@google/genai` (forced, whatever the config's `sdk` option says). */
  'google-genai': GoogleGenAI;
  /** `@mistralai/mistralai`. */
  mistral: Mistral;
  /** `cohere-ai` (the v2 client). */
  cohere: CohereClientV2;
  /** `ollama`. */
  ollama: Ollama;
  /** `deepseek`: an `OpenAI` client at `https://api.deepseek.com` (or the config's base URL). */
  deepseek: OpenAI;
  /** `xai`: an `OpenAI` client at `https://api.x.ai/v1` (or the config's base URL). */
  xai: OpenAI;
  /** `groq`: an `OpenAI` client at `https://api.groq.com/openai/v1` (or the config's base URL). */
  groq: OpenAI;
  /** `openrouter`: an `OpenAI` client at `https://openrouter.ai/api/v1` (or the config's base URL). */
  openrouter: OpenAI;
  /** `together`: an `OpenAI` client at `https://api.together.xyz/v1` (or the config's base URL). */
  together: OpenAI;
  /** `fireworks`: an `OpenAI` client at `https://api.fireworks.ai/inference/v1` (or the config's base URL). */
  fireworks: OpenAI;
  /** `perplexity`: an `OpenAI` client at `https://api.perplexity.ai` (or the config's base URL). */
  perplexity: OpenAI;
  /** `@aws-sdk/client-bedrock-runtime` (forced, whatever the config's `sdk` option says). */
  bedrock: BedrockRuntimeClient;
  /** `@anthropic-ai/bedrock-sdk` for a `bedrock` resolution (forced). */
  'bedrock-anthropic': AnthropicBedrock;
  /** `@google/genai` in Vertex mode for a `vertex` resolution (forced, whatever the config's `sdk` option says). */
  vertex: GoogleGenAI;
  /** `@anthropic-ai/vertex-sdk` for a `vertex` resolution (forced). */
  'vertex-anthropic': AnthropicVertex;
}

/** What {@link createClient} needs of a resolution. A `Resolution` from the vault has it all. */
export type ClientSource = Pick<Resolution, 'provider' | 'baseUrl' | 'model' | 'options' | 'key'> &
  Partial<Pick<Resolution, 'configName'>>;

/**
 * Options of {@link createClient}. `allowPrivateEndpoints` and
 * `endpointPolicy` set the network policy of the client: a resolution from
 * a vault carries that vault's policy, and a field given here replaces the
 * vault's; a hand-built source gets the default policy (public addresses
 * only) unless given one here.
 */
export interface CreateClientOptions extends NetworkPolicyOptions {
  /**
   * The client the calling code is written against (a key of
   * {@link ProviderClients} or a host provider id). Types the result and is
   * checked at run time: a resolution that can't produce that client throws
   * a {@link ProviderMismatchError} instead of handing back the wrong SDK.
   */
  expect?: string;
  /**
   * Host descriptors, merged over the built-in ones (pass the same registry
   * you gave `createVault`).
   */
  providers?: ProviderRegistry;
  /**
   * Passed to the SDK constructor (timeouts, retries, headers), in the SDK's
   * own option names. A `fetch` here is wrapped by byokit's guarded
   * transport, never handed to the SDK bare.
   */
  clientOptions?: Record<string, unknown>;
}

/**
 * Which resolution providers can satisfy an expectation, beyond an exact id
 * match, and the option override that makes the descriptor build the
 * expected SDK. `openai`, `custom` and the OpenAI-compatible APIs
 * (`deepseek`, `groq`, ...) all build `OpenAI`, and `AzureOpenAI` is a
 * subclass of it, so code written against `OpenAI` works with all of them.
 */
const COMPATIBLE: Readonly<Record<string, { providers: readonly string[]; options?: ConfigOptions }>> = {
  openai: { providers: ['openai', 'custom', 'azure-openai', ...OPENAI_COMPATIBLE_IDS] },
  custom: { providers: ['custom', 'openai', 'azure-openai', ...OPENAI_COMPATIBLE_IDS] },
  google: { providers: ['google'], options: { sdk: 'generative-ai' } },
  'google-genai': { providers: ['google'], options: { sdk: 'genai' } },
  bedrock: { providers: ['bedrock'], options: { sdk: 'aws' } },
  'bedrock-anthropic': { providers: ['bedrock'], options: { sdk: 'anthropic' } },
  vertex: { providers: ['vertex'], options: { sdk: 'genai' } },
  'vertex-anthropic': { providers: ['vertex'], options: { sdk: 'anthropic' } },
};

/** The arguments' shapes, checked before anything reads them: a typed error instead of a TypeError from deep inside. */
function checkClientArguments(resolution: unknown, options: unknown): void {
  const invalid = (path: string, message: string) =>
    new ValidationError(byokitMessage('providers', `invalid createClient arguments: ${path}: ${message}`), [
      { path, message },
    ]);
  if (typeof resolution !== 'object' || resolution === null)
    throw invalid('resolution', 'must be a Resolution from vault.resolve()');
  const { provider, options: providerOptions } = resolution as Partial<ClientSource>;
  if (typeof provider !== 'string' || provider === '') throw invalid('resolution.provider', 'must be a provider id');
  if (providerOptions !== undefined && providerOptions !== null && typeof providerOptions !== 'object')
    throw invalid('resolution.options', 'must be an object');
  if (typeof options === 'string') return;
  if (typeof options !== 'object' || options === null)
    throw invalid('options', 'must be an expected client id or an options object');
  const { expect, providers, clientOptions } = options as CreateClientOptions;
  if (expect !== undefined && typeof expect !== 'string') throw invalid('options.expect', 'must be a provider id');
  if (providers !== undefined && (typeof providers !== 'object' || providers === null))
    throw invalid('options.providers', 'must be an object of descriptors');
  if (clientOptions !== undefined && (typeof clientOptions !== 'object' || clientOptions === null))
    throw invalid('options.clientOptions', 'must be an object');
}

/**
 * Builds the provider SDK client for a resolution, with the tenant's key and
 * base URL. The SDK is imported on first use; a missing one throws
 * `PROVIDER_SDK_MISSING` naming the package.
 *
 * Typing: pass the client your code is written against as `expect` (or as
 * the second argument directly) to get that SDK's type. Since any resolution
 * can turn out to be a custom endpoint at run time, the expectation is also
 * checked then: `'openai'` accepts `openai`, `custom`, `azure-openai` and
 * the OpenAI-compatible providers' resolutions (all give an `OpenAI`, or
 * its subclass `AzureOpenAI`); other
 * expectations accept their own provider only, else a
 * {@link ProviderMismatchError}. `'google'` / `'google-genai'` also choose
 * the Google SDK, overriding the config's `sdk` option. Without an
 * expectation the result is `unknown`.
 *
 * A resolution from a vault with `onUsage` or key health on gives a client
 * that reports each response to that vault (status, latency, token usage,
 * retry-after; never prompts or completions): see docs/outcomes.md.
 *
 * Every request the client makes goes through byokit's guarded transport
 * (where the SDK takes a `fetch`; see docs/providers.md): each URL passes
 * the endpoint policy (provider defaults included; by default public
 * addresses only), host names are checked by what they resolve to at
 * connect time on Node, and no redirect is followed (`REDIRECT_REFUSED`).
 * The base URL is checked when the client is built: a refused one throws
 * `ENDPOINT_REFUSED` here.
 *
 * Errors carry no key: SDK construction failures become a scrubbed
 * `PROVIDER_REQUEST_FAILED`.
 *
 * @example
 * ```ts
 * const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
 * const openai = await createClient(r, 'openai');           // OpenAI
 * await openai.chat.completions.create({ model: r.model ?? 'gpt-4o-mini', messages });
 *
 * const voice = await createClient(r2, { expect: 'voice', providers: { voice: voiceProvider } });
 * ```
 */
export function createClient<K extends keyof ProviderClients>(
  resolution: ClientSource,
  expect: K,
): Promise<ProviderClients[K]>;
export function createClient<K extends keyof ProviderClients>(
  resolution: ClientSource,
  options: CreateClientOptions & { expect: K },
): Promise<ProviderClients[K]>;
export function createClient(resolution: ClientSource, options?: CreateClientOptions | string): Promise<unknown>;
export async function createClient(
  resolution: ClientSource,
  options: CreateClientOptions | string = {},
): Promise<unknown> {
  checkClientArguments(resolution, options);
  const settings: CreateClientOptions = typeof options === 'string' ? { expect: options } : options;
  const { expect, providers, clientOptions } = settings;
  const registry: ProviderRegistry = providers ? { ...builtinProviders, ...providers } : builtinProviders;
  const descriptor = getProvider(registry, resolution.provider);

  let optionOverride: ConfigOptions | undefined;
  if (expect !== undefined) {
    const rule = Object.hasOwn(COMPATIBLE, expect) ? COMPATIBLE[expect] : undefined;
    if (rule?.providers.includes(resolution.provider)) optionOverride = rule.options;
    else if (expect !== resolution.provider)
      throw new ProviderMismatchError(expect, resolution.provider, resolution.configName);
  }

  const apiKey = readResolutionKey(resolution);
  if (descriptor.requiresBaseUrl && !resolution.baseUrl) {
    throw new ValidationError(byokitMessage('providers', `a base URL is required for ${descriptor.label}`), [
      { path: 'baseUrl', message: `required for ${descriptor.label}` },
    ]);
  }
  const transport = await clientTransport(
    resolution,
    apiKey,
    settings,
    clientOptions?.fetch,
    resolution.baseUrl ?? descriptor.defaultBaseUrl,
  );
  const input: ProviderCallInput = {
    apiKey,
    baseUrl: resolution.baseUrl,
    model: resolution.model,
    options: { ...resolution.options, ...optionOverride },
    transport,
    ...(clientOptions === undefined ? {} : { clientOptions }),
  };
  try {
    return await descriptor.createClient(input);
  } catch (error) {
    throw toSafeError(error, apiKey, `building the ${descriptor.label} client`);
  }
}
