/**
 * Descriptors for hosted APIs that speak OpenAI's protocol with their own
 * base URL and key format (DeepSeek, xAI, Groq, OpenRouter, Together,
 * Fireworks, Perplexity). Each builds an `OpenAI` client pinned to its
 * base URL, the same way `openai` and `custom` do (environment pinned out,
 * every request through the guarded transport).
 *
 * @module
 */
import type { OpenAI } from 'openai';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

/** The client code (`openai-compatible-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./openai-compatible-client.js');

/**
 * The cheapest call that proves a key, per API:
 * - `'models'`: `GET /models` (needs the key at every provider using it);
 * - `{ get: path }`: `GET <path>` (OpenRouter's `/key`, since its model list is public);
 * - `{ probe: model }`: a zero-token `POST /chat/completions` with no
 *   messages, where the 400 that follows authentication counts as valid
 *   (for APIs whose model list is public or missing).
 */
export type OpenAICompatibleCheck =
  | 'models'
  | {
      /** Path under the base URL to `GET`, e.g. `/key`. */
      get: string;
    }
  | {
      /** The model to probe with when the config names none. */
      probe: string;
    };

/** What sets one OpenAI-compatible API apart. */
export interface OpenAICompatibleSpec {
  /** Registry id, lower-case (`cerebras`): the `provider` of its configs. */
  id: string;
  /** Human name for messages and UIs (`Cerebras`). */
  label: string;
  /** The API's base URL, `/v1` included where the API has it; a config's `baseUrl` overrides it. */
  defaultBaseUrl: string;
  /** Prefixes shown in hints, longest match wins. */
  keyPrefixes: readonly string[];
  /** Prefixes every key of the provider has (empty: no stable prefix). */
  requiredPrefixes?: readonly string[];
  /** Shortest key accepted, in characters (default 20). */
  minLength?: number;
  /** How `validateKey` proves a key live. */
  check: OpenAICompatibleCheck;
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
  const { id, label, defaultBaseUrl } = spec;
  const shape = { label, minLength: spec.minLength ?? 20, requiredPrefixes: spec.requiredPrefixes ?? [] };
  return {
    id,
    label,
    keyPrefixes: spec.keyPrefixes,
    defaultBaseUrl,
    checkKeyFormat: (key) => checkKeyShape(key, shape),
    checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, label),
    createClient: async (input) => (await lazy()).createOpenAICompatibleClient(spec, input),
    validateKey: async (input) => (await lazy()).validateOpenAICompatibleKey(spec, input),
  };
}
