/**
 * The built-in provider registry.
 *
 * @module
 */
import anthropicProvider from './anthropic.js';
import azureOpenAIProvider from './azure-openai.js';
import bedrockProvider from './bedrock.js';
import cohereProvider from './cohere.js';
import customProvider from './custom.js';
import vertexProvider from './vertex.js';
import deepseekProvider from './deepseek.js';
import fireworksProvider from './fireworks.js';
import googleProvider from './google.js';
import groqProvider from './groq.js';
import mistralProvider from './mistral.js';
import ollamaProvider from './ollama.js';
import openaiProvider from './openai.js';
import openrouterProvider from './openrouter.js';
import perplexityProvider from './perplexity.js';
import togetherProvider from './together.js';
import xaiProvider from './xai.js';
import type { ProviderRegistry } from './registry.js';

/** Built-in providers whose client is an `OpenAI` pinned to the provider's base URL. */
export const OPENAI_COMPATIBLE_IDS = [
  'deepseek',
  'xai',
  'groq',
  'openrouter',
  'together',
  'fireworks',
  'perplexity',
] as const;

/**
 * The built-in descriptors keyed by id: `openai`, `anthropic`, `google`,
 * `mistral`, `cohere`, `ollama`, `custom`, `azure-openai`, and the
 * OpenAI-compatible APIs `deepseek`, `xai`, `groq`, `openrouter`,
 * `together`, `fireworks`, `perplexity`; and the structured-credential
 * providers `bedrock` and `vertex`. Importing
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
  deepseek: deepseekProvider,
  xai: xaiProvider,
  groq: groqProvider,
  openrouter: openrouterProvider,
  together: togetherProvider,
  fireworks: fireworksProvider,
  perplexity: perplexityProvider,
  bedrock: bedrockProvider,
  vertex: vertexProvider,
});
