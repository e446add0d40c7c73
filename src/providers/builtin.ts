/**
 * The built-in provider registry.
 *
 * @module
 */
import anthropicProvider from './anthropic.js';
import azureOpenAIProvider from './azure-openai.js';
import cohereProvider from './cohere.js';
import customProvider from './custom.js';
import googleProvider from './google.js';
import mistralProvider from './mistral.js';
import ollamaProvider from './ollama.js';
import openaiProvider from './openai.js';
import type { ProviderRegistry } from './registry.js';

/**
 * The eight built-in descriptors keyed by id: `openai`, `anthropic`,
 * `google`, `mistral`, `cohere`, `ollama`, `custom`, `azure-openai`. Importing
 * it loads no SDK; each descriptor imports its SDK when a client is built.
 *
 * @example
 * ```ts
 * const providers = { ...builtinProviders, voice: voiceProvider };
 * ```
 */
export const builtinProviders: ProviderRegistry = Object.freeze({
  openai: openaiProvider,
  anthropic: anthropicProvider,
  google: googleProvider,
  mistral: mistralProvider,
  cohere: cohereProvider,
  ollama: ollamaProvider,
  custom: customProvider,
  'azure-openai': azureOpenAIProvider,
});
