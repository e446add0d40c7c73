/**
 * `byokit/providers`: provider descriptors, the built-in registry, client
 * construction and live key validation. Importing it loads no provider SDK.
 *
 * @module byokit/providers
 */
export type {
  ProviderDescriptor,
  ProviderCallInput,
  ProviderTransport,
  KeyValidationResult,
  ValidationFailureReason,
} from './types.js';
export { VALIDATION_FAILURE_REASONS } from './types.js';
export type { EndpointAction, EndpointPolicy, EndpointRequest, NetworkPolicyOptions } from '../net/endpoint-policy.js';
export type { PrivateEndpoints } from '../net/address-rule.js';
export type { Transport } from '../net/transport.js';
export type { FetchFunction } from '../net/guarded-fetch.js';
export { ProviderMismatchError } from '../errors.js';
export { getProvider, type ProviderRegistry } from './registry.js';
export { builtinProviders } from './builtin.js';
export {
  createClient,
  type ClientSource,
  type CreateClientOptions,
  type ProviderClients,
} from './create-client.js';
export {
  runKeyValidation,
  type KeyValidationOptions,
  liveCheck,
  checkModelAccess,
  classifyValidationError,
} from './validate.js';
export { scrubSecret } from './scrub-secret.js';
export { scrubError } from './safe-error.js';
export { ProviderHttpError } from './error-chain.js';
export { loadSdk, provideSdk } from './load-sdk.js';
export { checkKeyShape, type KeyShape } from './key-format.js';
export { default as openaiProvider } from './openai.js';
export { default as anthropicProvider } from './anthropic.js';
export { default as googleProvider, type GoogleClient } from './google.js';
export { default as mistralProvider } from './mistral.js';
export { default as cohereProvider } from './cohere.js';
export { default as ollamaProvider } from './ollama.js';
export { default as customProvider } from './custom.js';
export { default as azureOpenAIProvider } from './azure-openai.js';
export { default as bedrockProvider } from './bedrock.js';
export { bedrockCredential, type BedrockCredential } from './bedrock-credential.js';
export { default as vertexProvider } from './vertex.js';
export { vertexCredential, type VertexCredential } from './vertex-credential.js';
export { entraCredential, type EntraCredential } from './entra-credential.js';
export {
  readCredential,
  type CredentialSpec,
  type LazyCredentialSpec,
  type CredentialDeclaration,
  type CredentialSchema,
  type CredentialSchemaIssue,
} from './credential.js';
export { default as deepseekProvider } from './deepseek.js';
export { default as xaiProvider } from './xai.js';
export { default as groqProvider } from './groq.js';
export { default as openrouterProvider } from './openrouter.js';
export { default as togetherProvider } from './together.js';
export { default as fireworksProvider } from './fireworks.js';
export { default as perplexityProvider } from './perplexity.js';
export {
  openAICompatibleProvider,
  type OpenAICompatibleSpec,
  type OpenAICompatibleCheck,
} from './openai-compatible.js';
