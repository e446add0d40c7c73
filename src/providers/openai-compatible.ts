/**
 * Descriptors for hosted APIs that speak OpenAI's protocol with their own
 * base URL and key format (DeepSeek, xAI, Groq, OpenRouter, Together,
 * Fireworks, Perplexity). Each builds an `OpenAI` client pinned to its
 * base URL, the same way `openai` and `custom` do (environment pinned out,
 * every request through the guarded transport).
 *
 * @module
 */
import type { ClientOptions, OpenAI } from 'openai';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, checkBaseUrl, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import { buildOpenAIClient, openAIValidationDefaults } from './openai-family.js';
import type { KeyValidationResult, ProviderCallInput, ProviderDescriptor } from './types.js';
import { guardedLiveCheck, httpStatusOf } from './validate.js';

/**
 * The cheapest call that proves a key, per API:
 * - `'models'`: `GET /models` (needs the key at every provider using it);
 * - `{ get: path }`: `GET <path>` (OpenRouter's `/key`, since its model list is public);
 * - `{ probe: model }`: a zero-token `POST /chat/completions` with no
 *   messages, where the 400 that follows authentication counts as valid
 *   (for APIs whose model list is public or missing).
 */
export type OpenAICompatibleCheck = 'models' | { get: string } | { probe: string };

/** What sets one OpenAI-compatible API apart. */
export interface OpenAICompatibleSpec {
  id: string;
  label: string;
  defaultBaseUrl: string;
  /** Prefixes shown in hints, longest match wins. */
  keyPrefixes: readonly string[];
  /** Prefixes every key of the provider has (empty: no stable prefix). */
  requiredPrefixes?: readonly string[];
  minLength?: number;
  check: OpenAICompatibleCheck;
}

async function runCheck(client: OpenAI, check: OpenAICompatibleCheck, model: string | null): Promise<KeyValidationResult> {
  if (check === 'models') {
    await client.models.list();
    return { status: 'valid' };
  }
  if ('get' in check) {
    await client.get(check.get);
    return { status: 'valid' };
  }
  try {
    await client.chat.completions.create({ model: model ?? check.probe, messages: [], max_tokens: 1 });
    return { status: 'valid' };
  } catch (error) {
    // The request was refused for its (deliberately empty) body, after the key was accepted.
    if (httpStatusOf(error) === 400) return { status: 'valid' };
    throw error;
  }
}

/**
 * A descriptor for an OpenAI-compatible API. Hosts can use it for APIs
 * byokit does not ship.
 *
 * @example
 * ```ts
 * const cerebras = openAICompatibleProvider({
 *   id: 'cerebras', label: 'Cerebras', defaultBaseUrl: 'https://api.cerebras.ai/v1',
 *   keyPrefixes: ['csk-'], requiredPrefixes: ['csk-'], check: 'models',
 * });
 * ```
 */
export function openAICompatibleProvider(spec: OpenAICompatibleSpec): ProviderDescriptor<OpenAI> {
  const { id, label, defaultBaseUrl, check } = spec;
  const build = (input: ProviderCallInput, transport: Transport, defaults: Partial<ClientOptions> = {}) =>
    buildOpenAIClient(input, label, baseUrlOr(input, defaultBaseUrl), transport, defaults);
  const shape = { label, minLength: spec.minLength ?? 20, requiredPrefixes: spec.requiredPrefixes ?? [] };
  return {
    id,
    label,
    keyPrefixes: spec.keyPrefixes,
    defaultBaseUrl,
    checkKeyFormat: (key) => checkKeyShape(key, shape),
    checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, label),
    createClient: (input) => build(input, transportOf(input, id)),
    validateKey: (input) =>
      guardedLiveCheck(id, label, input, async (transport) =>
        runCheck(await build(input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS)), check, input.model),
      ),
  };
}
